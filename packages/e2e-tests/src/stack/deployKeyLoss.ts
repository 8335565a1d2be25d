import { DeployKey, TestGitServer } from './gitea';
import { condition, FluxObject, TestCluster, waitFor } from './kube';

const SOURCE_API = 'source.toolkit.fluxcd.io/v1';

/**
 * The Git host forgets a GitRepository's deploy key (revoked by someone
 * cleaning up keys they do not recognise), and Flux notices: asked to
 * fetch now, the source fails. Answers the revoked key once the source reports Ready=False.
 */
export async function loseDeployKey(
  cluster: TestCluster,
  git: TestGitServer,
  options: {
    repo: string;
    /** The key's title; the repository's only key when not given. */
    keyTitle?: string;
    namespace: string;
    source: string;
  },
): Promise<DeployKey> {
  const keys = await git.deployKeys(options.repo);
  const candidates = options.keyTitle
    ? keys.filter(k => k.title === options.keyTitle)
    : keys;
  const key = candidates.length === 1 ? candidates[0] : undefined;
  if (!key) {
    throw new Error(
      `no deploy key ${options.keyTitle ?? ''} to revoke among the ${
        keys.length
      } of ${options.repo}`,
    );
  }
  await git.revokeDeployKey(options.repo, key.id);
  await cluster.mergePatch(
    SOURCE_API,
    'GitRepository',
    options.namespace,
    options.source,
    {
      metadata: {
        annotations: {
          'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
        },
      },
    },
  );
  await waitFor(
    `GitRepository ${options.namespace}/${options.source} failing without its key`,
    async () => {
      const object = await cluster.read<FluxObject>(
        SOURCE_API,
        'GitRepository',
        options.namespace,
        options.source,
      );
      return condition(object, 'Ready')?.status === 'False' ? true : undefined;
    },
    120_000,
  );
  return key;
}
