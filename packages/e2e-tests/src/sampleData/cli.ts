/*
 * Seeds the sample data into a running portal on the local stack:
 *   node --require @backstage/cli/config/nodeTransform.cjs src/sampleData/cli.ts
 * (scripts/seed-sample-data does this). Exits non-zero when a step fails.
 */
import { readStackEnv } from '../stack/stackEnv';
import { SampleDataSeeder } from './seed';

const log = (line: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] sample data: ${line}\n`,
  );

new SampleDataSeeder(readStackEnv(), log)
  .seed()
  .then(report => {
    const done = report.steps.filter(s => s.outcome === 'done').length;
    log(
      `ready in ${(report.totalMs / 1000).toFixed(
        1,
      )} s (${done} step(s) done, ${report.steps.length - done} kept)`,
    );
  })
  .catch(error => {
    log(`failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  });
