/**
 * Cluster access shared by the GitOps backend plugin and scaffolder module.
 *
 * @packageDocumentation
 */
export * from './clusters/clusterConfig';
export * from './kubernetes/kubeConfig';
export * from './kubernetes/serverSideApply';
export {
  describeKubernetesError,
  isClusterUnreachable,
  isKubernetesRequestTimeout,
  kubernetesErrorCode,
} from './kubernetes/errors';
export * from './git/gitCredentials';
export * from './git/runGit';
export * from './git/deployKeys';
export * from './git/repositoryIdentity';
