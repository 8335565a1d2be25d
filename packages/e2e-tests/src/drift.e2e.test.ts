import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { backendUrl, callPortal } from './portal/portalApi';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(300_000);

const run = promisify(execFile);
const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/**
 * Drift on the real stack: a `kubectl scale`, a `kubectl set env` and a
 * deleted ConfigMap of a Kustomization's inventory, seen live on the open
 * tab, then Sync.
 */
describe('drift', () => {
  let target: DeployTarget;
  let browser: Browser;
  let page: Page;
  let namespace: string;

  const kubectl = (...args: string[]) =>
    run(repoPath('stack/kubectl'), ['-n', namespace, ...args]);
  const driftPath = (kind = 'Kustomization', name = 'development') =>
    `${target.entityPath}/objects/local/${kind}/${namespace}/${name}/drift`;
  const readDrift = async () => {
    const response = await callPortal(driftPath());
    if (response.status !== 200) {
      throw new Error(`${response.status}: ${await response.text()}`);
    }
    return response.json();
  };
  const configMapExists = async () =>
    cluster.core
      .readNamespacedConfigMap({ namespace, name: 'drift-settings' })
      .then(
        () => true,
        () => false,
      );

  beforeAll(async () => {
    target = await newDeployTarget('e2e-drift', ['development']);
    namespace = target.namespaces.development;
    await git.commit(
      target.repo,
      {
        'development/kustomization.yaml': stringify({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['deployment.yaml', 'settings.yaml'],
        }),
        'development/settings.yaml': stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'drift-settings' },
          data: { mode: 'quiet' },
        }),
      },
      'settings: a ConfigMap beside the Deployment',
    );
    await cluster.requestReconcile(namespace, 'development');
    await waitFor('the ConfigMap applied', configMapExists, 120_000);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await target?.remove();
  });

  it('shows kubectl changes and a deleted object on the open tab, and Sync undoes them', async () => {
    try {
      expect((await readDrift()).objects).toEqual([]);
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
      );
      const card = page.getByTestId('environment-development');
      await card.getByRole('button', { name: 'none' }).waitFor();

      await kubectl('delete', 'configmap', 'drift-settings');
      await kubectl('scale', 'deployment/hello', '--replicas=3');
      await kubectl('set', 'env', 'deployment/hello', 'MODE=debug');

      // No reload: the Deployment's change signals the entity.
      const count = card.getByTestId('drift-count');
      await count
        .filter({ hasText: '1 object changed, 1 missing' })
        .waitFor({ timeout: 30_000 });

      const report = await readDrift();
      // In the inventory's order (by id: namespace_name_group_kind).
      expect(report.objects).toEqual([
        expect.objectContaining({
          kind: 'ConfigMap',
          name: 'drift-settings',
          drift: 'missing',
        }),
        expect.objectContaining({
          kind: 'Deployment',
          name: 'hello',
          drift: 'changed',
          fields: expect.arrayContaining([
            expect.objectContaining({
              path: 'spec.replicas',
              manager: 'kubectl',
              subresource: 'scale',
              live: '3',
            }),
            expect.objectContaining({
              path: expect.stringMatching(
                /^spec\.template\.spec\.containers\[name=app\]\.env/,
              ),
              manager: 'kubectl-set',
              operation: 'Update',
              live: expect.stringContaining('debug'),
            }),
          ]),
        }),
      ]);

      await count.click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('drift-Deployment-hello').waitFor();
      await dialog
        .getByText('kubectl (Update of scale)', { exact: true })
        .waitFor();
      await dialog
        .getByTestId('drift-ConfigMap-drift-settings')
        .getByText('missing from the cluster', { exact: false })
        .waitFor();
      await saveScreenshot(page, 'drift');

      await dialog.getByRole('button', { name: 'Sync' }).click();
      await page
        .getByRole('dialog', { name: /^Sync Kustomization/ })
        .getByRole('button', { name: 'Sync' })
        .click();

      // Flux applies Git again: the ConfigMap is back, replicas are Git's
      // and the env kubectl-set wrote is gone (kustomize-controller drops
      // what kubectl* managers own); the card follows without a reload.
      await waitFor(
        'Sync to undo every drift',
        async () =>
          (await readDrift()).objects.length === 0 && (await configMapExists())
            ? true
            : undefined,
        90_000,
      );
      const live = await cluster.apps.readNamespacedDeployment({
        namespace,
        name: 'hello',
      });
      expect(live.spec?.replicas).toBe(1);
      expect(live.spec?.template.spec?.containers[0].env).toBeUndefined();
      await card.getByRole('button', { name: 'none' }).waitFor();
    } catch (error) {
      await saveScreenshot(page, 'drift-failure');
      throw error;
    }
  });

  it('refuses a kind that applies nothing, and callers without a token', async () => {
    const refused = await callPortal(driftPath('GitRepository'));
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/^objectKind: /);
    const anonymous = await fetch(`${backendUrl}${driftPath()}`);
    expect(anonymous.status).toBe(401);
  });
});
