import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { runHealthCheck } from './portal/healthApi';
import { callPortal } from './portal/portalApi';
import {
  SAMPLE_SHOP,
  SAMPLE_WEB,
  SampleDataSeeder,
  SeedReport,
} from './sampleData/seed';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(600_000);

// scripts/test runs this on a portal started on a new, empty database over
// the stack the e2e suite seeded: what scripts/start meets when the stack
// kept the sample data and the portal's database did not.
describe('scripts/start after the suite seeded the stack with another database', () => {
  let report: SeedReport;

  beforeAll(async () => {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    report = await new SampleDataSeeder(readStackEnv(), log).seed();
  });

  it('adopts both sample components instead of refusing', () => {
    expect(
      report.steps
        .filter(s => s.step === 'template')
        .map(s => [s.component, s.outcome]),
    ).toEqual(
      expect.arrayContaining([
        [SAMPLE_SHOP.id, 'adopted'],
        [SAMPLE_WEB.id, 'adopted'],
      ]),
    );
  });

  it('shows the sample entities with their deploy history of every method', async () => {
    for (const { id } of [SAMPLE_SHOP, SAMPLE_WEB]) {
      const entity = await callPortal(
        `/api/catalog/entities/by-name/component/default/${id}`,
      );
      expect(entity.status).toBe(200);
      const status = await callPortal(
        `/api/gitops/entities/component/default/${id}/status`,
      );
      expect(status.status).toBe(200);
    }
    const history = await callPortal(
      `/api/gitops/entities/component/default/${SAMPLE_SHOP.id}/deploys?limit=500`,
    );
    const methods = new Set(
      ((await history.json()).items as DeployRecord[]).map(d => d.method),
    );
    expect([...methods].sort()).toEqual(
      ['gitops-git', 'gitops-ui', 'manual', 'pipeline'].sort(),
    );
  });

  it("reports none of the sample components' objects as zombies", async () => {
    const sampleNamespaces = [SAMPLE_SHOP, SAMPLE_WEB].flatMap(c =>
      c.environments.map(e => `project-${c.id}-${e}`),
    );
    const health = await runHealthCheck();
    const zombies = health.findings.filter(
      f =>
        f.code === 'ZOMBIE_RESOURCE' &&
        sampleNamespaces.includes(f.object?.namespace ?? ''),
    );
    expect(zombies).toEqual([]);
  });
});
