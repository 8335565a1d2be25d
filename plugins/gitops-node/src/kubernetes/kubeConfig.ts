import fs from 'node:fs';
import { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import { ClusterDetails } from '../clusters/clusterConfig';

/**
 * Default bound of one Kubernetes API request (not of a watch, which stays
 * open on purpose).
 *
 * @public
 */
export const KUBERNETES_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Every API request made through clients of this configuration is aborted
 * after `requestTimeoutMs`. Watches go through applyToFetchOptions and are
 * not bounded.
 */
class BoundedKubeConfig extends KubeConfig {
  constructor(private readonly requestTimeoutMs: number) {
    super();
  }

  override async applySecurityAuthentication(
    context: RequestContext,
  ): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
  }
}

/**
 * A client configuration for one configured cluster, authenticating with its
 * service-account token. API requests of its clients time out after
 * `requestTimeoutMs` (default 30 s).
 *
 * @public
 */
export function kubeConfigForCluster(
  cluster: ClusterDetails,
  options: { requestTimeoutMs?: number } = {},
): KubeConfig {
  if (cluster.authProvider !== 'serviceAccount') {
    throw new InputError(
      `kubernetes cluster '${cluster.name}': authProvider '${cluster.authProvider}' is not supported by the GitOps plugins; use serviceAccount`,
    );
  }
  const caData =
    cluster.caData ??
    (cluster.caFile
      ? fs.readFileSync(cluster.caFile).toString('base64')
      : undefined);
  const config = new BoundedKubeConfig(
    options.requestTimeoutMs ?? KUBERNETES_REQUEST_TIMEOUT_MS,
  );
  config.loadFromClusterAndUser(
    {
      name: cluster.name,
      server: cluster.url,
      caData,
      skipTLSVerify: cluster.skipTLSVerify,
    },
    {
      name: `${cluster.name}-service-account`,
      token: cluster.serviceAccountToken,
    },
  );
  return config;
}
