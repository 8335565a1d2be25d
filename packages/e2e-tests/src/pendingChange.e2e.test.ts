import { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  portalUrl,
  saveScreenshot,
  signInAsGuest,
} from './browser';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { callPortal } from './portal/portalApi';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/**
 * A commit pushed while the Kustomization is suspended: the source fetches
 * it, the environment does not apply it, and the tab says what the next
 * sync would apply.
 */
describe('the pending change', () => {
  let target: DeployTarget;
  let browser: Browser;
  let page: Page;
  let namespace: string;
  let pushed: string;

  const objectPath = (kind: string, name: string) =>
    `${target.entityPath}/objects/local/${kind}/${namespace}/${name}`;
  const pendingPath = () =>
    `${target.entityPath}/environments/development/pending`;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-pending', ['development']);
    namespace = target.namespaces.development;
    await cluster.waitForReady(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      namespace,
      'development',
      'True',
      120_000,
    );
    const suspended = await callPortal(
      `${objectPath('Kustomization', 'development')}/suspend`,
      { method: 'POST', body: { reason: 'e2e: hold the environment' } },
    );
    if (suspended.status !== 200) {
      throw new Error(`suspend: ${suspended.status} ${await suspended.text()}`);
    }
    const deployment = appManifests('nginx:1.27')['deploy/deployment.yaml'];
    pushed = await git.commit(
      target.repo,
      {
        'development/deployment.yaml': deployment.replace(
          'replicas: 1',
          'replicas: 2',
        ),
        'docs/notes.md': 'not under the path\n',
      },
      'development: two replicas',
    );
    await cluster.mergePatch(
      'source.toolkit.fluxcd.io/v1',
      'GitRepository',
      namespace,
      'development',
      {
        metadata: {
          annotations: {
            'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
          },
        },
      },
    );
    await waitFor(
      'the source to fetch the pushed commit',
      async () => {
        const source = await cluster.read<any>(
          'source.toolkit.fluxcd.io/v1',
          'GitRepository',
          namespace,
          'development',
        );
        return source?.status?.artifact?.revision?.endsWith(pushed)
          ? true
          : undefined;
      },
      120_000,
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await target?.remove();
  });

  it('answers the commits and the diff under the Kustomization path', async () => {
    const response = await callPortal(pendingPath());
    expect(response.status).toBe(200);
    const change = await response.json();
    expect(change).toMatchObject({
      environment: 'development',
      pending: true,
      suspended: true,
      sourceCommit: pushed,
      paths: ['development'],
      files: [{ path: 'development/deployment.yaml', status: 'modified' }],
      truncated: false,
    });
    expect(change.commits.map((c: any) => c.subject)).toEqual([
      'development: two replicas',
    ]);
    expect(change.diff).toContain('+  replicas: 2');
    expect(change.diff).not.toContain('docs/notes.md');

    const unknown = await callPortal(
      pendingPath().replace('/development/', '/nowhere/'),
    );
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toMatch(/^environment: /);
  });

  it('shows it from the card, and nothing once the environment applied it', async () => {
    try {
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
      );
      const card = page.getByTestId('environment-development');
      await card.getByTestId('pending-open').click();
      const dialog = page.getByRole('dialog', {
        name: 'What the next sync of development applies',
      });
      await dialog
        .getByTestId('pending-commits')
        .getByText('development: two replicas')
        .waitFor({ timeout: 30_000 });
      await dialog.getByText('+  replicas: 2').first().waitFor();
      await dialog
        .getByText('the Kustomization is suspended', { exact: false })
        .waitFor();
      await saveScreenshot(page, 'pending-change');
      // Suspended: Resume, not Sync, applies it.
      expect(await dialog.getByRole('button', { name: 'Sync' }).count()).toBe(
        0,
      );
      await dialog.getByRole('button', { name: 'Close' }).click();

      const resumed = await callPortal(
        `${objectPath('Kustomization', 'development')}/resume`,
        { method: 'POST', body: {} },
      );
      expect(resumed.status).toBe(200);
      await waitFor(
        'the environment to apply the pushed commit',
        async () => {
          const change = await (await callPortal(pendingPath())).json();
          return change.pending === false ? true : undefined;
        },
        120_000,
      );
      await card.getByTestId('pending-open').waitFor({ state: 'detached' });
    } catch (error) {
      await saveScreenshot(page, 'pending-change-failure');
      throw error;
    }
  });

  it('shows what the deploy it became changed, from the deploy history', async () => {
    const row = await waitFor(
      'the applied commit in the deploy history',
      async () => {
        const history = await (
          await callPortal(
            `${target.entityPath}/deploys?environment=development`,
          )
        ).json();
        return history.items.find(
          (d: any) => d.commitSha === pushed && d.status === 'succeeded',
        );
      },
      120_000,
    );
    const response = await callPortal(
      `${target.entityPath}/deploys/${row.id}/changes`,
    );
    expect(response.status).toBe(200);
    const change = await response.json();
    expect(change).toMatchObject({
      deployId: row.id,
      toCommit: pushed,
      files: [{ path: 'development/deployment.yaml', status: 'modified' }],
    });
    expect(change.commits.map((c: any) => c.subject)).toEqual([
      'development: two replicas',
    ]);
    expect(change.diff).toContain('+  replicas: 2');

    try {
      // Signed in by the test before.
      await page.goto(
        new URL(
          `/catalog/default/component/${target.id}/gitops`,
          portalUrl,
        ).toString(),
      );
      await page
        .getByRole('button', { name: `What deploy ${row.id} changed` })
        .click();
      const dialog = page.getByRole('dialog', {
        name: `What deploy #${row.id} (${pushed.slice(
          0,
          7,
        )}) to development changed`,
      });
      await dialog
        .getByTestId('deploy-change-commits')
        .getByText('development: two replicas')
        .waitFor({ timeout: 30_000 });
      await dialog.getByText('+  replicas: 2').first().waitFor();
      await saveScreenshot(page, 'deploy-change');
    } catch (error) {
      await saveScreenshot(page, 'deploy-change-failure');
      throw error;
    }
  });
});
