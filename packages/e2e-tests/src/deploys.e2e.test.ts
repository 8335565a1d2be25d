import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type {
  DeployPreview,
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { callPortal, finishedDeploy, pollPortal } from './portal/portalApi';
import { writeHistorySnapshot } from './portal/historySnapshot';
import {
  DeployTarget,
  newDeployTarget,
  reportPipeline,
} from './portal/deployTarget';
import { catalogInfo, registerComponent } from './portal/gitopsEntity';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { applyFluxPair } from './stack/fluxPair';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

const run = promisify(execFile);
jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/**
 * The four deploy methods against the real stack: one entity, one
 * environment (development) deployed by a Kustomization of `deploy/`.
 */
describe('Deploys and the deploy history', () => {
  const id = `e2e-deploy-${Date.now().toString(36).slice(-5)}`;
  const entityPath = `/api/gitops/entities/component/default/${id}`;
  let namespace: string;
  let repo: string;
  let firstSha: string;

  async function history(query = ''): Promise<DeployRecord[]> {
    const response = await callPortal(`${entityPath}/deploys${query}`);
    expect(response.status).toBe(200);
    return (await response.json()).items;
  }

  async function settled(deployId: number): Promise<DeployRecord> {
    return finishedDeploy(`${entityPath}/deploys/${deployId}`, 120_000);
  }

  async function liveContainer() {
    const deployment = await cluster.read<any>(
      'apps/v1',
      'Deployment',
      namespace,
      'hello',
    );
    return {
      image: deployment.spec.template.spec.containers[0].image,
      replicas: deployment.spec.replicas,
      env: deployment.spec.template.spec.containers[0].env,
    };
  }

  /** A gitops-ui deploy through the API, until Flux applied it. */
  async function deployThroughUi(
    changes: Record<string, unknown>,
    message: string,
  ): Promise<DeployRecord> {
    const response = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: { environment: 'development', changes, message },
    });
    expect(response.status).toBe(201);
    const { deploy }: DeployResult = await response.json();
    const ended = await settled(deploy.id);
    expect(ended.status).toBe('succeeded');
    return ended;
  }

  beforeAll(async () => {
    namespace = await cluster.createNamespace('e2e-deploy');
    repo = await git.createRepo('e2e-deploy');
    firstSha = await git.commit(
      repo,
      { ...appManifests('nginx:1.27'), 'catalog-info.yaml': catalogInfo(id) },
      'first: nginx 1.27',
    );
    // In the catalog before Flux applies anything, so every row names it.
    await registerComponent(env, repo, id);
    await applyFluxPair(cluster, git, {
      namespace,
      name: 'development',
      repo,
      entityRef: `component:default/${id}`,
      labels: {
        'backstage.io/kubernetes-id': id,
        'gitops.backstage.io/environment': 'development',
      },
      // Names as in the repository, like the scaffolder's Kustomizations.
      kustomization: { namePrefix: undefined },
    });
  });

  afterAll(async () => {
    // The restart test compares the history after a backend restart with this.
    await writeHistorySnapshot({
      entityPath,
      items: await history('?limit=500'),
    });
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
  });

  it('records the revision Flux applied from a push as gitops-git', async () => {
    const row = await waitFor(
      'the first revision in the history',
      async () =>
        (await history()).find(d => d.commitSha === firstSha) ?? undefined,
      120_000,
    );
    expect(row).toMatchObject({
      // Linked by the kubernetes-id label: the row outlives the Flux objects.
      entityRef: `component:default/${id}`,
      method: 'gitops-git',
      status: 'succeeded',
      environment: 'development',
      commitMessage: 'first: nginx 1.27',
      commitAuthor: 'e2e-tests',
      revision: `main@sha1:${firstSha}`,
    });
  });

  it('previews, then deploys a new image through Git (gitops-ui) until Flux applied it', async () => {
    const [branchHead] = await git.log(repo);
    const changes = {
      image: 'nginx:1.28',
      replicas: 2,
      env: { LOG_LEVEL: 'debug' },
      resources: { requests: { cpu: '50m' }, limits: { memory: '128Mi' } },
    };
    const previewResponse = await callPortal(`${entityPath}/deploys/preview`, {
      method: 'POST',
      body: { environment: 'development', changes },
    });
    expect(previewResponse.status).toBe(200);
    const preview: DeployPreview = await previewResponse.json();
    expect(preview).toMatchObject({
      branch: 'main',
      baseCommit: branchHead.sha,
      overlayPath: 'deploy',
      target: { deployment: 'hello', container: 'app' },
      empty: false,
    });
    expect(preview.diff).toContain('+++ b/deploy/gitops-deploy-patch.yaml');
    expect(preview.diff).toContain('+          image: nginx:1.28');
    expect(preview.diff).toContain('+  - path: gitops-deploy-patch.yaml');

    const response = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes,
        message: 'Deploy nginx 1.28 with 2 replicas',
        expectedOverlayDigest: preview.overlayDigest,
      },
    });
    expect(response.status).toBe(201);
    const result: DeployResult = await response.json();
    expect(result.deploy).toMatchObject({
      method: 'gitops-ui',
      triggeredBy: 'user:default/guest',
      commitMessage: 'Deploy nginx 1.28 with 2 replicas',
    });
    expect(['pending', 'progressing', 'succeeded']).toContain(
      result.deploy.status,
    );
    const uiDeploy = await settled(result.deploy.id);
    expect(uiDeploy.status).toBe('succeeded');
    expect(uiDeploy.finishedAt).toBeDefined();
    expect(uiDeploy.commitUrl).toBe(
      `${git.repoUrl(repo).replace(/\.git$/, '')}/commit/${uiDeploy.commitSha}`,
    );
    const live = await liveContainer();
    expect({ image: live.image, replicas: live.replicas }).toEqual({
      image: 'nginx:1.28',
      replicas: 2,
    });
    expect(live.env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    const [head] = await git.log(repo);
    expect(head).toMatchObject({
      sha: uiDeploy.commitSha,
      message: 'Deploy nginx 1.28 with 2 replicas',
    });
    // The author is the user; the history row is not duplicated as gitops-git.
    expect(head.author).toMatch(/guest/i);
    expect(
      (await history()).filter(d => d.commitSha === uiDeploy.commitSha),
    ).toHaveLength(1);
  });

  it('refuses bad input with a 400 naming the field, and pushes nothing', async () => {
    const [before] = await git.log(repo);
    const cases: Array<[unknown, RegExp]> = [
      [
        { image: 'Nginx::bad' },
        /changes\.image: .*not a valid image reference/,
      ],
      [{ replicas: -1 }, /changes\.replicas: must be between 0 and 100/],
      [{ replicas: 100000 }, /changes\.replicas: must be between 0 and 100/],
      [
        { env: { '1BAD': 'x' } },
        /changes\.env\.1BAD: .*not a valid environment variable name/,
      ],
      [
        { resources: { limits: { memory: '100MB' } } },
        /not a Kubernetes quantity/,
      ],
      [
        { resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } },
        /cpu request 2 is above its limit 500m/,
      ],
      [{}, /set at least one of/],
      [{ env: { BIG: 'x'.repeat(70 * 1024) } }, /larger than 64 KiB/],
    ];
    for (const [changes, message] of cases) {
      const response = await callPortal(`${entityPath}/deploys`, {
        method: 'POST',
        body: { environment: 'development', changes, message: 'bad' },
      });
      expect({ changes, status: response.status }).toEqual({
        changes,
        status: 400,
      });
      expect((await response.json()).error.message).toMatch(message);
    }
    const unknownEnvironment = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: { environment: 'nowhere', changes: { replicas: 1 }, message: 'x' },
    });
    expect(unknownEnvironment.status).toBe(400);
    expect((await unknownEnvironment.json()).error.message).toMatch(
      /has no environment 'nowhere' \(it has development\)/,
    );
    const [after] = await git.log(repo);
    expect(after.sha).toBe(before.sha);
  });

  it('answers 409 for a stale preview and records the push that moved the branch as gitops-git', async () => {
    const preview: DeployPreview = await (
      await callPortal(`${entityPath}/deploys/preview`, {
        method: 'POST',
        body: { environment: 'development', changes: { replicas: 3 } },
      })
    ).json();
    // Someone changes the overlay in Git meanwhile.
    const pushed = await git.commit(
      repo,
      {
        'deploy/deployment.yaml': appManifests('nginx:1.27')[
          'deploy/deployment.yaml'
        ].replace('replicas: 1', 'replicas: 1 # tuned by hand'),
      },
      'tune by hand',
    );
    const response = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { replicas: 3 },
        message: 'three replicas',
        expectedOverlayDigest: preview.overlayDigest,
      },
    });
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toMatch(
      /changed since your preview.*preview again/,
    );
    expect((await git.log(repo))[0].sha).toBe(pushed);

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
    const row = await waitFor(
      'the direct push in the history',
      async () => (await history()).find(d => d.commitSha === pushed),
      120_000,
    );
    expect(row).toMatchObject({
      method: 'gitops-git',
      status: 'succeeded',
      commitMessage: 'tune by hand',
      commitAuthor: 'e2e-tests',
    });
  });

  it('records a pipeline report as pipeline, for service tokens only', async () => {
    const sha = await git.commit(
      repo,
      { 'deploy/README.md': 'built by CI run 42\n' },
      'ci: release 42',
    );
    const body = {
      entityRef: `component:default/${id}`,
      environment: 'development',
      revision: sha,
      pipelineUrl: 'https://ci.example.com/runs/42',
      pipeline: 'release',
    };
    const asUser = await callPortal('/api/gitops/deploys/pipeline', {
      method: 'POST',
      body,
    });
    expect(asUser.status).toBe(403);
    const bad = await reportPipeline({ ...body, revision: 'abc' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(
      /revision: must be a full 40-character commit sha/,
    );
    const response = await reportPipeline(body);
    expect(response.status).toBe(201);
    const { deploy } = await response.json();
    expect(deploy).toMatchObject({
      method: 'pipeline',
      triggeredBy: 'pipeline:release',
      pipelineUrl: 'https://ci.example.com/runs/42',
      commitMessage: 'ci: release 42',
    });
    expect((await settled(deploy.id)).status).toBe('succeeded');
    expect((await history('?method=pipeline')).map(d => d.commitSha)).toEqual([
      sha,
    ]);
    // The Kustomization it asked to apply says who reported it.
    const event = await cluster.portalEvent(
      { kind: 'Kustomization', namespace, name: 'development' },
      'GitOpsPortalPipelineDeploy',
    );
    expect(event.message).toMatch(
      new RegExp(
        `^pipeline-deploy by service:\\S+: commit ${sha.slice(
          0,
          12,
        )} from pipeline release$`,
      ),
    );
  });

  it('records a manual deploy and a kubectl edit as manual', async () => {
    // Flux has applied the repository: the image it runs is the previous one.
    await waitFor(
      'a revision applied',
      async () =>
        (await history()).some(d => d.status === 'succeeded') || undefined,
      120_000,
    );
    const { image: previousImage } = await liveContainer();
    const response = await callPortal(`${entityPath}/deploys/manual`, {
      method: 'POST',
      body: {
        environment: 'development',
        image: 'nginx:1.29',
        reason: 'hotfix',
      },
    });
    expect(response.status).toBe(201);
    const result = await response.json();
    expect(result.warning).toMatch(
      /Flux reverts this image at the next reconcile/,
    );
    expect(result.deploy).toMatchObject({
      method: 'manual',
      triggeredBy: 'user:default/guest',
      details: { image: 'nginx:1.29', previousImage },
    });
    expect((await liveContainer()).image).toBe('nginx:1.29');
    expect((await settled(result.deploy.id)).status).toBe('succeeded');

    await run(repoPath('stack/kubectl'), [
      '-n',
      namespace,
      'set',
      'image',
      'deployment/hello',
      'app=nginx:1.30',
    ]);
    const edit = await waitFor(
      'the kubectl change in the history',
      async () =>
        (
          await history('?method=manual')
        ).find(d => d.triggeredBy.includes('kubectl')),
      30_000,
    );
    expect(edit).toMatchObject({
      method: 'manual',
      status: 'succeeded',
      triggeredBy: 'field manager kubectl-set',
      environment: 'development',
    });
    expect(edit.message).toMatch(/changed outside Git/);
  });

  it('rolls back to an earlier deploy with a new gitops-ui commit', async () => {
    // Its own deploys: the one to go back to, and one after it.
    const earlier = await deployThroughUi(
      { image: 'nginx:1.26' },
      'rollback target: nginx 1.26',
    );
    await deployThroughUi(
      { image: 'nginx:1.25', env: { ROLLED: 'forward' } },
      'after the rollback target',
    );
    expect((await liveContainer()).image).toBe('nginx:1.25');

    const dryRun = await callPortal(
      `${entityPath}/deploys/${earlier.id}/rollback`,
      { method: 'POST', body: { dryRun: true } },
    );
    expect(dryRun.status).toBe(200);
    const preview: DeployPreview = await dryRun.json();
    expect(preview.diff).toMatch(/^-\s+image: nginx:1\.25$/m);
    expect(preview.diff).toMatch(/^\+\s+image: nginx:1\.26$/m);
    expect(preview.diff).toMatch(/^-.*ROLLED/m);
    const [beforeRollback] = await git.log(repo);

    const response = await callPortal(
      `${entityPath}/deploys/${earlier.id}/rollback`,
      { method: 'POST', body: {} },
    );
    expect(response.status).toBe(201);
    const { deploy }: DeployResult = await response.json();
    expect(deploy).toMatchObject({
      method: 'gitops-ui',
      rollbackOf: earlier.id,
      commitMessage: `Roll back development to ${earlier.commitSha!.slice(
        0,
        7,
      )} (deploy #${earlier.id})`,
    });
    expect((await settled(deploy.id)).status).toBe('succeeded');
    const live = await liveContainer();
    expect(live.image).toBe('nginx:1.26');
    expect((live.env ?? []).map((e: { name: string }) => e.name)).not.toContain(
      'ROLLED',
    );
    // A new commit on top, nothing rewritten.
    const log = await git.log(repo);
    expect(log[0].sha).toBe(deploy.commitSha);
    expect(log[1].sha).toBe(beforeRollback.sha);
  });
});

