import type {
  DeployRecord,
  EntityGitOpsStatus,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import {
  SAMPLE_SHOP,
  SAMPLE_WEB,
  SampleDataSeeder,
  SeedReport,
} from './sampleData/seed';
import { condition, FluxObject, TestCluster } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(600_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function status(id: string): Promise<EntityGitOpsStatus> {
  const response = await callPortal(
    `/api/gitops/entities/component/default/${id}/status`,
  );
  expect(response.status).toBe(200);
  return response.json();
}

async function history(id: string): Promise<DeployRecord[]> {
  const response = await callPortal(
    `/api/gitops/entities/component/default/${id}/deploys?limit=500`,
  );
  expect(response.status).toBe(200);
  return (await response.json()).items;
}

async function commitCount(repo: string): Promise<number> {
  const response = await fetch(
    `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${repo}/commits?sha=main&limit=1`,
    { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
  );
  expect(response.status).toBe(200);
  return Number(response.headers.get('x-total-count'));
}

/** What a second seed must leave as it was. */
async function snapshot() {
  const generations: Record<string, number | undefined> = {};
  for (const component of [SAMPLE_SHOP, SAMPLE_WEB]) {
    for (const environment of component.environments) {
      const namespace = `project-${component.id}-${environment}`;
      const workload = await cluster.read<FluxObject>(
        component.workloadApiVersion,
        component.workloadKind,
        namespace,
        `${component.id}-${environment}`,
      );
      generations[`${namespace}/${component.workloadKind}`] =
        workload.metadata?.generation;
      const secret = await cluster.core.readNamespacedSecret({
        name: `${component.id}-git-auth`,
        namespace,
      });
      generations[`${namespace}/Secret`] = Number(
        secret.metadata?.resourceVersion,
      );
    }
  }
  const deploys = (await history(SAMPLE_SHOP.id)).filter(
    // Flux may apply a new revision between two seeds; portal deploys no.
    d => d.method !== 'gitops-git',
  );
  return {
    generations,
    deploys: deploys.map(d => d.id).sort(),
    commits: {
      shop: await commitCount(SAMPLE_SHOP.id),
      web: await commitCount(SAMPLE_WEB.id),
    },
  };
}

describe('sample data (scripts/seed-sample-data)', () => {
  let first: SeedReport;

  beforeAll(async () => {
    first = await new SampleDataSeeder(env, log).seed();
    log(`first seed: ${(first.totalMs / 1000).toFixed(1)} s`);
  });

  it('makes the HelmRelease through project initialization, Ready with a chart from the local Git server', async () => {
    const namespace = `project-${SAMPLE_WEB.id}-development`;
    const release = await cluster.read<FluxObject & { status?: any }>(
      'helm.toolkit.fluxcd.io/v2',
      'HelmRelease',
      namespace,
      `${SAMPLE_WEB.id}-development`,
    );
    expect(condition(release, 'Ready')).toMatchObject({ status: 'True' });
    expect(release.spec?.chart?.spec).toMatchObject({
      chart: './chart',
      sourceRef: { kind: 'GitRepository', name: `${SAMPLE_WEB.id}-repo` },
    });
    expect(release.status?.history?.[0]).toMatchObject({
      chartName: SAMPLE_WEB.id,
      chartVersion: '0.1.0',
      status: 'deployed',
    });
    const source = await cluster.read<FluxObject>(
      'source.toolkit.fluxcd.io/v1',
      'GitRepository',
      namespace,
      `${SAMPLE_WEB.id}-repo`,
    );
    // The local Gitea, over its SSH server with a read-only deploy key.
    expect(source.spec?.url).toBe(
      `${env.GITEA_SSH_URL}/${env.GITEA_ORG}/${SAMPLE_WEB.id}.git`,
    );
    // What the chart templates: the Deployment, installed by helm-controller.
    const deployment = await cluster.apps.readNamespacedDeployment({
      name: SAMPLE_WEB.id,
      namespace,
    });
    expect(deployment.metadata?.labels).toMatchObject({
      'helm.toolkit.fluxcd.io/name': `${SAMPLE_WEB.id}-development`,
    });
    expect(deployment.spec?.template.spec?.containers[0].image).toBe(
      'nginx:1.27',
    );
  });

  it('gives sample-shop three environments in promotion order: a dependsOn chain and a suspended production', async () => {
    const shop = await status(SAMPLE_SHOP.id);
    const byName = Object.fromEntries(shop.environments.map(e => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(
      ['development', 'production', 'staging'].sort(),
    );
    expect(byName.development.state).toBe('Ready');
    expect(byName.staging.state).toBe('Ready');
    expect(byName.production.state).toBe('Suspended');
    const workload = (environment: string) =>
      byName[environment].objects.find(o => o.kind === 'Kustomization')!;
    expect(workload('staging').dependsOn).toEqual([
      expect.objectContaining({
        name: `${SAMPLE_SHOP.id}-development`,
        state: 'Ready',
      }),
    ]);
    expect(workload('production').dependsOn).toEqual([
      expect.objectContaining({ name: `${SAMPLE_SHOP.id}-staging` }),
    ]);
    expect(workload('production').suspended).toBe(true);
  });

  it('gives sample-shop a deploy history with every method', async () => {
    const items = await history(SAMPLE_SHOP.id);
    const methods = new Set(items.map(d => d.method));
    expect([...methods].sort()).toEqual(
      ['gitops-git', 'gitops-ui', 'manual', 'pipeline'].sort(),
    );
    expect(items.find(d => d.method === 'gitops-ui')).toMatchObject({
      environment: 'development',
      status: 'succeeded',
    });
    expect(items.find(d => d.method === 'pipeline')).toMatchObject({
      environment: 'staging',
      status: 'succeeded',
      triggeredBy: 'pipeline:sample-ci',
    });
  });

  it('gives sample-web a HelmRelease per environment and a staging that fails on its Git credential, which the health page explains and can repair', async () => {
    const web = await status(SAMPLE_WEB.id);
    const staging = web.environments.find(e => e.name === 'staging')!;
    expect(
      web.environments
        .flatMap(e => e.objects)
        .filter(o => o.kind === 'HelmRelease'),
    ).toHaveLength(2);
    const source = staging.objects.find(o => o.kind === 'GitRepository')!;
    expect(source).toMatchObject({ state: 'Failed', ready: 'False' });
    expect(source.message).toMatch(/auth/i);

    const response = await callPortal('/api/gitops/health');
    const reports: HealthReport[] = (await response.json()).items;
    const findings = reports.flatMap(r => r.findings);
    // The sync check may report the same object without a repair; the Git
    // check's finding carries it.
    const finding = findings.find(
      f =>
        f.code === 'GIT_AUTH_FAILED' &&
        f.object?.namespace === `project-${SAMPLE_WEB.id}-staging` &&
        f.repair,
    );
    expect(finding).toMatchObject({
      kubernetesId: SAMPLE_WEB.id,
      object: { kind: 'GitRepository', name: `${SAMPLE_WEB.id}-repo` },
      repair: { type: 'refresh-git-credentials' },
    });
    const plan = await callPortal('/api/gitops/health/repairs/plan', {
      method: 'POST',
      body: {
        cluster: finding!.cluster,
        type: 'refresh-git-credentials',
        target: finding!.repair!.target,
      },
    });
    expect(plan.status).toBe(200);
    expect((await plan.json()).steps.length).toBeGreaterThan(0);
  });

  it('changes nothing when seeded again', async () => {
    const before = await snapshot();
    const second = await new SampleDataSeeder(env, log).seed();
    log(`second seed: ${(second.totalMs / 1000).toFixed(1)} s`);
    expect(
      second.steps.filter(s => s.outcome === 'done').map(s => s.step),
    ).toEqual(['health check run']);
    expect(await snapshot()).toEqual(before);
  });
});
