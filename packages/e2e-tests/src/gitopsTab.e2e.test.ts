import { Browser, Locator, Page } from 'playwright-core';
import {
  launchBrowser,
  portalUrl,
  saveScreenshot,
  signInAsGuest,
} from './browser';
import { GITOPS_SIGNAL_CHANNEL } from '@gitops-backstage/plugin-gitops-common';
import { runTemplate } from './portal/portalApi';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(240_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/** Waits until the card says Ready at the commit. */
async function readyAt(card: Locator, sha: string, timeoutMs: number) {
  await waitFor(
    `environment card Ready at ${sha.slice(0, 7)}`,
    async () => {
      const text = (await card.textContent()) ?? '';
      return text.startsWith('Ready') &&
        text.includes(`main@${sha.slice(0, 7)}`)
        ? true
        : undefined;
    },
    timeoutMs,
  );
}

describe('the GitOps tab in the browser', () => {
  let browser: Browser;
  let page: Page;
  const signalsReceivedAt: number[] = [];
  const name = `e2e-tab-${Date.now().toString(36).slice(-5)}`;

  beforeAll(async () => {
    const run = await runTemplate('gitops-service', {
      name,
      owner: 'group:default/guests',
      description: 'GitOps tab test',
      environments: ['development'],
      image: 'nginx:1.27',
      replicas: 1,
      repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
        env.GITEA_ORG
      }&repo=${name}`,
    });
    if (run.status !== 'completed') {
      throw new Error(
        `creating ${name} failed:\n${run.log.slice(-10).join('\n')}`,
      );
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // When each GitOps signal reached the page over its WebSocket.
    page.on('websocket', socket =>
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes(GITOPS_SIGNAL_CHANNEL)) {
          signalsReceivedAt.push(Date.now());
        }
      }),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await cluster.deleteNamespace(`project-${name}-development`);
  });

  it('shows Ready, then the new revision after a push and Sync, without reloading', async () => {
    try {
      await signInAsGuest(page, `/catalog/default/component/${name}/gitops`);
      const card = page.getByTestId('environment-development');
      await card.getByText('Ready').waitFor({ timeout: 60_000 });
      await saveScreenshot(page, 'gitops-tab-ready');

      const sha = await git.commit(
        name,
        { 'docs/notes.md': 'a change that only Sync brings in\n' },
        'docs: notes',
      );
      const row = page.getByRole('row', {
        name: new RegExp(`${name}-development`),
      });
      await row.getByRole('button', { name: 'Sync' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Sync' }).click();

      // The card updates without a reload.
      await readyAt(card, sha, 30_000);
      await saveScreenshot(page, 'gitops-tab-synced');

      // A change made outside the portal reaches the open page through the
      // backend's signal: well before the 10 s polling fallback would.
      const pushedAt = Date.now();
      const third = await git.commit(
        name,
        { 'docs/notes.md': 'again\n' },
        'docs: again',
      );
      const namespace = `project-${name}-development`;
      const requestedAt = new Date().toISOString();
      for (const [apiVersion, kind, object] of [
        ['source.toolkit.fluxcd.io/v1', 'GitRepository', `${name}-repo`],
        [
          'kustomize.toolkit.fluxcd.io/v1',
          'Kustomization',
          `${name}-development`,
        ],
      ]) {
        await cluster.mergePatch(apiVersion, kind, namespace, object, {
          metadata: {
            annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
          },
        });
      }
      // Flux's own time to fetch and apply is not the page's: wait for the
      // cluster, then give the page 6 s. The page polls only without
      // signals; the signal frame it received below shows which path it
      // took (3 s was missed by a few hundred ms with three test files
      // sharing the two cores).
      await waitFor(
        `Kustomization applied ${third.slice(0, 7)}`,
        async () => {
          const kustomization = await cluster.read<any>(
            'kustomize.toolkit.fluxcd.io/v1',
            'Kustomization',
            namespace,
            `${name}-development`,
          );
          return kustomization.status?.lastAppliedRevision?.endsWith(third)
            ? true
            : undefined;
        },
        60_000,
      );
      // The link, not the Source line: that can already say "behind:
      // main@<sha>" while the card's own revision is still the old one.
      const revision = card.getByRole('link', {
        name: `main@${third.slice(0, 7)}`,
      });
      await revision.waitFor({ timeout: 6_000 });
      expect(await revision.getAttribute('href')).toContain(third);
      expect(signalsReceivedAt.some(at => at >= pushedAt)).toBe(true);
    } catch (error) {
      await saveScreenshot(page, 'gitops-tab-failure');
      throw error;
    }
  });

  it('deploys a new image through the dialog and shows it succeeded as gitops-ui', async () => {
    try {
      // The page signed in during the first test; a reload keeps the session.
      await page.goto(
        new URL(
          `/catalog/default/component/${name}/gitops`,
          portalUrl,
        ).toString(),
      );
      await page
        .getByRole('button', { name: 'Deploy', exact: true })
        .first()
        .click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Image').fill('nginx:1.28');
      await dialog.getByLabel('Replicas').fill('2');
      await dialog.getByRole('button', { name: 'Preview' }).click();
      const diff = dialog.getByTestId('deploy-diff');
      await diff.getByText('image: nginx:1.28').first().waitFor();
      expect(await diff.textContent()).toContain(
        'k8s/overlays/development/gitops-deploy-patch.yaml',
      );
      await saveScreenshot(page, 'deploy-preview');
      await dialog.getByLabel('Commit message').fill('Deploy nginx 1.28 x2');
      await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
      const progress = dialog.getByTestId('deploy-progress');
      await progress.getByText('succeeded').waitFor({ timeout: 120_000 });
      await saveScreenshot(page, 'deploy-succeeded');
      await dialog.getByRole('button', { name: 'Close' }).click();

      const row = page.getByRole('row', { name: /Deploy nginx 1.28 x2/ });
      await row.getByTestId('method-gitops-ui').waitFor();
      // The history reloads when the dialog closes: until its answer is in,
      // the row shows what it showed while the deploy ran.
      await row.getByText('succeeded').waitFor({ timeout: 15_000 });
      const deployment = await cluster.read<any>(
        'apps/v1',
        'Deployment',
        `project-${name}-development`,
        name,
      );
      expect(deployment.spec.template.spec.containers[0].image).toBe(
        'nginx:1.28',
      );
      expect(deployment.spec.replicas).toBe(2);
    } catch (error) {
      await saveScreenshot(page, 'deploy-failure');
      throw error;
    }
  });
});
