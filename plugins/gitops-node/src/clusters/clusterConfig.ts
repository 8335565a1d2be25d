import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * A cluster as Backstage's Kubernetes plugin configures it under
 * `kubernetes.clusterLocatorMethods[].clusters` (type `config`).
 *
 * @public
 */
export interface ClusterDetails {
  name: string;
  title?: string;
  url: string;
  authProvider: string;
  /** Service-account token; never logged or returned by the API. */
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
}

/**
 * Reads the clusters of every `config` cluster locator from the `kubernetes`
 * block, so clusters are configured once for both plugins. The GitOps
 * plugins write to clusters (Flux objects, Secrets, RBAC) where Backstage's
 * Kubernetes plugin only reads and proxies: `gitops.clusterCredentials`
 * gives them a token of their own per cluster, so the `kubernetes` block
 * can hold read-only ones.
 *
 * @public
 */
export function readClusterDetails(rootConfig: Config): ClusterDetails[] {
  const clusters = readKubernetesClusters(rootConfig);
  for (const credential of rootConfig.getOptionalConfigArray(
    'gitops.clusterCredentials',
  ) ?? []) {
    const name = credential.getString('name');
    const cluster = clusters.find(c => c.name === name);
    if (!cluster) {
      throw new InputError(
        `gitops.clusterCredentials: no cluster '${name}' under kubernetes.clusterLocatorMethods`,
      );
    }
    cluster.authProvider = 'serviceAccount';
    cluster.serviceAccountToken = credential.getString('serviceAccountToken');
  }
  return clusters;
}

function readKubernetesClusters(rootConfig: Config): ClusterDetails[] {
  const locators =
    rootConfig.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ClusterDetails[] = [];
  for (const locator of locators) {
    if (locator.getString('type') !== 'config') {
      continue;
    }
    for (const cluster of locator.getOptionalConfigArray('clusters') ?? []) {
      const authProvider = cluster.getString('authProvider');
      const details: ClusterDetails = {
        name: cluster.getString('name'),
        title: cluster.getOptionalString('title'),
        url: cluster.getString('url'),
        authProvider,
        serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      };
      if (authProvider === 'serviceAccount' && !details.serviceAccountToken) {
        throw new InputError(
          `kubernetes cluster '${details.name}': authProvider serviceAccount needs serviceAccountToken`,
        );
      }
      clusters.push(details);
    }
  }
  const names = new Set<string>();
  for (const { name } of clusters) {
    if (names.has(name)) {
      throw new InputError(`kubernetes cluster name '${name}' is used twice`);
    }
    names.add(name);
  }
  return clusters;
}
