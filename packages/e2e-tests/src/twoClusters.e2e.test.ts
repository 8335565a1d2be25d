import { Browser, Page } from 'playwright-core';
import type {
  ClusterState,
  DeployRecord,
  EntityGitOpsStatus,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { callPortal, pollPortal } from './portal/portalApi';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { controlComponent } from './corpus/stackControl';
import { readSecondClusterEnv, readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const git = new TestGitServer(env);
/** The portal's cluster `local`: development lives here. */
const first = new TestCluster(env);
/** The portal's cluster `second`: production lives here. */
const second = new TestCluster(readSecondClusterEnv());

/** stack/component on the second cluster. */
const secondCluster = (action: 'start' | 'stop', component: string) =>
  controlComponent(action, component, 'second');

async function clusters(): Promise<Record<string, ClusterState>> {
  const response = await pollPortal('/api/gitops/clusters');
  expect(response.status).toBe(200);
  const { items }: { items: ClusterState[] } = await response.json();
  return Object.fromEntries(items.map(c => [c.name, c]));
}

describe('an entity whose environments live on two clusters', () => {
  let target: DeployTarget;
  let id: string;
  let entityPath: string;
  let namespaces: Record<string, string>;
  let firstSha: string;
  let browser: Browser;
  let page: Page;
  let apiServerStopped = false;

  async function status(): Promise<EntityGitOpsStatus> {
    const response = await pollPortal(`${entityPath}/status`);
    expect(response.status).toBe(200);
    return response.json();
  }

  /** A gitops-ui deploy of an image to one environment, until it ended. */
  async function deploy(
    environment: string,
    image: string,
  ): Promise<DeployRecord> {
    const response = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment,
        changes: { image },
        message: `${image} to ${environment}`,
      },
    });
    expect(response.status).toBe(201);
    const { deploy: created } = await response.json();
    return target.settled(created.id);
  }

  async function liveImage(cluster: TestCluster, environment: string) {
    const deployment = await cluster.read<any>(
      'apps/v1',
      'Deployment',
      namespaces[environment],
      'hello',
    );
    return deployment.spec.template.spec.containers[0].image;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    target = await newDeployTarget(
      'e2e-two',
      ['development', 'production'],
      {},
      environment => (environment === 'production' ? second : first),
    );
    ({ id, entityPath, namespaces } = target);
    [{ sha: firstSha }] = await git.log(target.repo);
  });

  afterAll(async () => {
    await browser?.close();
    if (apiServerStopped) {
      await secondCluster('start', 'kube-apiserver');
    }
    await target?.remove();
  });

  it('shows both environments, each with its cluster, on the tab, the GitOps page and the health page', async () => {
    const configured = await clusters();
    expect(configured.local).toMatchObject({
      state: 'ok',
      title: 'Local stack',
    });
    expect(configured.second).toMatchObject({
      state: 'ok',
      title: 'Second cluster',
    });

    const both = await waitFor(
      'both environments Ready at the first commit',
      async () => {
        const current = await status();
        return current.environments.length === 2 &&
          current.environments.every(
            e => e.state === 'Ready' && e.revision?.endsWith(firstSha),
          )
          ? current
          : undefined;
      },
      120_000,
    );
    const clusterOf = (environment: string) =>
      new Set(
        both.environments
          .find(e => e.name === environment)!
          .objects.map(o => o.cluster),
      );
    expect(clusterOf('development')).toEqual(new Set(['local']));
    expect(clusterOf('production')).toEqual(new Set(['second']));

    await signInAsGuest(page, `/catalog/default/component/${id}/gitops`);
    for (const [environment, title] of [
      ['development', 'Local stack'],
      ['production', 'Second cluster'],
    ]) {
      // The card's subheader names the cluster.
      await page
        .getByText(`Kustomization in ${namespaces[environment]} on ${title}`)
        .first()
        .waitFor({ timeout: 30_000 });
      await page
        .getByTestId(`environment-${environment}`)
        .getByText('Ready')
        .waitFor();
    }
    await saveScreenshot(page, 'two-clusters-tab');

    // The GitOps page counts and filters by cluster.
    await page.goto(new URL('/gitops', page.url()).toString());
    const secondCount = page.getByTestId('count-cluster-second');
    await secondCount.waitFor({ timeout: 30_000 });
    await page.getByTestId('count-cluster-local').waitFor();
    await secondCount.click();
    await page.getByText(namespaces.production).first().waitFor();
    expect(await page.getByText(namespaces.development).count()).toBe(0);

    // A health check of the second cluster alone; the page lists both.
    const checked = await callPortal('/api/gitops/health/run', {
      method: 'POST',
      body: { cluster: 'second' },
    });
    expect(checked.status).toBe(200);
    const [report]: HealthReport[] = (await checked.json()).items;
    expect(report.cluster).toBe('second');
    await page.goto(new URL('/gitops/health', page.url()).toString());
    await page.getByText('Cluster second').first().waitFor({ timeout: 30_000 });
    await page.getByText('Cluster local').first().waitFor();
  });

  it('deploys to the environment on the second cluster and tracks it there', async () => {
    const row = await deploy('production', 'nginx:1.28');
    expect(row).toMatchObject({
      status: 'succeeded',
      environment: 'production',
      cluster: 'second',
      method: 'gitops-ui',
    });
    expect(await liveImage(second, 'production')).toBe('nginx:1.28');
    expect(await liveImage(first, 'development')).toBe('nginx:1.27');
  });

  it('keeps reading and acting on one cluster while the other API server is stopped, and shows that one unreachable with its error', async () => {
    await secondCluster('stop', 'kube-apiserver');
    apiServerStopped = true;
    const down = await waitFor(
      'the second cluster unreachable',
      async () => {
        const current = await clusters();
        return current.second.state === 'unreachable' ? current : undefined;
      },
      60_000,
    );
    // What failed, without the request that found it out.
    const refused =
      /^cluster unreachable \(ECONNREFUSED\): connect ECONNREFUSED 127\.0\.0\.1:17443/;
    expect(down.second.error).toMatch(refused);
    expect(down.second.error).not.toMatch(/request to|resourceVersion/);
    expect(down.local.state).toBe('ok');

    const current = await status();
    const stateOf = (name: string) =>
      current.environments.find(e => e.name === name)?.state;
    expect(stateOf('development')).toBe('Ready');
    expect(stateOf('production')).toBe('Stale');

    // Actions on the reachable cluster work; on the stopped one they fail
    // with the cluster named, and change nothing.
    const objectPath = (cluster: string, environment: string) =>
      `${entityPath}/objects/${cluster}/Kustomization/${namespaces[environment]}/${environment}`;
    const reconciled = await callPortal(
      `${objectPath('local', 'development')}/reconcile`,
      { method: 'POST', body: {} },
    );
    expect(reconciled.status).toBe(200);
    const kustomization = await first.read<any>(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      namespaces.development,
      'development',
    );
    expect(
      kustomization.metadata.annotations['reconcile.fluxcd.io/requestedAt'],
    ).toBeTruthy();
    const onStopped = await callPortal(
      `${objectPath('second', 'production')}/reconcile`,
      { method: 'POST', body: {} },
    );
    expect(onStopped.status).toBe(503);
    expect((await onStopped.json()).error.message).toMatch(
      /^patching Kustomization \S+\/production on cluster second: cluster unreachable \(ECONNREFUSED\)/,
    );

    // A deploy to the reachable cluster goes out and is tracked.
    const row = await deploy('development', 'nginx:1.29');
    expect(row).toMatchObject({ status: 'succeeded', cluster: 'local' });
    expect(await liveImage(first, 'development')).toBe('nginx:1.29');

    // The health check of the stopped cluster says so.
    const checked = await callPortal('/api/gitops/health/run', {
      method: 'POST',
      body: { cluster: 'second' },
    });
    expect(checked.status).toBe(200);
    const [report]: HealthReport[] = (await checked.json()).items;
    expect(report.findings.map(f => f.code)).toContain('CLUSTER_UNREACHABLE');

    await page.goto(
      new URL(`/catalog/default/component/${id}/gitops`, page.url()).toString(),
    );
    // The warning names the cluster; expanded, it tells the error.
    const warning = page.getByText(
      'Cluster Second cluster cannot be read; its objects show their last known state',
    );
    await warning.waitFor({ timeout: 30_000 });
    await warning.click();
    await page.getByText(refused).first().waitFor();
    await page
      .getByTestId('environment-development')
      .getByText('Ready')
      .waitFor();
    await page
      .getByTestId('environment-production')
      .getByText('Stale')
      .waitFor();
    await saveScreenshot(page, 'two-clusters-one-stopped');

    await page.goto(new URL('/gitops', page.url()).toString());
    await page
      .getByText('Cluster Second cluster cannot be read')
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('count-cluster-local').waitFor();

    await secondCluster('start', 'kube-apiserver');
    apiServerStopped = false;
    await waitFor(
      'the second cluster readable again, production Ready',
      async () =>
        (await clusters()).second.state === 'ok' &&
        (await status()).environments.find(e => e.name === 'production')
          ?.state === 'Ready'
          ? true
          : undefined,
      120_000,
    );
  });
});
