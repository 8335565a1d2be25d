import { launchBrowserServer, SHARED_BROWSER_ENV } from '../browser';
import { SampleDataSeeder } from '../sampleData/seed';
import { readStackEnv } from '../stack/stackEnv';
import { sharedState } from './sharedState';

/**
 * Runs once before the e2e files of one Jest run. The sample data is seeded
 * here, not by the files that read it: files run in parallel, and two seeds
 * at once would both run the templates. Every file then sees the same
 * cluster (the sample data's one deliberate failure included), whatever
 * order they run in.
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) =>
    process.stderr.write(
      `[e2e set-up ${new Date().toISOString().slice(11, 19)}] ${line}\n`,
    );
  const report = await new SampleDataSeeder(readStackEnv(), log).seed();
  log(`sample data ready in ${(report.totalMs / 1000).toFixed(1)} s`);
  const server = await launchBrowserServer();
  sharedState.browserServer = server;
  process.env[SHARED_BROWSER_ENV] = server.wsEndpoint();
}
