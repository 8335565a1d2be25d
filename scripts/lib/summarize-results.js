// Prints what the suite's counts are made of, then the one line CI reads:
// `N passed, N failed`. Exits non-zero when anything failed.
//
// usage: node scripts/lib/summarize-results.js <results dir>
//
// It reads from the results directory, all written by scripts/test:
//   checks.tsv       one line per shell check: `passed<TAB>name` or `failed<TAB>name`
//   <suite>.json     Jest's --json output, for every suite in SUITES
//   <suite>.exit     the exit code of that Jest process
//   coverage/coverage-summary.json   line coverage of the unit tests (reported, never a failure)
//   phases.tsv       seconds<TAB>phase for each phase of the run (reported, never a failure)
// and the committed allow-list of skipped tests, scripts/lib/allowed-skips.json.
//
// The line must not stay green while something did not run: a suite file that
// is missing, a test file with no test, a skipped or todo test, a crashed test
// file and a Jest process that exited non-zero with no failing test each count
// as failures, and each is named.
const fs = require('node:fs');
const path = require('node:path');

const SUITES = [
  'unit',
  'install',
  'e2e-cluster',
  'e2e-quiet',
  'e2e',
  'replicas',
  'drain',
  'restart',
  'clusters',
  'start-after-test',
  'reliability',
];
const ALLOWED_SKIPS_FILE = path.join(__dirname, 'allowed-skips.json');

/**
 * Reads the allow-list of skipped tests: [{ "test": <full name>, "reason": <why> }].
 * An entry without a reason is refused: a skip must say why it is harmless.
 */
function readAllowedSkips(file) {
  const entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(entries)) {
    throw new Error('expected a JSON array');
  }
  for (const entry of entries) {
    if (typeof entry?.test !== 'string' || !String(entry.reason ?? '').trim()) {
      throw new Error('every entry needs a "test" (full name) and a "reason"');
    }
  }
  return entries;
}

/**
 * How many tests a test file declares, for a file that crashed before Jest
 * could list them: its `it(`/`test(` calls (each `.each` table counts once,
 * so this is a lower bound). Unknown -> 0.
 */
