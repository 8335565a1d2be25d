import {
  classifyFluxFailure,
  FLUX_KIND,
  FluxCondition,
  FluxResource,
  GitOpsErrorCode,
} from '@gitops-backstage/plugin-gitops-common';

export type Readiness =
  | { state: 'ready'; revision?: string; message?: string }
  | { state: 'waiting'; reason: string; message: string }
  | {
      state: 'failed';
      kind: string;
      name: string;
      reason: string;
      message: string;
      code: GitOpsErrorCode;
      cause: string;
      fix: string;
    };

// Ready=False reasons after which Flux only retries the same thing: worth
// reporting at once rather than at the timeout.
const WORKLOAD_FAILURES = new Set([
  'BuildFailed',
  'ReconciliationFailed',
  'HealthCheckFailed',
  'PruneFailed',
  'AccessDenied',
  'InvalidCELExpression',
  'InstallFailed',
  'UpgradeFailed',
  'RollbackFailed',
  'ValuesError',
]);
const SOURCE_FAILURES = new Set([
  'GitOperationFailed',
  'AuthenticationFailed',
  'URLInvalid',
  'StorageOperationFailed',
]);

function ready(object: FluxResource): FluxCondition | undefined {
  return object.status?.conditions?.find(c => c.type === 'Ready');
}

function isTrue(object: FluxResource, type: string): boolean {
  return (
    object.status?.conditions?.some(
      c => c.type === type && c.status === 'True',
    ) ?? false
  );
}

function revisionMatches(revision: string | undefined, wanted?: string) {
  if (!wanted) {
    return true;
  }
  // Git revisions look like main@sha1:<sha>; the wanted value is a sha.
  return Boolean(revision && revision.split(':').pop()?.startsWith(wanted));
}

function failed(object: FluxResource, condition: FluxCondition): Readiness {
  const kind = object.kind;
  const reason = condition.reason ?? 'Unknown';
  const message = (condition.message ?? '').trim();
  return {
    state: 'failed',
    kind,
    name: `${object.metadata.namespace}/${object.metadata.name}`,
    reason,
    message,
    ...classifyFluxFailure({ kind, reason, message }),
  };
}

/**
 * Where a Kustomization or HelmRelease stands with respect to `revision`
 * (a commit sha): Ready at it, still on its way, or failed in a way Flux
 * will only retry. Its source is consulted when it waits for an artifact.
 */
export function assessReadiness(
  workload: FluxResource,
  source: FluxResource | undefined,
  revision?: string,
): Readiness {
  const condition = ready(workload);
  const current =
    workload.status?.observedGeneration === workload.metadata.generation;
  if (isTrue(workload, 'Stalled') && condition) {
    return failed(workload, condition);
  }
  if (condition?.status === 'True' && current) {
    const applied =
      workload.status?.lastAppliedRevision ??
      workload.status?.lastAttemptedRevision;
    if (
      workload.kind === FLUX_KIND.HelmRelease ||
      revisionMatches(applied, revision)
    ) {
      return { state: 'ready', revision: applied, message: condition.message };
    }
  }
  if (
    condition?.status === 'False' &&
    WORKLOAD_FAILURES.has(condition.reason ?? '') &&
    (workload.kind === FLUX_KIND.HelmRelease ||
      revisionMatches(workload.status?.lastAttemptedRevision, revision))
  ) {
    return failed(workload, condition);
  }
  const sourceCondition = source && ready(source);
  if (
    source &&
    sourceCondition?.status === 'False' &&
    SOURCE_FAILURES.has(sourceCondition.reason ?? '')
  ) {
    return failed(source, sourceCondition);
  }
  return {
    state: 'waiting',
    reason: condition?.reason ?? 'NotReconciled',
    message: (condition?.message ?? 'waiting to be reconciled').trim(),
  };
}
