// Prints the one line CI reads: `N passed, N failed`, summing the shell
// checks (type check, lint, stack, portal) and every Jest result file.
// Exits non-zero when anything failed or a result file is missing.
const fs = require('node:fs');

const [checksPassed, checksFailed, ...files] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
for (const file of files) {
  try {
    const result = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof result.numPassedTests !== 'number') {
      throw new Error('not a Jest result file');
    }
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    // A suite that could not run (syntax error, crash) has no failed tests.
    failed += result.numRuntimeErrorTestSuites;
    console.error(
      `${file}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`,
    );
  } catch (error) {
    console.error(`${file}: unreadable (${error.message})`);
    failed += 1;
  }
}
for (const expected of ['unit.json', 'e2e.json']) {
  if (!files.some(f => f.endsWith(`/${expected}`))) {
    console.error(`${expected}: missing, counted as a failure`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
