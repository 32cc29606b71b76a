// @fastify/cookie loads `cookie` 2 (an ES module) with `await import('cookie')`. Node 20.19 runs that; Jest's
// CommonJS module system on Node 20 can neither run import() (without --experimental-vm-modules) nor require() an ES
// module. For the few node_modules files jest.config.js routes here, TypeScript's transpiler rewrites both into
// require() (import() becomes Promise.resolve().then(() => require(…))), so the real cookie code runs under test.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads transformers as CommonJS, untransformed
const ts = require('typescript');

module.exports = {
  process(sourceText, sourcePath) {
    const { outputText } = ts.transpileModule(sourceText, {
      fileName: sourcePath,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        allowJs: true,
      },
    });
    return { code: outputText };
  },
};
