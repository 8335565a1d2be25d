import fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import { ClusterDetails } from '../clusters/clusterConfig';

/**
 * A client configuration for one configured cluster, authenticating with its
 * service-account token.
 *
 * @public
 */
export function kubeConfigForCluster(cluster: ClusterDetails): KubeConfig {
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
  const config = new KubeConfig();
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
