import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ClusterDetails,
  kubeConfigForCluster,
  readClusterDetails,
} from '@gitops-backstage/plugin-gitops-node';

/**
 * How the actions reach a cluster: the cluster's details and its API, for
 * a cluster name. Tests pass their own.
 *
 * @public
 */
export type GitOpsClusterClientFactory = (
  config: Config,
  name: string | undefined,
) => { cluster: ClusterDetails; objects: KubernetesObjectApi };

/**
 * The cluster an action works on: the one named by `cluster`, or the only
 * configured one. Clusters come from the `kubernetes` config block.
 */
export const clusterClient: GitOpsClusterClientFactory = (config, name) => {
  const clusters = readClusterDetails(config);
  if (clusters.length === 0) {
    throw new InputError(
      'cluster: no clusters are configured under kubernetes.clusterLocatorMethods',
    );
  }
  let cluster: ClusterDetails | undefined;
  if (name) {
    cluster = clusters.find(c => c.name === name);
    if (!cluster) {
      throw new InputError(
        `cluster: '${name}' is not configured; known clusters: ${clusters
          .map(c => c.name)
          .join(', ')}`,
      );
    }
  } else if (clusters.length === 1) {
    cluster = clusters[0];
  } else {
    throw new InputError(
      `cluster: several clusters are configured (${clusters
        .map(c => c.name)
        .join(', ')}); name one`,
    );
  }
  return {
    cluster,
    objects: KubernetesObjectApi.makeApiClient(kubeConfigForCluster(cluster)),
  };
};
