import { FLUX_KIND } from '../fluxKinds';
import { conditionOfType } from './conditions';
import { FluxCondition, FluxResource } from './types';

/**
 * Where a Kustomization or HelmRelease stands with respect to a revision:
 *
 * - applied: Ready at the revision (at its current generation);
 * - ready-elsewhere: Ready at another revision (the caller may know it
 *   contains the wanted one, e.g. a later commit of the branch);
 * - progressing: working on it, or not yet at it;
 * - waiting-for-dependency: its dependsOn is not Ready yet; in a promotion
 *   chain that is the normal case while the stage before deploys;
 * - failed: failed at the revision in a way Flux only retries, stalled, or
 *   its source cannot fetch (`object` says which one failed).
 *
 * @public
 */
export type FluxProgress =
  | { state: 'applied'; revision?: string; reason?: string; message: string }
  | {
      state: 'ready-elsewhere';
      revision?: string;
      reason?: string;
      message: string;
    }
  | { state: 'progressing'; reason: string; message: string }
  | { state: 'waiting-for-dependency'; reason: string; message: string }
  | {
      state: 'failed';
      object: FluxResource;
      stalled: boolean;
      reason: string;
      message: string;
    };

/**
 * Ready=False reasons that mean a failure when no revision says whether the
 * failure is at the wanted one (HelmReleases, waits without a revision).
 * From the controllers' API packages at the stack's version
 * (fluxcd/pkg/apis/meta, kustomize-controller/api v1, helm-controller/api
 * v2); the other reasons are progress, success or waiting.
 */
const FLUX_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'AccessDenied',
  'BuildFailed',
  'Failed',
  'HealthCheckFailed',
  'InstallFailed',
  'InvalidCELExpression',
  'InvalidPath',
  'InvalidURL',
  'InventoryBuildFailed',
  'PruneFailed',
  'ReconciliationFailed',
  'RollbackFailed',
  'TestFailed',
  'UninstallFailed',
  'UpgradeFailed',
  'ValuesError',
]);

/** A source's Ready=False reasons for which Flux only tries the fetch again. */
const SOURCE_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'AuthenticationFailed',
  'GitOperationFailed',
  'InvalidURL',
  'StorageOperationFailed',
  'URLInvalid',
]);

const DEPENDENCY_NOT_READY = 'DependencyNotReady';

/**
 * Ready=False reasons that pass on their own even at the wanted revision:
 * an artifact download that is tried again, a health check cut short by
 * newer work.
 */
const PASSING_REASONS: ReadonlySet<string> = new Set([
  'ArtifactFailed',
  'HealthCheckCanceled',
  'Progressing',
]);

/**
 * Whether a Flux revision (`main@sha1:<sha>`, legacy `main/<sha>`, a bare
 * sha) is the wanted commit; a shorter wanted value is a sha prefix.
 *
 * @public
 */
export function isRevision(revision: string | undefined, wanted: string) {
  const sha = /([0-9a-f]{7,64})$/.exec(revision ?? '')?.[1];
  if (!sha || wanted.length === 0) {
    return false;
  }
  return wanted.length >= 40 ? sha === wanted : sha.startsWith(wanted);
}

function failed(
  object: FluxResource,
  condition: FluxCondition | undefined,
  stalled = false,
): FluxProgress {
  return {
    state: 'failed',
    object,
    stalled,
    reason: condition?.reason ?? 'Unknown',
    message: (condition?.message ?? '').trim(),
  };
}

/**
 * Judges a Kustomization's or HelmRelease's progress at `revision` (a
 * commit sha or its prefix; a HelmRelease's revision is its chart's, so it
 * is not compared). With `source`, a source that cannot fetch fails it.
 *
 * @public
 */
export function fluxProgress(
  object: FluxResource,
  options: { revision?: string; source?: FluxResource } = {},
): FluxProgress {
  const ready = conditionOfType(object, 'Ready');
  const reconciling = conditionOfType(object, 'Reconciling');
  const stalled = conditionOfType(object, 'Stalled');
  const message = (ready?.message ?? 'waiting to be reconciled').trim();
  const wanted =
    object.kind === FLUX_KIND.HelmRelease ? undefined : options.revision;
  const current =
    object.metadata.generation === undefined ||
    object.status?.observedGeneration === object.metadata.generation;

  if (stalled?.status === 'True') {
    return failed(object, ready ?? stalled, true);
  }
  if (ready?.status === 'True' && current) {
    const applied =
      object.status?.lastAppliedRevision ??
      object.status?.lastAttemptedRevision;
    const state =
      !wanted || isRevision(applied, wanted) ? 'applied' : 'ready-elsewhere';
    return { state, revision: applied, reason: ready.reason, message };
  }
  if (ready?.status === 'False') {
    if (ready.reason === DEPENDENCY_NOT_READY) {
      return {
        state: 'waiting-for-dependency',
        reason: ready.reason,
        message,
      };
    }
    // Reconciling=True for new work (not ProgressingWithRetry): its first
    // attempt, whatever Ready says of the last one.
    const firstAttempt =
      reconciling?.status === 'True' &&
      reconciling.reason !== 'ProgressingWithRetry';
    const failedHere = wanted
      ? isRevision(object.status?.lastAttemptedRevision, wanted)
      : FLUX_FAILURE_REASONS.has(ready.reason ?? '');
    // No generation check here: Flux moves observedGeneration only on
    // success, so a new object's failed first build never looks current.
    if (
      failedHere &&
      !firstAttempt &&
      !PASSING_REASONS.has(ready.reason ?? '')
    ) {
      return failed(object, ready);
    }
  }
  const sourceReady =
    options.source && conditionOfType(options.source, 'Ready');
  if (
    options.source &&
    sourceReady?.status === 'False' &&
    SOURCE_FAILURE_REASONS.has(sourceReady.reason ?? '')
  ) {
    return failed(options.source, sourceReady);
  }
  return {
    state: 'progressing',
    reason: ready?.reason ?? 'NotReconciled',
    message,
  };
}
