import { Browser, Page } from 'playwright-core';
import type { RepairRecord } from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { runHealthCheckInPage } from './portal/healthApi';
import { callPortal, runTemplate, TaskRun } from './portal/portalApi';
import { loseDeployKey } from './stack/deployKeyLoss';
import { TestGitServer } from './stack/gitea';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const SOURCE_API = 'source.toolkit.fluxcd.io/v1';

describe('health page in the browser', () => {
  // A project made as users make it: Flux pulls over SSH with a deploy key.
  const name = `e2e-health-${Date.now().toString(36)}`;
  const namespace = `project-${name}-development`;
  const source = `${name}-repo`;
  let browser: Browser;
  let page: Page;
  let task: TaskRun;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    task = await runTemplate('gitops-service', {
      name,
      owner: 'group:default/guests',
      description: 'health page e2e',
      environments: ['development'],
      image: 'nginx:1.27',
      replicas: 1,
      repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
        env.GITEA_ORG
      }&repo=${name}`,
    });
    await loseDeployKey(cluster, git, { repo: name, namespace, source });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster.deleteNamespace(namespace);
  });

  it('runs a check, shows the finding with its fix, and repairs it after showing the plan', async () => {
    expect(task.status).toBe('completed');
    const startedAt = new Date();
    await signInAsGuest(page, '/gitops/health?code=GIT_AUTH_FAILED');
    await runHealthCheckInPage(page);
    const finding = page
      .getByTestId('finding-GIT_AUTH_FAILED')
      .filter({ hasText: `GitRepository ${namespace}/${source}` });
    await finding.waitFor({ timeout: 30_000 });
    await finding.click();
    await finding
      .getByText(/unable to authenticate/)
      .first()
      .waitFor();
    await finding
      .getByText(new RegExp(`flux -n ${namespace} reconcile source git`))
      .first()
      .waitFor();
    await saveScreenshot(page, 'health-finding');

    await finding
      .getByRole('button', {
        name: /^Repair: Issue a new read-only deploy key/,
      })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(`patch Secret ${namespace}/${name}-git-auth`)
      .waitFor();
    await dialog
      .getByText(`reconcile GitRepository ${namespace}/${source}`)
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
    // A new key, read-only, and only one for this environment.
    const keys = await git.deployKeys(name);
    expect(keys.map(k => k.read_only)).toEqual([true]);

    const repaired = await waitFor(
      'GitRepository Ready after the repair',
      async () => {
        const object = await cluster.read<FluxObject>(
          SOURCE_API,
          'GitRepository',
          namespace,
          source,
        );
        return condition(object, 'Ready')?.status === 'True'
          ? object
          : undefined;
      },
    );
    expect(condition(repaired, 'Ready')?.reason).toBe('Succeeded');
  }, 480_000);
});