/**
 * Concurrency on its own entity, so it depends on no other test: 20 deploys
 * at once while someone else keeps pushing to the same branch. The portal
 * serializes its own pushes; the outside pushes make some of them lose the
 * race, so the rebase-and-retry path runs end to end.
 */
describe('20 concurrent deploys while the branch moves', () => {
  let target: DeployTarget;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-concurrent', [
      'development',
      'staging',
    ]);
    await target.appliedEverywhere();
  });

  afterAll(async () => {
    await target?.remove();
  });

  it('accepts all 20, rebasing over outside pushes, each a commit, a row and deployed', async () => {
    let deploying = true;
    const outside: string[] = [];
    const pusher = (async () => {
      for (let n = 0; deploying && n < 40; n++) {
        // A push that loses the race to the portal is simply tried again.
        await git
          .commit(
            target.repo,
            { [`notes/outside-${n}.txt`]: `${n}\n` },
            `outside push ${n}`,
          )
          .then(
            sha => outside.push(sha),
            () => undefined,
          );
        await new Promise(resolve => setTimeout(resolve, 200));
      }
    })();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        callPortal(`${target.entityPath}/deploys`, {
          method: 'POST',
          body: {
            environment: 'development',
            changes: { env: { [`CONCURRENT_${n}`]: String(n) } },
            message: `concurrent deploy ${n}`,
          },
        }),
      ),
    );
    deploying = false;
    await pusher;
    const bodies = await Promise.all(responses.map(r => r.json()));
    // Every deploy touches its own env var and the outside pushes touch
    // other files: nothing conflicts, so no refusal is legal here.
    expect(
      responses.map((r, n) => [n, r.status, bodies[n].error?.message]),
    ).toEqual(Array.from({ length: 20 }, (_, n) => [n, 201, undefined]));
    const accepted: DeployResult[] = bodies;
    expect(outside.length).toBeGreaterThan(0);
    // The retry path ran: some push was rejected, rebased and pushed again.
    const retried = accepted.filter(a => a.pushAttempts > 1);
    expect(retried.length).toBeGreaterThan(0);

    const log = await git.log(target.repo);
    const shas = log.map(c => c.sha);
    const rows = await target.history('?method=gitops-ui&limit=100');
    for (const { deploy } of accepted) {
      // The row follows the rebased commit, which is the one on the branch.
      expect(shas).toContain(deploy.commitSha);
      expect(rows.find(r => r.id === deploy.id)?.commitSha).toBe(
        deploy.commitSha,
      );
    }
    // No outside push was overwritten, no portal commit lacks its row.
    for (const sha of outside) expect(shas).toContain(sha);
    expect(
      log.filter(c => c.message.startsWith('concurrent deploy')),
    ).toHaveLength(20);
    for (const { deploy } of accepted) {
      expect((await target.settled(deploy.id)).status).toBe('succeeded');
    }
    const deployment = await cluster.read<any>(
      'apps/v1',
      'Deployment',
      target.namespaces.development,
      'hello',
    );
    const names = deployment.spec.template.spec.containers[0].env.map(
      (e: { name: string }) => e.name,
    );
    expect(names.sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `CONCURRENT_${n}`).sort(),
    );
  }, 600_000);

  it('filters the history by environment', async () => {
    const all = await target.history('?limit=500');
    const development = await target.history(
      '?environment=development&limit=500',
    );
    const staging = await target.history('?environment=staging&limit=500');
    expect(development.length).toBeGreaterThan(0);
    expect(staging.length).toBeGreaterThan(0);
    expect(development.every(d => d.environment === 'development')).toBe(true);
    expect(staging.every(d => d.environment === 'staging')).toBe(true);
    expect(
      [...development, ...staging].map(d => d.id).sort((a, b) => a - b),
    ).toEqual(all.map(d => d.id).sort((a, b) => a - b));
    expect(await target.history('?environment=nowhere')).toEqual([]);
  });
});

