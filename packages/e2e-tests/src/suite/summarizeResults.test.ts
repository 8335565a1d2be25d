import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The summary scripts/test prints: plain Node in scripts/lib, outside any
// package, so it is loaded by path.
const scriptsLib = path.resolve(__dirname, '../../../../scripts/lib');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize, SUITES } = require(path.join(
  scriptsLib,
  'summarize-results.js',
));

type Status = 'passed' | 'failed' | 'pending' | 'todo' | 'disabled';

/** One test file as Jest's --json writes it (only the fields read). */
function testFile(
  name: string,
  tests: Array<[string, Status]>,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    status: tests.some(([, s]) => s === 'failed') ? 'failed' : 'passed',
    message: '',
    assertionResults: tests.map(([title, status]) => ({
      ancestorTitles: ['suite'],
      fullName: `suite ${title}`,
      title,
      status,
      failureMessages: status === 'failed' ? ['expected true'] : [],
    })),
    ...extra,
  };
}

function jestResult(files: Array<Record<string, unknown>>) {
  return { numPassedTests: 0, numFailedTests: 0, testResults: files };
}

/** Two shell checks and one green test per suite. */
const ALL_GREEN = 2 + (SUITES as string[]).length;

describe('summarize-results', () => {
  let dir: string;
  const green = (suite: string) =>
    jestResult([testFile(`/repo/${suite}.test.ts`, [['works', 'passed']])]);

  /** Writes a results directory: every suite green unless overridden. */
  function write(
    overrides: Record<string, unknown> = {},
    exits: Record<string, string | undefined> = {},
    checks = 'passed\ttype check\npassed\tlint\n',
  ) {
    if (checks !== undefined) fs.writeFileSync(`${dir}/checks.tsv`, checks);
    for (const suite of SUITES as string[]) {
      const result = suite in overrides ? overrides[suite] : green(suite);
      if (result !== undefined) {
        fs.writeFileSync(`${dir}/${suite}.json`, JSON.stringify(result));
      }
      const exit = suite in exits ? exits[suite] : '0';
      if (exit !== undefined) fs.writeFileSync(`${dir}/${suite}.exit`, exit);
    }
  }
  /** Summarizes `dir` with this allow-list of skipped tests. */
  const run = (allowedSkips: unknown = []) => {
    const allowedSkipsFile = path.join(dir, 'allowed-skips.json');
    fs.writeFileSync(allowedSkipsFile, JSON.stringify(allowedSkips));
    return summarize(dir, { allowedSkipsFile });
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ends with `N passed, N failed` after what each count is made of', () => {
    write();
    const summary = run();
    expect(summary.failed).toBe(0);
    expect(summary.passed).toBe(ALL_GREEN);
    expect(summary.lines.at(-1)).toBe(`${ALL_GREEN} passed, 0 failed`);
    expect(summary.lines).toContain('shell checks: 2 passed, 0 failed');
    expect(summary.lines).toContain(
      'e2e: 1 passed, 0 failed tests + 0 failures for what did not run; 0 skipped, 0 todo; 1 files, Jest exit 0',
    );
    // The shell checks, a line per suite, the total.
    expect(
      summary.lines.filter((l: string) => / passed, /.test(l)),
    ).toHaveLength(2 + (SUITES as string[]).length);
  });

  it('fails when a suite file is missing', () => {
    write({ reliability: undefined });
    const summary = run();
    expect(summary.failed).toBe(1);
    expect(summary.problems).toEqual([
      'reliability: reliability.json missing (the Jest process did not write it)',
    ]);
    expect(summary.lines.at(-1)).toBe(`${ALL_GREEN - 1} passed, 1 failed`);
  });

  it('fails when a suite file is not Jest output', () => {
    write({ unit: { hello: 1 } });
    expect(run().problems[0]).toMatch(/^unit: unit.json unreadable/);
  });

  it('fails a test file with zero tests, and a suite with no test file', () => {
    write({
      unit: jestResult([
        testFile('/repo/a.test.ts', [['works', 'passed']]),
        testFile('/repo/empty.test.ts', []),
      ]),
      e2e: jestResult([]),
    });
    const summary = run();
    expect(summary.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^unit: .*empty\.test\.ts has no tests$/),
        'e2e: no test file ran',
      ]),
    );
    expect(summary.failed).toBe(2);
  });

  it('counts, prints and fails skipped and todo tests unless allowed with a reason', () => {
    write({
      unit: jestResult([
        testFile('/repo/a.test.ts', [
          ['works', 'passed'],
          ['later', 'pending'],
          ['someday', 'todo'],
        ]),
      ]),
    });
    const summary = run();
    expect(summary.failed).toBe(2);
    expect(summary.lines).toContain(
      'unit: 1 passed, 0 failed tests + 2 failures for what did not run; 1 skipped, 1 todo; 1 files, Jest exit 0',
    );
    expect(summary.problems).toEqual([
      expect.stringContaining('pending test "suite later"'),
      expect.stringContaining('todo test "suite someday"'),
    ]);

    const allowed = run([
      { test: 'suite later', reason: 'needs a second cluster' },
    ]);
    expect(allowed.failed).toBe(1);
    expect(allowed.lines).toContain(
      'unit: 1 passed, 0 failed tests + 1 failures for what did not run; 1 skipped, 1 todo; 1 files, Jest exit 0',
    );
  });

  it('refuses an allow-list entry without a reason', () => {
    write();
    const summary = run([{ test: 'suite later' }]);
    expect(summary.problems).toEqual([
      'allowed-skips.json: every entry needs a "test" (full name) and a "reason"',
    ]);
    expect(summary.failed).toBe(1);
  });

  it('reads the committed allow-list, which allows nothing', () => {
    write();
    expect(summarize(dir).failed).toBe(0);
    expect(
      JSON.parse(
        fs.readFileSync(path.join(scriptsLib, 'allowed-skips.json'), 'utf8'),
      ),
    ).toEqual([]);
  });

  it('counts a crashed test file as every test it declares, and names it', () => {
    const source = path.join(dir, 'crashing.test.ts');
    fs.writeFileSync(
      source,
      "it('one', () => {});\nit('two', () => {});\ntest.each([1, 2])('three %s', () => {});\n",
    );
    write(
      {
        e2e: jestResult([
          testFile('/repo/a.e2e.test.ts', [['works', 'passed']]),
          {
            ...testFile(source, []),
            status: 'failed',
            // As Jest writes it: no test results, only the message.
            message:
              "  ● Test suite failed to run\n\n    Cannot find module './gone' from 'crashing.test.ts'",
          },
        ]),
      },
      { e2e: '1' },
    );
    const summary = run();
    expect(summary.failed).toBe(3);
    expect(summary.problems).toEqual([
      expect.stringMatching(
        /^e2e: .*crashing\.test\.ts crashed, counted as 3 failed \(3 declared\): Cannot find module '\.\/gone' from 'crashing\.test\.ts'$/,
      ),
    ]);
  });

  it('counts a file that failed outside any test (an afterAll hook) as at least one failure', () => {
    write(
      {
        e2e: jestResult([
          {
            ...testFile('/repo/gone.e2e.test.ts', [['works', 'passed']]),
            status: 'failed',
            message: 'afterAll: restore failed',
          },
        ]),
      },
      { e2e: '1' },
    );
    const summary = run();
    expect(summary.failed).toBe(1);
    expect(summary.problems[0]).toMatch(
      /gone\.e2e\.test\.ts crashed after 1 test\(s\), counted as 1 failed: afterAll: restore failed/,
    );
  });

  it('fails a Jest process that exited non-zero with no failing test, or whose exit code is unknown', () => {
    write({}, { restart: '1', reliability: undefined });
    const summary = run();
    expect(summary.problems).toEqual([
      'restart: Jest exited with 1 although no test failed',
      'reliability: the Jest exit code was not recorded',
    ]);
    expect(summary.lines.at(-1)).toBe(`${ALL_GREEN} passed, 2 failed`);
  });

  it('does not count a non-zero exit twice when a test failed', () => {
    write(
      { unit: jestResult([testFile('/repo/a.test.ts', [['x', 'failed']])]) },
      { unit: '1' },
    );
    const summary = run();
    expect(summary.lines.at(-1)).toBe(`${ALL_GREEN - 1} passed, 1 failed`);
    expect(summary.problems).toEqual([
      expect.stringMatching(/^unit: failed test "suite x" in .*a\.test\.ts$/),
    ]);
  });

  it('fails failed shell checks such as set-up steps, and missing check records', () => {
    write({}, {}, 'failed\tset-up: chromium\npassed\tlint\n');
    const summary = run();
    expect(summary.problems).toEqual(['check failed: set-up: chromium']);
    expect(summary.lines.at(-1)).toBe(`${ALL_GREEN - 1} passed, 1 failed`);

    fs.rmSync(`${dir}/checks.tsv`);
    expect(run().problems[0]).toMatch(/^checks.tsv missing/);
  });

  it('prints the line coverage of each plugin package without failing on it', () => {
    write();
    fs.mkdirSync(`${dir}/coverage`);
    const lines = (covered: number, total: number) => ({
      lines: { covered, total, pct: 0 },
    });
    fs.writeFileSync(
      `${dir}/coverage/coverage-summary.json`,
      JSON.stringify({
        total: lines(9, 40),
        '/repo/plugins/gitops-backend/src/a.ts': lines(1, 10),
        '/repo/plugins/gitops-backend/src/b/c.ts': lines(2, 10),
        '/repo/plugins/gitops-common/src/d.ts': lines(6, 10),
        '/repo/packages/app/src/App.tsx': lines(0, 10),
      }),
    );
    const summary = run();
    expect(summary.failed).toBe(0);
    expect(
      summary.lines.filter((l: string) => l.startsWith('coverage')),
    ).toEqual([
      'coverage plugins/gitops-backend: 15.0% of 20 lines',
      'coverage plugins/gitops-common: 60.0% of 10 lines',
    ]);
  });

  it('prints the time of each phase and the ten slowest test files, before the last line', () => {
    write({
      e2e: jestResult(
        Array.from({ length: 12 }, (_, i) =>
          testFile(`/repo/f${i}.e2e.test.ts`, [['works', 'passed']], {
            startTime: 1_000,
            endTime: 1_000 + (i + 1) * 10_000,
          }),
        ),
      ),
    });
    fs.writeFileSync(`${dir}/phases.tsv`, '95\ttype check\n3001\twhole run\n');
    const summary = run();
    expect(summary.failed).toBe(0);
    expect(summary.lines).toContain('time type check: 1m35s');
    expect(summary.lines).toContain('time whole run: 50m01s');
    const slowest = summary.lines.filter((l: string) =>
      l.startsWith('slowest'),
    );
    expect(slowest).toHaveLength(10);
    expect(slowest[0]).toMatch(/^slowest 1: 2m00s e2e .*f11\.e2e\.test\.ts$/);
    expect(slowest[9]).toMatch(/^slowest 10: 0m30s e2e .*f2\.e2e\.test\.ts$/);
    expect(summary.lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });
});
