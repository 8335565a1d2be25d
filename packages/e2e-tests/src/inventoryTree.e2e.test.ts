import { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { callPortal } from './portal/portalApi';
import { PROJECT_INITIALIZATION } from './stack/fluxPair';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';

/**
 * What a Kustomization applied, three levels deep on the real stack:
 * tree-root applies the Kustomization tree-level2, which applies a
 * ConfigMap and the Kustomization tree-level3, which applies a Deployment
 * and a ConfigMap.
 */
describe('the inventory tree', () => {
  let target: DeployTarget;
  let browser: Browser;
  let page: Page;
  let namespace: string;

  const fluxKustomization = (name: string, path: string) => ({
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: { name, namespace },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'development' },
      path,
      prune: true,
      interval: '1h',
      targetNamespace: namespace,
    },
  });
  const configMap = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { level: name },
  });
  const kustomizationFile = (resources: string[]) =>
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources,
    });

  beforeAll(async () => {
    target = await newDeployTarget('e2e-tree', ['development']);
    namespace = target.namespaces.development;
    await git.commit(
      target.repo,
      {
        'tree/root/kustomization.yaml': kustomizationFile(['level2.yaml']),
        'tree/root/level2.yaml': stringify(
          fluxKustomization('tree-level2', './tree/level2'),
        ),
        'tree/level2/kustomization.yaml': kustomizationFile([
          'level3.yaml',
          'settings.yaml',
        ]),
        'tree/level2/level3.yaml': stringify(
          fluxKustomization('tree-level3', './tree/level3'),
        ),
        'tree/level2/settings.yaml': stringify(configMap('level2-settings')),
        'tree/level3/kustomization.yaml': kustomizationFile([
          'leaf.yaml',
          'settings.yaml',
        ]),
        'tree/level3/settings.yaml': stringify(configMap('leaf-settings')),
        'tree/level3/leaf.yaml': stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'leaf' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'leaf' } },
            template: {
              metadata: { labels: { app: 'leaf' } },
              spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
            },
          },
        }),
      },
      'tree: three levels of Kustomizations',
    );
    await cluster.requestReconcile(namespace, 'development');
    await cluster.apply(
      {
        ...fluxKustomization('tree-root', './tree/root'),
        metadata: {
          name: 'tree-root',
          namespace,
          labels: {
            'backstage.io/kubernetes-id': target.id,
            'gitops.backstage.io/environment': 'tree',
          },
          annotations: {
            'gitops.backstage.io/entity-ref': `component:default/${target.id}`,
          },
        },
      } as any,
      PROJECT_INITIALIZATION,
    );
    await cluster.waitForReady(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'tree-level3',
      'True',
      120_000,
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await target?.remove();
  });

  const inventoryPath = (kind: string, name: string) =>
    `${target.entityPath}/objects/local/${kind}/${namespace}/${name}/inventory`;

  it('answers the nested tree from the caches, and refuses a kind without an inventory', async () => {
    const tree = await waitFor(
      'the leaf Deployment Healthy in the tree',
      async () => {
        const response = await callPortal(
          inventoryPath('Kustomization', 'tree-root'),
        );
        if (response.status !== 200) {
          throw new Error(`${response.status}: ${await response.text()}`);
        }
        const body = await response.json();
        const level2 = body.root.children?.[0]?.items?.[0];
        const level3 = level2?.children?.find(
          (g: any) => g.kind === 'Kustomization',
        )?.items?.[0];
        const leaf = level3?.children?.find((g: any) => g.kind === 'Deployment')
          ?.items?.[0];
        return leaf?.health === 'Healthy' ? body : undefined;
      },
      120_000,
    );
    expect(tree.total).toBe(5);
    expect(tree.root).toMatchObject({
      kind: 'Kustomization',
      name: 'tree-root',
      state: 'Ready',
    });
    const level2 = tree.root.children[0].items[0];
    expect(level2).toMatchObject({
      kind: 'Kustomization',
      name: 'tree-level2',
      namespace,
      state: 'Ready',
    });
    expect(level2.children.map((g: any) => g.kind)).toEqual([
      'ConfigMap',
      'Kustomization',
    ]);

    const refused = await callPortal(
      inventoryPath('GitRepository', 'development'),
    );
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/^objectKind: /);
  });

  it('shows the tree on the tab, with search and a kind filter', async () => {
    try {
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
      );
      await page
        .getByRole('row')
        .filter({ hasText: 'tree-root' })
        .getByRole('button', { name: 'Inventory' })
        .click();
      const tree = page.getByTestId('inventory-tree');
      const level2 = tree.getByTestId(
        'inventory-item-Kustomization-tree-level2',
      );
      const level3 = level2.getByTestId(
        'inventory-item-Kustomization-tree-level3',
      );
      const leaf = level3.getByTestId('inventory-item-Deployment-leaf');
      await leaf.getByText('Healthy 1/1').waitFor({ timeout: 30_000 });
      await level2
        .getByTestId('inventory-item-ConfigMap-level2-settings')
        .waitFor();
      await expectText(page, '5 objects');
      await saveScreenshot(page, 'inventory-tree');

      // Search keeps the match and the objects above it.
      await page.getByLabel('Search by name').fill('leaf');
      await leaf.waitFor();
      await tree
        .getByTestId('inventory-item-ConfigMap-level2-settings')
        .waitFor({ state: 'detached' });
      await page.getByLabel('Search by name').fill('');

      await page
        .getByRole('dialog')
        .locator('[aria-haspopup="listbox"]')
        .first()
        .click();
      await page.getByRole('option', { name: 'ConfigMap' }).click();
      await level3
        .getByTestId('inventory-item-ConfigMap-leaf-settings')
        .waitFor();
      await level2
        .getByTestId('inventory-item-ConfigMap-level2-settings')
        .waitFor();
      await leaf.waitFor({ state: 'detached' });

      // A workload links to the entity's tab of Backstage's Kubernetes
      // plugin, which the app installs.
      await page
        .getByRole('dialog')
        .locator('[aria-haspopup="listbox"]')
        .first()
        .click();
      await page.getByRole('option', { name: 'All kinds' }).click();
      const kubernetesTab = `/catalog/default/component/${target.id}/kubernetes`;
      const link = leaf.getByRole('link', {
        name: 'Deployment leaf in the Kubernetes tab',
      });
      expect(await link.getAttribute('href')).toBe(kubernetesTab);
      expect(
        await level2
          .getByTestId('inventory-item-ConfigMap-level2-settings')
          .getByRole('link')
          .count(),
      ).toBe(0);
      await link.click();
      await page.waitForURL(url => url.pathname === kubernetesTab);
      // The Kubernetes plugin's own content, not the app's "not found".
      await page
        .getByText(
          /^(Your Clusters|No Kubernetes resources|Permission required)$/,
        )
        .first()
        .waitFor();
      await saveScreenshot(page, 'inventory-kubernetes-tab');
    } catch (error) {
      await saveScreenshot(page, 'inventory-tree-failure');
      throw error;
    }
  });
});

async function expectText(page: Page, text: string) {
  await page.getByText(text, { exact: true }).first().waitFor();
}
