import { StackEnv } from '../stack/stackEnv';
import { KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';
import { TestCluster } from '../stack/kube';
import { backendUrl, guestToken } from '../portal/portalApi';

/** The objects, branch and history a refused request must leave alone. */
export interface StateTarget {
  namespace: string;
  /** The GitRepository and the Kustomization. */
  fluxName: string;
  repo: string;
  entityPath: string;
}

/**
 * What a request could change: the resourceVersions of the Flux objects
 * and the Deployment they apply, the head of the repository's branch, and
 * the deploy history, repair audit log and the latest health report
 * requested, in the database (read through the API as the owner).
 */
export async function stackState(
  env: StackEnv,
  cluster: TestCluster,
  target: StateTarget,
): Promise<Record<string, unknown>> {
  const { namespace, fluxName, repo, entityPath } = target;
  const resourceVersion = async (
    apiVersion: string,
    kind: string,
    name: string,
  ) =>
    (await cluster.read<any>(apiVersion, kind, namespace, name)).metadata
      .resourceVersion;
  const asOwner = async (path: string) => {
    const response = await fetch(`${backendUrl}${path}`, {
      headers: { Authorization: `Bearer ${await guestToken()}` },
    });
    if (!response.ok) {
      throw new Error(`${path}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  };
  const branch = await fetch(
    `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${repo}/branches/main`,
    { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
  );
  const [source, kustomization, deployment, deploys, repairs, reports] =
    await Promise.all([
      resourceVersion(SOURCE_API, 'GitRepository', fluxName),
      resourceVersion(KUSTOMIZE_API, 'Kustomization', fluxName),
      resourceVersion('apps/v1', 'Deployment', 'hello'),
      asOwner(`${entityPath}/deploys?limit=500`),
      asOwner('/api/gitops/health/repairs'),
      asOwner('/api/gitops/health/clusters/local/reports?limit=50'),
    ]);
  return {
    'GitRepository resourceVersion': source,
    'Kustomization resourceVersion': kustomization,
    'Deployment resourceVersion': deployment,
    'branch head': (await branch.json()).commit?.id,
    'deploy history': deploys.items.length,
    'latest repair': repairs.items.length
      ? JSON.stringify(repairs.items[0])
      : 'none',
    // The latest requested one: the scheduled check may run at any moment,
    // and a count within the latest 50 would change with it.
    'latest health report requested':
      reports.items.find((r: { trigger: string }) => r.trigger === 'manual')
        ?.id ?? 'none',
  };
}

/**
 * The state once the stack is quiet: Flux and the controllers may still be
 * answering the last allowed action, so read until two reads a second apart
 * agree.
 */
export async function quietState(
  env: StackEnv,
  cluster: TestCluster,
  target: StateTarget,
  timeoutMs = 45_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = await stackState(env, cluster, target);
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 1500));
    const next = await stackState(env, cluster, target);
    if (JSON.stringify(next) === JSON.stringify(last)) {
      return next;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the stack did not settle: ${JSON.stringify(
          last,
        )} then ${JSON.stringify(next)}`,
      );
    }
    last = next;
  }
}
