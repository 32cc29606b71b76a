// Jest's default order (failed first, then slowest first), except that the browser project's files come last: they
// need the built web app and a browser, and a quick unit or API failure should show before them.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads this file as CommonJS, untransformed
const Sequencer = require('@jest/test-sequencer').default;

class BrowserLastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const isBrowser = (test) => test.context.config.displayName?.name === 'browser';
    return [...sorted.filter((t) => !isBrowser(t)), ...sorted.filter(isBrowser)];
  }
}

module.exports = BrowserLastSequencer;
