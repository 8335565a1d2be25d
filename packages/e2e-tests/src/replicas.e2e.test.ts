import fs from 'node:fs';
import type {
  DeployRecord,
  DeployResult,
  EntityGitOpsStatus,
} from '@gitops-backstage/plugin-gitops-common';
import { Browser } from 'playwright-core';
import { GITOPS_SIGNAL_CHANNEL } from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { ExtraBackend } from './portal/extraBackend';
import { backendUrl, callPortal, guestToken } from './portal/portalApi';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { TestCluster, waitFor } from './stack/kube';
import { PushControl } from './stack/pushControl';
import { readStackEnv, repoPath } from './stack/stackEnv';

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
    const changesReceived: Array<{ at: number; changes?: string[] }> = [];
    page.on('websocket', socket =>
      socket.on('framereceived', ({ payload }) => {
        const frame = String(payload);
        // A signal about this entity's objects, not any GitOps signal.
        if (
          frame.includes(GITOPS_SIGNAL_CHANNEL) &&
          frame.includes(target.id)
        ) {
          signalsReceivedAt.push(Date.now());
          changesReceived.push({
            at: Date.now(),
            changes: JSON.parse(frame).message?.changes,
          });
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
      await cluster.requestReconcile(namespace, 'development');
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
      await new Promise(resolve => setTimeout(resolve, 3_000));
      // The page hears each change from both replicas (its own watch and
      // the other's through the bus), named alike: what lets it answer a
      // change once (useLiveStatus).
      const afterPush = changesReceived.filter(s => s.at >= pushedAt);
      expect(afterPush.every(s => s.changes?.length)).toBe(true);
      const timesHeard = new Map<string, number>();
      for (const change of afterPush.flatMap(s => s.changes ?? [])) {
        timesHeard.set(change, (timesHeard.get(change) ?? 0) + 1);
      }
      expect(Math.max(...timesHeard.values())).toBeGreaterThanOrEqual(2);
      // Both replicas watch the cluster; the history has one row for it.
      expect(
        (await target.history()).filter(d => d.commitSha === sha),
      ).toHaveLength(1);
    } catch (error) {
      await saveScreenshot(page, 'second-replica-failure');
      throw error;
    }
  });

  it('a failure and its recovery are announced once, though both replicas see them', async () => {
    await target.appliedEverywhere();
    const namespace = target.namespaces.development;
    const entityRef = `component:default/${target.id}`;
    // Claimed for the entity, as project initialization claims its
    // Namespaces: only then are the entity's owners told.
    await cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: namespace,
          annotations: { 'gitops.backstage.io/entity-ref': entityRef },
        },
      },
      'backstage-gitops',
    );
    const key = `local/Kustomization/${namespace}/development`;
    /** Notices sent, per replica: [the suite's, the second]. */
    const sent = (change: 'failed' | 'recovered') => {
      const line = `GitOps notice sent to ${entityRef}: ${key} ${change}`;
      return [
        fs.readFileSync(repoPath('test-results', 'portal.log'), 'utf8'),
        replica.log(),
      ].map(log => log.split(line).length - 1);
    };
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    /** Waits for the notice of a change, then checks no replica sent it again. */
    const expectSentOnce = async (change: 'failed' | 'recovered') => {
      await waitFor(`the ${change} notice`, async () =>
        sum(sent(change)) > 0 ? true : undefined,
      );
      // The other replica had the change as soon: give it time to send too.
      await new Promise(resolve => setTimeout(resolve, 5_000));
      expect(sum(sent(change))).toBe(1);
    };
    /** Waits until each replica's API shows the environment in this state. */
    const bothSee = (state: string) =>
      waitFor(
        `development ${state} on both replicas`,
        async () => {
          const token = await guestToken();
          for (const base of [backendUrl, replica.url]) {
            const response = await fetch(`${base}${target.entityPath}/status`, {
              headers: { Authorization: `Bearer ${token}` },
            });
            const status: EntityGitOpsStatus = await response.json();
            if (status.environments[0]?.state !== state) return undefined;
          }
          return true;
        },
        90_000,
      );
    // Broken and mended in Git, as a team breaks its manifests; the
    // Kustomization's spec stays the portal's (a deploy needs that).
    const commitKustomization = async (content: string, message: string) => {
      await git.commit(
        target.repo,
        { 'development/kustomization.yaml': content },
        message,
      );
      await cluster.requestReconcile(namespace, 'development');
    };

    // A page's signal socket on each replica: one replica sends the
    // notice, and the notifications backend signals its user through the
    // events bus, which must reach the page on the other replica too.
    const token = await guestToken();
    const notificationSignals = [backendUrl, replica.url].map(base => {
      const socket = new WebSocket(
        `${base.replace(/^http/, 'ws')}/api/signals`,
        token,
      );
      const frames: string[] = [];
      socket.onopen = () =>
        socket.send(
          JSON.stringify({ action: 'subscribe', channel: 'notifications' }),
        );
      socket.onmessage = event => frames.push(String(event.data));
      return { base, socket, frames };
    });
    await waitFor('both signal sockets open', async () =>
      notificationSignals.every(s => s.socket.readyState === WebSocket.OPEN)
        ? true
        : undefined,
    );
    // The subscription is sent on open; give the server a moment to have it.
    await new Promise(resolve => setTimeout(resolve, 1_000));

    await commitKustomization(
      'resources: [no-such-file.yaml]\n',
      'break: a resource that is not there',
    );
    await bothSee('Failed');
    await expectSentOnce('failed');
    await waitFor(
      'the notification signal on the page of either replica',
      async () =>
        notificationSignals.every(s =>
          s.frames.some(f => f.includes('new_notification')),
        )
          ? true
          : undefined,
      15_000,
    ).finally(() => notificationSignals.forEach(s => s.socket.close()));

    await commitKustomization(
      appManifests('nginx:1.27')['deploy/kustomization.yaml'],
      'mend: the resource that is there',
    );
    await bothSee('Ready');
    await expectSentOnce('recovered');
    // The guest's one notification of it: the failure, then the recovery
    // written over it (its scope), never a notification per replica.
    const response = await callPortal(
      '/api/notifications/notifications?limit=100',
    );
    const { notifications } = await response.json();
    expect(
      notifications.filter(
        (n: { payload: { scope?: string } }) =>
          n.payload.scope === `gitops:${key}`,
      ),
    ).toHaveLength(1);
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
