/**
 * Error codes of diagnostic findings. The first ten are the in-house
 * platform's; the others name what the health checks add.
 *
 * @public
 */
export const GITOPS_ERROR_CODES = [
  'FLUX_NOT_INSTALLED',
  'GIT_AUTH_FAILED',
  'GIT_CLONE_FAILED',
  'YAML_INVALID',
  'RESOURCE_NOT_FOUND',
  'DEPENDENCY_NOT_READY',
  'HEALTH_CHECK_FAILED',
  'TIMEOUT',
  'INSUFFICIENT_PERMISSIONS',
  'CONFLICT',
  'ARTIFACT_UNREACHABLE',
  'RECONCILE_FAILED',
  'CLUSTER_UNREACHABLE',
  'CONTROLLER_UNHEALTHY',
  'CRD_VERSION_UNSUPPORTED',
  'NETWORK_POLICY_BLOCKED',
  'DEPENDENCY_MISSING',
  'DEPENDENCY_CYCLE',
  'STALE_SYNC',
  'ZOMBIE_RESOURCE',
  'SOURCE_AUTH_FAILED',
  'SOURCE_FETCH_FAILED',
  'FLUX_LOCKDOWN_OFF',
] as const;

/** @public */
export type GitOpsErrorCode = (typeof GITOPS_ERROR_CODES)[number];
