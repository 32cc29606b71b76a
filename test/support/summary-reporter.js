// Ends the run with one plain line that any CI can read: 'Tests: N passed, N failed, N skipped'.
// Written at process exit so that it comes after jest's own summary, whatever order reporters run in.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
