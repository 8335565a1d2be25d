import { GitOpsErrorCode } from './errorCodes';

/**
 * A failing Flux object as its Ready condition describes it.
 *
 * @public
 */
export interface FluxFailure {
  kind: string;
  reason?: string;
  message?: string;
}

/**
 * What a failure means and what to do about it.
 *
 * @public
 */
export interface FailureClassification {
  code: GitOpsErrorCode;
  cause: string;
  fix: string;
}

interface Rule {
  code: GitOpsErrorCode;
  reasons?: string[];
  message?: RegExp;
  cause: string;
  fix: string;
}

const SPECIFIC_REASONS = new Set([
  'AuthenticationFailed',
  'DependencyNotReady',
  'HealthCheckFailed',
  'HealthCheckCanceled',
  'AccessDenied',
]);

// Messages are checked before generic reasons: Flux reports a wrong password as
// GitOperationFailed, and only the message says it was authentication.
const rules: Rule[] = [
  {
    code: 'GIT_AUTH_FAILED',
    reasons: ['AuthenticationFailed'],
    message:
      /authentication required|authorization failed|401|403 Forbidden|invalid credentials|could not read Username|secrets? .* not found/i,
    cause:
      'The Git server refused the credentials in the GitRepository Secret, or the Secret is missing.',
    fix: 'Check the username/password or token in the Secret named by spec.secretRef, then reconcile the source.',
  },
  {
    // A wrong repository URL: the host answers, the repository is not there.
    code: 'GIT_CLONE_FAILED',
    message: /repository not found|no such host|unable to access/i,
    cause:
      'source-controller could not clone the repository: wrong URL, unreachable host or TLS failure.',
    fix: 'Check spec.url and that the Git host is reachable from source-controller.',
  },
  {
    code: 'RESOURCE_NOT_FOUND',
    message:
      /not found|no such file|does not exist|couldn't find remote ref|reference not found/i,
    cause:
      'Something the object points at does not exist: a path in the repository, a branch, or a referenced object.',
    fix: 'Check spec.path, spec.ref and the referenced names against the repository and the cluster.',
  },
  {
    code: 'GIT_CLONE_FAILED',
    reasons: ['GitOperationFailed', 'URLInvalid'],
    cause:
      'source-controller could not clone the repository: wrong URL, unreachable host or TLS failure.',
    fix: 'Check spec.url and that the Git host is reachable from source-controller.',
  },
  {
    code: 'ARTIFACT_UNREACHABLE',
    message: /failed to download archive|failed to download artifact/i,
    cause:
      'The controller could not download the source artifact from source-controller (often a NetworkPolicy blocking port 9090).',
    fix: "Allow traffic from the Flux controllers to source-controller's pods on port 9090.",
  },
  {
    code: 'YAML_INVALID',
    reasons: ['BuildFailed'],
    message:
      /yaml|kustomize build failed|json: cannot unmarshal|mapping values are not allowed/i,
    cause: 'The manifests at the Kustomization path do not build.',
    fix: 'Run `kustomize build` on the path locally and fix the reported file.',
  },
  {
    code: 'DEPENDENCY_NOT_READY',
    reasons: ['DependencyNotReady'],
    cause: 'An object in spec.dependsOn is not Ready yet.',
    fix: 'Fix the dependency first; this object reconciles once it is Ready.',
  },
  {
    code: 'HEALTH_CHECK_FAILED',
    reasons: ['HealthCheckFailed', 'HealthCheckCanceled'],
    cause: 'The applied workloads did not become healthy within spec.timeout.',
    fix: 'Look at the failing workload (pods, events); fix the image or configuration, or raise spec.timeout.',
  },
  {
    code: 'INSUFFICIENT_PERMISSIONS',
    reasons: ['AccessDenied'],
    message: /forbidden|cannot (get|list|create|patch|update|delete)/i,
    cause:
      'The controller or its service account may not act on these objects.',
    fix: 'Grant the missing RBAC verbs to the service account named in the message.',
  },
  {
    code: 'CONFLICT',
    message: /conflict/i,
    cause: 'Another field manager owns fields this object tries to set.',
    fix: 'Remove the field from the other manager or let Flux own the object.',
  },
  {
    code: 'TIMEOUT',
    message: /timeout|timed out|deadline exceeded/i,
    cause: 'The reconciliation did not finish in time.',
    fix: 'Check the object events; raise spec.timeout if the workload is just slow.',
  },
];

/**
 * Maps a Flux failure (kind, Ready reason and message) to an error code with
 * its cause and fix.
 *
 * @public
 */
export function classifyFluxFailure(
  failure: FluxFailure,
): FailureClassification {
  const { reason = '', message = '' } = failure;
  const byMessage = rules.find(rule => rule.message?.test(message));
  const byReason = rules.find(rule => rule.reasons?.includes(reason));
  // Specific reasons say it all; generic ones (GitOperationFailed,
  // ArtifactFailed, ReconciliationFailed) need the message.
  const rule = SPECIFIC_REASONS.has(reason)
    ? byReason ?? byMessage
    : byMessage ?? byReason;
  if (rule) {
    return { code: rule.code, cause: rule.cause, fix: rule.fix };
  }
  return {
    code: 'RECONCILE_FAILED',
    cause: `${failure.kind} failed with reason ${reason || 'unknown'}.`,
    fix: `Read the message and the events of the ${failure.kind}.`,
  };
}
