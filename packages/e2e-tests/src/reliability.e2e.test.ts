import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { EntityGitOpsStatus } from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

const run = promisify(execFile);
jest.setTimeout(180_000);

const OUTAGE_MS = 30_000;
const READERS = 50;
const STATUS_PATH =
  '/api/gitops/entities/component/default/example-website/status';

async function readStatus(): Promise<EntityGitOpsStatus> {
  const response = await callPortal(STATUS_PATH);
  if (response.status !== 200) {
    throw new Error(
      `status answered ${response.status}: ${await response.text()}`,
    );
  }
  return response.json();
}

const cluster = new TestCluster(readStackEnv());

describe('an API server outage under load', () => {
  let namespace: string;
  afterAll(async () => {
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
    // The outage lets the fake nodes' heartbeats lapse: leave the stack as
    // the other suites expect it, nodes Ready and Flux available.
    const env = readStackEnv();
    await waitFor(
      'nodes Ready and Flux Deployments Available after the outage',
      async () => {
        const nodes = await cluster.core.listNode();
        const flux = await cluster.apps.listNamespacedDeployment({
          namespace: env.FLUX_NAMESPACE,
        });
        const ready = (
          conditions?: Array<{ type: string; status: string }>,
          type = 'Ready',
        ) => conditions?.some(c => c.type === type && c.status === 'True');
        return nodes.items.every(n => ready(n.status?.conditions)) &&
          flux.items.every(d => ready(d.status?.conditions, 'Available'))
          ? true
          : undefined;
      },
      120_000,
    );
  });

  it('keeps answering, marks the cluster unreachable, and recovers', async () => {
    const component = repoPath('stack', 'component');
    const logFile = repoPath('test-results', 'portal.log');
    const logBefore = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;

    // An object of the entity, so there is a state to go stale.
    namespace = await cluster.createNamespace('e2e-outage');
    await cluster.apply({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {
        name: 'outage',
        namespace,
        labels: { 'backstage.io/kubernetes-id': 'example-website' },
      },
      spec: { url: 'http://127.0.0.1:1/none.git', interval: '1h' },
    } as any);
    const objectOf = (status: EntityGitOpsStatus) =>
      status.environments
        .flatMap(e => e.objects)
        .find(o => o.namespace === namespace);
    await waitFor('the object in the API', async () =>
      objectOf(await readStatus()) ? true : undefined,
    );

    let stop = false;
    const failures: string[] = [];
    let answers = 0;
    const readers = Array.from({ length: READERS }, async () => {
      while (!stop) {
        try {
          await readStatus();
          answers += 1;
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    });

    await run(component, ['stop', 'kube-apiserver']);
    const stoppedAt = Date.now();
    let restarted = false;
    try {
      const during = await waitFor('cluster marked unreachable', async () => {
        const status = await readStatus();
        return status.clusters[0].state === 'unreachable' ? status : undefined;
      });
      expect(during.clusters[0].error).toMatch(/ECONNREFUSED|unreachable/);
      expect(objectOf(during)).toMatchObject({
        state: 'Stale',
        message: expect.stringContaining('cluster unreachable'),
      });

      await new Promise(resolve =>
        setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))),
      );
      await run(component, ['start', 'kube-apiserver']);
      restarted = true;
      const back = Date.now();
      await waitFor(
        'cluster fresh again',
        async () =>
          (await readStatus()).clusters[0].state === 'ok' ? true : undefined,
        30_000,
      );
      const recoveryMs = Date.now() - back;
      // Recorded for the closing note; the target is 5 s.
      process.stdout.write(
        `recovered ${recoveryMs} ms after the API server was ready\n`,
      );
      expect(recoveryMs).toBeLessThanOrEqual(5_000);
    } finally {
      stop = true;
      await Promise.all(readers);
      if (!restarted) {
        await run(component, ['start', 'kube-apiserver']);
      }
    }

    expect(failures).toEqual([]);
    expect(answers).toBeGreaterThan(READERS);
    const log = fs.readFileSync(logFile, 'utf8').slice(logBefore);
    expect(log).not.toMatch(/unhandledRejection|uncaughtException/);
  });
});
