import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { appManifests } from '../stack/fixtures';
import { applyFluxPair } from '../stack/fluxPair';
import { TestGitServer } from '../stack/gitea';
import { TestCluster, waitFor } from '../stack/kube';
import { readStackEnv } from '../stack/stackEnv';
import { catalogInfo, registerComponent } from './gitopsEntity';
import { backendUrl, callPortal, finishedDeploy } from './portalApi';

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const PIPELINE_TOKEN =
  process.env.GITOPS_PIPELINE_TOKEN ?? 'local-stack-pipeline-token';

/** POST /api/gitops/deploys/pipeline with the local pipeline's token. */
export const reportPipeline = (payload: unknown) =>
  fetch(`${backendUrl}/api/gitops/deploys/pipeline`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${PIPELINE_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(payload),
  });

/**
 * A deploy target of its own: repo, component and one namespace per
 * environment, on the stack's cluster unless `clusterOf` names another.
 */
export async function newDeployTarget(
  prefix: string,
  environments: string[],
  kustomization: Record<string, unknown> = {},
  clusterOf: (environment: string) => TestCluster = () => cluster,
) {
  const id = `${prefix}-${Date.now().toString(36).slice(-5)}`;
  const repo = await git.createRepo(prefix);
  const files: Record<string, string> = {
    'catalog-info.yaml': catalogInfo(id),
  };
  for (const environment of environments) {
    for (const [file, content] of Object.entries(appManifests('nginx:1.27'))) {
      files[file.replace(/^deploy\//, `${environment}/`)] = content;
    }
  }
  await git.commit(repo, files, 'first: nginx 1.27');
  await registerComponent(env, repo, id);
  const namespaces: Record<string, string> = {};
  for (const environment of environments) {
    namespaces[environment] = await clusterOf(environment).createNamespace(
      `${prefix}-${environment}`.slice(0, 40),
    );
    await applyFluxPair(clusterOf(environment), git, {
      namespace: namespaces[environment],
      name: environment,
      repo,
      path: `./${environment}`,
      entityRef: `component:default/${id}`,
      labels: {
        'backstage.io/kubernetes-id': id,
        'gitops.backstage.io/environment': environment,
      },
      kustomization: { namePrefix: undefined, ...kustomization },
    });
  }
  const entityPath = `/api/gitops/entities/component/default/${id}`;
  return {
    id,
    repo,
    namespaces,
    entityPath,
    async history(query = ''): Promise<DeployRecord[]> {
      const response = await callPortal(`${entityPath}/deploys${query}`);
      expect(response.status).toBe(200);
      return (await response.json()).items;
    },
    /** Waits until Flux's first apply of each environment is in the history. */
    async appliedEverywhere(): Promise<void> {
      await waitFor(
        `${environments.join(' and ')} in the history`,
        async () => {
          const rows = await this.history();
          return environments.every(e => rows.some(r => r.environment === e))
            ? true
            : undefined;
        },
        120_000,
      );
    },
    async settled(deployId: number): Promise<DeployRecord> {
      return finishedDeploy(`${entityPath}/deploys/${deployId}`, 180_000);
    },
    async remove() {
      await Promise.all(
        Object.entries(namespaces).map(([environment, namespace]) =>
          clusterOf(environment).deleteNamespace(namespace),
        ),
      );
    },
  };
}

export type DeployTarget = Awaited<ReturnType<typeof newDeployTarget>>;
