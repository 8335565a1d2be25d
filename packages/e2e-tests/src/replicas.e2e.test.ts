import type {
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { Browser } from 'playwright-core';
import { GITOPS_SIGNAL_CHANNEL } from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { ExtraBackend } from './portal/extraBackend';
import { callPortal, guestToken } from './portal/portalApi';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { PushControl } from './stack/pushControl';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const git = new TestGitServer(env);
const cluster = new TestCluster(env);

/**
 * A second replica of the portal (the same bundle and configuration, the
 * same PostgreSQL databases) beside the suite's, as a load balancer would
 * spread users over both; it dies as a node does, process group and all.
 */
describe('two replicas of the portal on one PostgreSQL', () => {
  let replica: ExtraBackend;
  let target: DeployTarget;
  let browser: Browser | undefined;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-replicas', ['development']);
    replica = await ExtraBackend.start({
      name: 'second-replica',
      port: 7018,
      configs: [
        'app-config.yaml',
        'app-config.stack.yaml',
        'app-config.deployed.yaml',
      ],
    });
  });
  afterAll(async () => {
    replica?.kill('SIGKILL');
    await browser?.close();
    await target?.remove();
  });

  it('a cluster change reaches a page connected to the second replica without a reload', async () => {
    await target.appliedEverywhere();
    browser = await launchBrowser();
    const page = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    const signalsReceivedAt: number[] = [];
    page.on('websocket', socket =>
      socket.on('framereceived', ({ payload }) => {
        const frame = String(payload);
        // A signal about this entity's objects, not any GitOps signal.
        if (
          frame.includes(GITOPS_SIGNAL_CHANNEL) &&
          frame.includes(target.id)
        ) {
          signalsReceivedAt.push(Date.now());
        }
      }),
    );
    try {
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
        replica.url,
      );
      const card = page.getByTestId('environment-development');
      await card.getByText('Ready').waitFor({ timeout: 60_000 });

      // Outside the portal: a commit, and Flux asked to reconcile.
      const pushedAt = Date.now();
      const sha = await git.commit(
        target.repo,
        { 'docs/notes.md': 'a change outside the portal\n' },
        'docs: notes',
      );
      const namespace = target.namespaces.development;
      const requestedAt = new Date().toISOString();
      for (const [apiVersion, kind] of [
        ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
        ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
      ]) {
        await cluster.mergePatch(apiVersion, kind, namespace, 'development', {
          metadata: {
            annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
          },
        });
      }
      await waitFor(
        `Kustomization applied ${sha.slice(0, 7)}`,
        async () => {
          const kustomization = await cluster.read<any>(
            'kustomize.toolkit.fluxcd.io/v1',
            'Kustomization',
            namespace,
            'development',
          );
          return kustomization.status?.lastAppliedRevision?.endsWith(sha)
            ? true
            : undefined;
        },
        60_000,
      );
      // As on the suite's replica (gitopsTab.e2e): the signal, not the
      // page's 10 s polling fallback; two backends and Chromium share the
      // cores here, so 8 s.
      await card
        .getByRole('link', { name: `main@${sha.slice(0, 7)}` })
        .waitFor({ timeout: 8_000 });
      expect(signalsReceivedAt.some(at => at >= pushedAt)).toBe(true);
    } catch (error) {
      await saveScreenshot(page, 'second-replica-failure');
      throw error;
    }
  });

  it('a deploy whose replica is killed in the middle of its push fails on the other with the reason, once, and nothing is pushed', async () => {
    await target.appliedEverywhere();
    const pushes = await PushControl.install(env, target.repo);
    const token = await guestToken();
    const patchFile = 'development/gitops-deploy-patch.yaml';

    await pushes.holdNext();
    const deploying = fetch(`${replica.url}${target.entityPath}/deploys`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        environment: 'development',
        changes: { image: 'nginx:1.28' },
        message: 'deployed on the replica that dies',
      }),
    }).then(
      response => response.status,
      () => 'connection lost',
    );
    await pushes.held();
    // The row is recorded before the push, by the replica that pushes.
    const recorded = await waitFor('the pending row', async () =>
      (
        await target.history()
      ).find(d => d.commitMessage === 'deployed on the replica that dies'),
    );
    expect(recorded.status).toBe('pending');

    replica.kill('SIGKILL');
    expect(await replica.exit(10_000)).toBeNull();
    expect(await deploying).toBe('connection lost');

    // The suite's replica settles it once the dead one has been silent.
    const settled = await waitFor(
      'the deploy of the killed replica to fail',
      async () => {
        const response = await callPortal(
          `${target.entityPath}/deploys/${recorded.id}`,
        );
        const deploy: DeployRecord = await response.json();
        return deploy.status === 'pending' ? undefined : deploy;
      },
      150_000,
    );
    expect(settled).toMatchObject({
      status: 'failed',
      reason: 'PortalStopped',
      message: `the portal replica that committed ${recorded.commitSha!.slice(
        0,
        7,
      )} stopped before its push ended; nothing was pushed, deploy again`,
    });
    expect(settled.finishedAt).toBeDefined();
    // Neither lost nor doubled: one row for it.
    expect(
      (await target.history()).filter(
        d => d.commitMessage === 'deployed on the replica that dies',
      ),
    ).toHaveLength(1);
    await pushes.remove();

    // The same deploy again, on the replica that is left, goes out.
    const again = await callPortal(`${target.entityPath}/deploys`, {
      method: 'POST',
      token,
      body: {
        environment: 'development',
        changes: { image: 'nginx:1.28' },
        message: 'deployed again after the replica died',
      },
    });
    expect(again.status).toBe(201);
    const { deploy }: DeployResult = await again.json();
    expect(await git.readFile(target.repo, patchFile)).toContain('nginx:1.28');
    expect(await target.settled(deploy.id)).toMatchObject({
      status: 'succeeded',
    });
  });
});
