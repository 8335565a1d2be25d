import fs from 'node:fs';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VersionApi } from '@kubernetes/client-node';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(180_000);

const run = promisify(execFile);
const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';

/** A Git auth Secret, a GitRepository and a Kustomization for `repo`. */
async function applyFluxObjects(
  namespace: string,
  repo: string,
  password: string,
) {
  await cluster.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'git-auth', namespace },
    stringData: { username: git.basicAuth.username, password },
  } as any);
  await cluster.apply({
    apiVersion: SOURCE_API,
    kind: 'GitRepository',
    metadata: { name: 'app', namespace },
    spec: {
      url: git.repoUrl(repo),
      ref: { branch: 'main' },
      interval: '1h',
      secretRef: { name: 'git-auth' },
    },
  } as FluxObject);
  await cluster.apply({
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: { name: 'app', namespace },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'app' },
      path: './deploy',
      prune: true,
      interval: '1h',
      targetNamespace: namespace,
    },
  } as FluxObject);
}

async function readyRevision(
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const object = await cluster.read<FluxObject>(
    apiVersion,
    kind,
    namespace,
    name,
  );
  if (condition(object, 'Ready')?.status !== 'True') {
    return undefined;
  }
  return kind === 'Kustomization'
    ? object.status?.lastAppliedRevision
    : object.status?.artifact?.revision;
}

describe('local stack', () => {
  const namespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(namespaces.map(ns => cluster.deleteNamespace(ns)));
  });

  it('serves the pinned Kubernetes version and refuses anonymous reads', async () => {
    const version = await cluster.config.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(env.K8S_VERSION);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      https
        .get(
          `${env.K8S_API_URL}/api/v1/secrets`,
          { ca: fs.readFileSync(env.K8S_CA_FILE) },
          response => {
            response.resume();
            resolve(response.statusCode);
          },
        )
        .on('error', reject),
    );
    expect([401, 403]).toContain(status);
  });

  it('runs every Flux controller as an available Deployment', async () => {
    const { items } = await cluster.apps.listNamespacedDeployment({
      namespace: env.FLUX_NAMESPACE,
      labelSelector: 'app.kubernetes.io/part-of=flux',
    });
    const available = Object.fromEntries(
      items.map(d => [
        d.metadata?.name,
        d.status?.conditions?.find(c => c.type === 'Available')?.status,
      ]),
    );
    expect(available).toEqual({
      'source-controller': 'True',
      'kustomize-controller': 'True',
      'helm-controller': 'True',
      'notification-controller': 'True',
    });
  });

  it('keeps a controller Deployment true to its process', async () => {
    const component = repoPath('stack', 'component');
    const available = async () => {
      const deployment = await cluster.apps.readNamespacedDeployment({
        name: 'notification-controller',
        namespace: env.FLUX_NAMESPACE,
      });
      return deployment.status?.conditions?.find(c => c.type === 'Available')
        ?.status;
    };
    await run(component, ['stop', 'notification-controller']);
    try {
      await waitFor('Available=False after stop', async () =>
        (await available()) === 'False' ? true : undefined,
      );
    } finally {
      await run(component, ['start', 'notification-controller']);
    }
    await waitFor('Available=True after start', async () =>
      (await available()) === 'True' ? true : undefined,
    );
    expect(await available()).toBe('True');
  });

  it('syncs a private Gitea repository to the cluster and follows new commits', async () => {
    const namespace = await cluster.createNamespace('e2e-sync');
    namespaces.push(namespace);
    const repo = await git.createRepo('e2e-sync');
    const firstSha = await git.commit(
      repo,
      appManifests('nginx:1.27'),
      'first',
    );

    await applyFluxObjects(namespace, repo, git.basicAuth.password);

    const sourceRevision = await waitFor('GitRepository Ready', () =>
      readyRevision(SOURCE_API, 'GitRepository', namespace, 'app'),
    );
    expect(sourceRevision).toBe(`main@sha1:${firstSha}`);
    const applied = await waitFor('Kustomization Ready', () =>
      readyRevision(KUSTOMIZE_API, 'Kustomization', namespace, 'app'),
    );
    expect(applied).toBe(`main@sha1:${firstSha}`);
    await waitFor('Deployment hello Available', async () => {
      const deployment = await cluster.apps.readNamespacedDeployment({
        name: 'hello',
        namespace,
      });
      const available = deployment.status?.conditions?.find(
        c => c.type === 'Available',
      );
      return available?.status === 'True' ? true : undefined;
    });

    // A new commit plus the reconcile annotation the Flux CLI sets.
    const secondSha = await git.commit(
      repo,
      appManifests('nginx:1.28'),
      'second',
    );
    const requestedAt = new Date().toISOString();
    for (const [apiVersion, kind] of [
      [SOURCE_API, 'GitRepository'],
      [KUSTOMIZE_API, 'Kustomization'],
    ]) {
      await cluster.mergePatch(apiVersion, kind, namespace, 'app', {
        metadata: {
          annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
        },
      });
    }
    await waitFor('Kustomization at the second commit', async () =>
      (await readyRevision(
        KUSTOMIZE_API,
        'Kustomization',
        namespace,
        'app',
      )) === `main@sha1:${secondSha}`
        ? true
        : undefined,
    );
    const deployment = await cluster.apps.readNamespacedDeployment({
      name: 'hello',
      namespace,
    });
    expect(deployment.spec?.template.spec?.containers[0].image).toBe(
      'nginx:1.28',
    );
  });

  it('reports a wrong Git password as a failed GitRepository', async () => {
    const namespace = await cluster.createNamespace('e2e-auth');
    namespaces.push(namespace);
    const repo = await git.createRepo('e2e-auth');
    await git.commit(repo, appManifests('nginx:1.27'), 'first');

    await applyFluxObjects(namespace, repo, 'not-the-password');

    const ready = await waitFor('GitRepository Ready=False', async () => {
      const object = await cluster.read<FluxObject>(
        SOURCE_API,
        'GitRepository',
        namespace,
        'app',
      );
      const found = condition(object, 'Ready');
      return found?.status === 'False' ? found : undefined;
    });
    expect(ready.reason).toBe('GitOperationFailed');
    expect(ready.message).toContain('authentication required');
  });
});