function countDeclaredTests(file) {
  try {
    const source = fs.readFileSync(file, 'utf8');
    const calls = source.match(
      /(?:^|[^.\w])(?:it|test)(?:\.(?:each|concurrent|failing))?\s*[(`]/g,
    );
    return calls ? calls.length : 0;
  } catch {
    return 0;
  }
}

function readChecks(resultsDir) {
  const file = path.join(resultsDir, 'checks.tsv');
  if (!fs.existsSync(file)) {
    return { passed: [], failed: [], missing: true };
  }
  const passed = [];
  const failed = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [status, ...name] = line.split('\t');
    (status === 'passed' ? passed : failed).push(name.join('\t') || line);
  }
  return { passed, failed, missing: false };
}

function readExitCode(resultsDir, suite) {
  const file = path.join(resultsDir, `${suite}.exit`);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8').trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Counts one suite's Jest JSON; every reason to fail goes to `problems`. */
function summarizeSuite(resultsDir, suite, allowedSkips, problems) {
  // failed: failing tests; notRun: failures counted for what did not run
  // (missing file, crash, empty file, disallowed skip, bare exit code).
  const counts = { passed: 0, failed: 0, notRun: 0, skipped: 0, todo: 0 };
  const file = path.join(resultsDir, `${suite}.json`);
  const exitCode = readExitCode(resultsDir, suite);
  let result;
  try {
    result = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(result.testResults)) {
      throw new Error('not a Jest --json result (no testResults)');
    }
  } catch (error) {
    const why =
      error.code === 'ENOENT'
        ? 'missing (the Jest process did not write it)'
        : `unreadable (${error.message})`;
    problems.push(`${suite}: ${path.basename(file)} ${why}`);
    counts.notRun += 1;
    return {
      counts,
      exitCode,
      line: `${suite}: ${why}, counted as 1 failure; Jest exit ${
        exitCode ?? 'unknown'
      }`,
    };
  }

  if (result.testResults.length === 0) {
    problems.push(`${suite}: no test file ran`);
    counts.notRun += 1;
  }
  for (const testFile of result.testResults) {
    const name = path.relative(process.cwd(), testFile.name);
    const tests = testFile.assertionResults ?? [];
    const crashed =
      Boolean(testFile.testExecError) ||
      (testFile.status === 'failed' && !tests.some(t => t.status === 'failed'));
    for (const test of tests) {
      if (test.status === 'passed') counts.passed += 1;
      else if (test.status === 'failed') {
        counts.failed += 1;
        problems.push(`${suite}: failed test "${test.fullName}" in ${name}`);
      } else if (test.status === 'todo') counts.todo += 1;
      else counts.skipped += 1; // pending, skipped, disabled, focused-out
      if (test.status !== 'passed' && test.status !== 'failed') {
        const allowed = allowedSkips.find(a => a.test === test.fullName);
        if (allowed) continue;
        problems.push(
          `${suite}: ${test.status} test "${test.fullName}" in ${name} (not in scripts/lib/allowed-skips.json)`,
        );
        counts.notRun += 1;
      }
    }
    if (crashed) {
      // Tests that never ran are failures, not a single one for the file.
      const ran = tests.length;
      const declared = countDeclaredTests(testFile.name);
      const lost = Math.max(1, declared - ran);
      const message = String(
        testFile.testExecError?.message ?? testFile.message ?? '',
      )
        .split('\n')
        .find(l => l.trim() && !l.includes('Test suite failed to run'));
      problems.push(
        `${suite}: ${name} crashed${
          ran ? ` after ${ran} test(s)` : ''
        }, counted as ${lost} failed${
          declared ? ` (${declared} declared)` : ''
        }${message ? `: ${message.trim().slice(0, 200)}` : ''}`,
      );
      counts.notRun += lost;
    } else if (tests.length === 0) {
      problems.push(`${suite}: ${name} has no tests`);
      counts.notRun += 1;
    }
  }

  if (exitCode === undefined) {
    problems.push(`${suite}: the Jest exit code was not recorded`);
    counts.notRun += 1;
  } else if (exitCode !== 0 && counts.failed + counts.notRun === 0) {
    problems.push(
      `${suite}: Jest exited with ${exitCode} although no test failed`,
    );
    counts.notRun += 1;
  }
  const line = `${suite}: ${counts.passed} passed, ${
    counts.failed
  } failed tests + ${counts.notRun} failures for what did not run; ${
    counts.skipped
  } skipped, ${counts.todo} todo; ${
    result.testResults.length
  } files, Jest exit ${exitCode ?? 'unknown'}`;
  return { counts, exitCode, line };
}

/** One line per plugin package: its line coverage in the unit tests. */
function coverageLines(resultsDir) {
  const file = path.join(resultsDir, 'coverage', 'coverage-summary.json');
  if (!fs.existsSync(file)) {
    return [`coverage: no ${path.relative(resultsDir, file)} (not collected)`];
  }
  const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byPlugin = new Map();
  for (const [sourceFile, metrics] of Object.entries(summary)) {
    const match = /(?:^|\/)(plugins\/[^/]+)\/src\//.exec(sourceFile);
    if (!match) continue;
    const sum = byPlugin.get(match[1]) ?? { covered: 0, total: 0 };
    sum.covered += metrics.lines.covered;
    sum.total += metrics.lines.total;
    byPlugin.set(match[1], sum);
  }
  if (byPlugin.size === 0) {
    return ['coverage: no plugins/*/src file in the coverage summary'];
  }
  return [...byPlugin.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([plugin, { covered, total }]) => {
      const pct = total ? ((100 * covered) / total).toFixed(1) : '0.0';
      return `coverage ${plugin}: ${pct}% of ${total} lines`;
    });
}

function formatSeconds(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The time of each phase, as scripts/test recorded it. */
function phaseLines(resultsDir) {
  const file = path.join(resultsDir, 'phases.tsv');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(line => line.trim())
    .map(line => {
      const [seconds, ...name] = line.split('\t');
      return `time ${name.join('\t')}: ${formatSeconds(Number(seconds))}`;
    });
}

/** The slowest test files of every suite, so a slow addition shows. */
function slowestFileLines(resultsDir, suites, count = 10) {
  const files = [];
  for (const suite of suites) {
    let result;
    try {
      result = JSON.parse(
        fs.readFileSync(path.join(resultsDir, `${suite}.json`), 'utf8'),
      );
    } catch {
      continue;
    }
    for (const testFile of result.testResults ?? []) {
      if (!testFile.startTime || !testFile.endTime) continue;
      files.push({
        suite,
        name: path.relative(process.cwd(), testFile.name),
        seconds: (testFile.endTime - testFile.startTime) / 1000,
      });
    }
  }
  return files
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count)
    .map(
      (f, i) =>
        `slowest ${i + 1}: ${formatSeconds(f.seconds)} ${f.suite} ${f.name}`,
    );
}

/**
 * Returns the lines to print (the last is `N passed, N failed`) and the
 * totals. Pure apart from reading the results directory and test sources.
 */
function summarize(
  resultsDir,
  { suites = SUITES, allowedSkipsFile = ALLOWED_SKIPS_FILE } = {},
) {
  const problems = [];
  const lines = [];
  const checks = readChecks(resultsDir);
  let passed = checks.passed.length;
  let failed = checks.failed.length;
  let allowedSkips = [];
  try {
    allowedSkips = readAllowedSkips(allowedSkipsFile);
  } catch (error) {
    problems.push(`${path.basename(allowedSkipsFile)}: ${error.message}`);
    failed += 1;
  }
  if (checks.missing) {
    problems.push('checks.tsv missing: the shell checks were not recorded');
    failed += 1;
  }
  for (const name of checks.failed) problems.push(`check failed: ${name}`);
  lines.push(
    `shell checks: ${checks.passed.length} passed, ${checks.failed.length} failed`,
  );
  for (const suite of suites) {
    const { counts, line } = summarizeSuite(
      resultsDir,
      suite,
      allowedSkips,
      problems,
    );
    passed += counts.passed;
    failed += counts.failed + counts.notRun;
    lines.push(line);
  }
  lines.push(...coverageLines(resultsDir));
  lines.push(...phaseLines(resultsDir));
  lines.push(...slowestFileLines(resultsDir, suites));
  if (passed === 0 && failed === 0) {
    problems.push('nothing ran');
    failed += 1;
  }
  for (const problem of problems) lines.push(`FAILED ${problem}`);
  lines.push(`${passed} passed, ${failed} failed`);
  return { lines, passed, failed, problems };
}

module.exports = { summarize, countDeclaredTests, SUITES };

if (require.main === module) {
  const [resultsDir] = process.argv.slice(2);
  if (!resultsDir) {
    console.error('usage: summarize-results.js <results dir>');
    process.exit(2);
  }
  const summary = summarize(path.resolve(resultsDir));
  for (const line of summary.lines) console.log(line);
  process.exit(summary.failed > 0 ? 1 : 0);
}
