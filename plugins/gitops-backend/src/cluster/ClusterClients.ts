import { NotFoundError } from '@backstage/errors';
import { ClusterDetails } from '@gitops-backstage/plugin-gitops-node';
import { ClusterClient } from './ClusterClient';
import { KubernetesClusterClient } from './KubernetesClusterClient';

/** The client of each configured cluster, by name. */
export class ClusterClients {
  static forClusters(clusters: ClusterDetails[]): ClusterClients {
    return new ClusterClients(
      clusters.map(c => new KubernetesClusterClient(c)),
    );
  }

  constructor(private readonly clients: ClusterClient[]) {}

  all(): ClusterClient[] {
    return [...this.clients];
  }

  get(cluster: string): ClusterClient {
    const client = this.clients.find(c => c.cluster.name === cluster);
    if (!client) {
      throw new NotFoundError(`cluster '${cluster}' is not configured`);
    }
    return client;
  }
}
