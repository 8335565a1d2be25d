import type { DeployResult } from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);

/** How deploys end when Flux refuses them or never gets to them. */
describe('deploys Flux fails or never applies', () => {
  const targets: Array<DeployTarget> = [];
  afterAll(async () => {
    await Promise.all(targets.map(t => t.remove()));
  });

  async function firstDeployApplied(target: DeployTarget) {
    await waitFor(
      'the first revision applied',
      async () =>
        (await target.history()).some(d => d.status === 'succeeded') ||
        undefined,
      120_000,
    );
  }

  it("fails with Flux's reason when the health check fails", async () => {
    // Flux waits for the Deployment; a quota of one pod keeps 3 replicas
    // from ever becoming available.
    const target = await newDeployTarget('e2e-deploy-fail', ['development'], {
      wait: true,
      timeout: '15s',
    });
    targets.push(target);
    await firstDeployApplied(target);
    await cluster.core.createNamespacedResourceQuota({
      namespace: target.namespaces.development,
      body: {
        metadata: { name: 'one-pod' },
        spec: { hard: { pods: '1' } },
      },
    });
    const response = await callPortal(`${target.entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { replicas: 3 },
        message: 'three replicas, one allowed',
      },
    });
    expect(response.status).toBe(201);
    const { deploy }: DeployResult = await response.json();
    const ended = await target.settled(deploy.id);
    const kustomization = await cluster.read<any>(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      target.namespaces.development,
      'development',
    );
    const ready = kustomization.status.conditions.find(
      (c: { type: string }) => c.type === 'Ready',
    );
    expect(ready).toMatchObject({ status: 'False' });
    expect(ended).toMatchObject({
      status: 'failed',
      reason: ready.reason,
      message: ready.message,
    });
    expect(ended.reason).toMatch(/HealthCheckFailed/);
  });

  it('fails with Timeout when Flux does not apply it within gitops.deploys.timeoutMinutes', async () => {
    const target = await newDeployTarget('e2e-deploy-timeout', ['development']);
    targets.push(target);
    await firstDeployApplied(target);
    // A suspended Kustomization never applies the pushed commit.
    await cluster.mergePatch(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      target.namespaces.development,
      'development',
      { spec: { suspend: true } },
    );
    const response = await callPortal(`${target.entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { replicas: 2 },
        message: 'never applied',
      },
    });
    expect(response.status).toBe(201);
    const { deploy }: DeployResult = await response.json();
    // app-config.stack.yaml sets timeoutMinutes: 2.
    const ended = await target.settled(deploy.id);
    expect(ended).toMatchObject({
      status: 'failed',
      reason: 'Timeout',
      message: `Flux did not apply ${deploy.commitSha!.slice(
        0,
        7,
      )} within 2 minutes`,
    });
    const took = Date.parse(ended.finishedAt!) - Date.parse(deploy.createdAt);
    expect(took).toBeGreaterThanOrEqual(120_000);
  }, 420_000);
});