/** Helm environments change their values in Git, never through the dialog's API. */
describe('deploys to a Helm environment', () => {
  let target: DeployTarget;
  let helmNamespace: string;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-helm', ['development']);
    helmNamespace = await cluster.createNamespace('e2e-helm-production');
    await cluster.apply({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: {
        name: 'production',
        namespace: helmNamespace,
        labels: {
          'backstage.io/kubernetes-id': target.id,
          'gitops.backstage.io/environment': 'production',
        },
      },
      spec: {
        interval: '1h',
        chart: {
          spec: {
            chart: 'hello',
            sourceRef: { kind: 'HelmRepository', name: 'charts' },
          },
        },
      },
    } as any);
  });

  afterAll(async () => {
    await target?.remove();
    if (helmNamespace) await cluster.deleteNamespace(helmNamespace);
  });

  it('refuses preview and deploy with a 400 naming the environment, and pushes nothing', async () => {
    await waitFor('the HelmRelease in the entity status', async () => {
      const response = await pollPortal(`${target.entityPath}/status`);
      const status = await response.json();
      return status.environments?.some((e: any) => e.name === 'production')
        ? true
        : undefined;
    });
    const [before] = await git.log(target.repo);
    const bodies = {
      'deploys/preview': {
        environment: 'production',
        changes: { image: 'nginx:1.28' },
      },
      deploys: {
        environment: 'production',
        changes: { image: 'nginx:1.28' },
        message: 'to helm',
      },
    };
    for (const [path, body] of Object.entries(bodies)) {
      const response = await callPortal(`${target.entityPath}/${path}`, {
        method: 'POST',
        body,
      });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect((await response.json()).error.message).toBe(
        `environment: 'production' of component:default/${target.id} is not deployed by a Flux Kustomization; portal deploys change Kustomize overlays`,
      );
    }
    const [after] = await git.log(target.repo);
    expect(after.sha).toBe(before.sha);
  });

  it('offers the Helm environment disabled in the deploy dialog, with the reason', async () => {
    const browser = await launchBrowser();
    const page = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    try {
      await signInAsGuest(
        page,
        `/catalog/default/component/${target.id}/gitops`,
      );
      // Both environments on the tab before the dialog lists them.
      await page
        .getByTestId('environment-production')
        .waitFor({ timeout: 60_000 });
      await page
        .getByRole('button', { name: 'Deploy', exact: true })
        .first()
        .click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('[aria-haspopup="listbox"]').first().click();
      // Offered disabled, with the reason the API would give.
      const production = page.getByRole('option', { name: /^production/ });
      await production.waitFor();
      expect({
        disabled: await production.getAttribute('aria-disabled'),
        text: await production.textContent(),
      }).toEqual({
        disabled: 'true',
        text: 'production: not deployed by one Flux Kustomization (a HelmRelease changes through its values in Git)',
      });
      const development = page.getByRole('option', { name: 'development' });
      expect(await development.getAttribute('aria-disabled')).toBe('false');
      await saveScreenshot(page, 'deploy-helm-refused');
    } catch (error) {
      await saveScreenshot(page, 'deploy-helm-failure');
      throw error;
    } finally {
      await browser.close();
    }
  });
});
