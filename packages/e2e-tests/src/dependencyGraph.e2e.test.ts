import { Browser, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { PROJECT_INITIALIZATION } from './stack/fluxPair';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';

/**
 * The dependsOn graph on real Flux objects: a promotion chain across three
 * environments, a cycle and a dependency that does not exist, on the
 * entity's tab and on the GitOps page, updated live when the cycle is
 * broken.
 */
describe('the dependsOn graph', () => {
  let target: DeployTarget;
  let browser: Browser;
  let page: Page;

  // Beside the entity's environments, in development's namespace, reading
  // its repository: Kustomizations that wait for each other or for nothing
  // that exists.
  const waiting = (name: string, dependsOn: string[]) => ({
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: {
      name,
      namespace: target.namespaces.development,
      labels: {
        'backstage.io/kubernetes-id': target.id,
        'gitops.backstage.io/environment': 'loops',
      },
      annotations: {
        'gitops.backstage.io/entity-ref': `component:default/${target.id}`,
      },
    },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'development' },
      path: './development',
      prune: true,
      interval: '1h',
      targetNamespace: target.namespaces.development,
      namePrefix: `${name}-`,
      dependsOn: dependsOn.map(d => ({ name: d })),
    },
  });

  beforeAll(async () => {
    target = await newDeployTarget('e2e-graph', [
      'development',
      'staging',
      'production',
    ]);
    for (const [environment, before] of [
      ['staging', 'development'],
      ['production', 'staging'],
    ]) {
      await cluster.mergePatch(
        KUSTOMIZE_API,
        'Kustomization',
        target.namespaces[environment],
        environment,
        {
          spec: {
            dependsOn: [{ name: before, namespace: target.namespaces[before] }],
          },
        },
      );
    }
    for (const object of [
      waiting('loop-a', ['loop-b']),
      waiting('loop-b', ['loop-a']),
      waiting('waits-for-gone', ['gone']),
    ]) {
      await cluster.apply(object as any, PROJECT_INITIALIZATION);
    }
    await target.appliedEverywhere();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await target?.remove();
  });

  const node = (environment: string, name: string) =>
    page.getByTestId(
      `dependency-node-Kustomization-${target.namespaces[environment]}-${name}`,
    );

  it('shows the promotion chain, the cycle and the missing object on the entity’s tab, live', async () => {
    try {
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
      );
      const graph = page.getByTestId('dependency-graph');
      await graph.waitFor({ timeout: 60_000 });
      // Each node says its state in words; the chain is applied in order.
      for (const environment of ['development', 'staging', 'production']) {
        await waitFor(
          `${environment} Ready in the graph`,
          async () =>
            (
              await node(environment, environment).textContent()
            )?.includes('Ready')
              ? true
              : undefined,
          90_000,
        );
      }
      await graph
        .getByText('Error: dependsOn cycle: loop-a → loop-b → loop-a')
        .waitFor();
      await graph
        .getByText(
          `Error: Kustomization ${target.namespaces.development}/gone does not exist on cluster local`,
        )
        .waitFor();
      expect(await node('development', 'loop-a').textContent()).toContain(
        'in a cycle',
      );
      expect(await node('development', 'gone').textContent()).toContain(
        'missing',
      );
      // development → staging → production, loop-a ⇄ loop-b, gone → waits-for-gone.
      expect(await graph.getByTestId('edge').count()).toBe(5);
      // Drawn, not only in the DOM: visible once the layout has settled.
      await node('production', 'production').waitFor({ state: 'visible' });
      await saveScreenshot(page, 'dependency-graph-tab');

      // A node opens its object's events.
      await node('staging', 'staging').click();
      await page
        .getByRole('heading', {
          name: `Events of Kustomization ${target.namespaces.staging}/staging`,
        })
        .waitFor();
      await page.keyboard.press('Escape');

      // Breaking the cycle outside the portal reaches the open page.
      await cluster.mergePatch(
        KUSTOMIZE_API,
        'Kustomization',
        target.namespaces.development,
        'loop-b',
        { spec: { dependsOn: null } },
      );
      await graph
        .getByText('Error: dependsOn cycle: loop-a → loop-b → loop-a')
        .waitFor({ state: 'detached', timeout: 15_000 });
      expect(await graph.getByTestId('edge').count()).toBe(4);
    } catch (error) {
      await saveScreenshot(page, 'dependency-graph-tab-failure');
      throw error;
    }
  });

  it('draws the cluster’s graph on the GitOps page, and a node opens its object', async () => {
    try {
      const origin = new URL(page.url()).origin;
      // Filtered to production's namespace: its chain whole, nothing else.
      await page.goto(
        `${origin}/gitops/dependencies?namespace=${target.namespaces.production}`,
      );
      const production = node('production', 'production');
      await production.waitFor({ state: 'visible', timeout: 60_000 });
      await node('development', 'development').waitFor();
      expect(await node('development', 'loop-a').count()).toBe(0);

      await page.goto(`${origin}/gitops/dependencies`);
      await node('development', 'loop-a').waitFor({ timeout: 60_000 });
      await production.waitFor({ state: 'visible', timeout: 60_000 });
      await saveScreenshot(page, 'dependency-graph-page');
      await production.click();
      await page.waitForURL(/\/gitops\?/);
      const query = new URL(page.url()).searchParams;
      expect(Object.fromEntries(query)).toEqual({
        cluster: 'local',
        kind: 'Kustomization',
        namespace: target.namespaces.production,
        q: 'production',
      });
      await page
        .getByRole('row')
        .filter({ hasText: target.namespaces.production })
        .first()
        .waitFor();
    } catch (error) {
      await saveScreenshot(page, 'dependency-graph-page-failure');
      throw error;
    }
  });
});
