import { Browser, Page } from 'playwright-core';
import type { RepairRecord } from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { callPortal } from './portal/portalApi';
import { TestGitServer } from './stack/gitea';
import { appManifests } from './stack/fixtures';
import { applyFluxPair } from './stack/fluxPair';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(180_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

describe('health page in the browser', () => {
  let browser: Browser;
  let page: Page;
  let namespace: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    namespace = await cluster.createNamespace('e2e-health');
    const repo = await git.createRepo('e2e-health');
    await git.commit(repo, appManifests('nginx:1.27'), 'app');
    await applyFluxPair(cluster, git, {
      namespace,
      name: 'app',
      repo,
      password: 'expired',
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
  });

  it('runs a check, shows the finding with its fix, and repairs it after showing the plan', async () => {
    const startedAt = new Date();
    await signInAsGuest(page, '/gitops/health?code=GIT_AUTH_FAILED');
    await page.getByRole('button', { name: 'Run health check' }).click();
    const finding = page
      .getByTestId('finding-GIT_AUTH_FAILED')
      .filter({ hasText: `GitRepository ${namespace}/app` });
    await finding.waitFor({ timeout: 60_000 });
    await finding.click();
    await finding.getByText(/answered 401/).waitFor();
    await finding
      .getByText(/kubectl -n .* create secret generic app-auth/)
      .first()
      .waitFor();
    await saveScreenshot(page, 'health-finding');

    await finding
      .getByRole('button', { name: /^Repair: Refresh the Git credentials/ })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`patch Secret ${namespace}/app-auth`).waitFor();
    await dialog
      .getByText(`reconcile GitRepository ${namespace}/app`)
      .waitFor();
    await dialog.getByRole('button', { name: 'Apply repair' }).click();
    await dialog
      .getByText('Applied by user:default/guest; recorded in the audit log.')
      .waitFor();
    await saveScreenshot(page, 'health-repaired');

    // The page says it is in the audit log: read the audit log.
    const audit = await callPortal('/api/gitops/health/repairs');
    expect(audit.status).toBe(200);
    const records: RepairRecord[] = (await audit.json()).items;
    const record = records.find(
      r =>
        r.target?.namespace === namespace &&
        new Date(r.at).getTime() >= startedAt.getTime() - 1000,
    );
    expect(record).toMatchObject({
      cluster: 'local',
      type: 'refresh-git-credentials',
      actor: 'user:default/guest',
      outcome: 'applied',
    });
    // A failure must not print the password: compare a boolean.
    expect(JSON.stringify(record).includes(env.GITEA_ADMIN_PASSWORD)).toBe(
      false,
    );

    const repaired = await waitFor(
      'GitRepository Ready after the repair',
      async () => {
        const source = await cluster.read<FluxObject>(
          'source.toolkit.fluxcd.io/v1',
          'GitRepository',
          namespace,
          'app',
        );
        return condition(source, 'Ready')?.status === 'True'
          ? source
          : undefined;
      },
    );
    expect(condition(repaired, 'Ready')?.reason).toBe('Succeeded');
  });
});
