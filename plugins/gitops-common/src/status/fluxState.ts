import { ANNOTATION_REPOSITORY_WEB_URL } from '../labels';
import { conditionOfType } from './conditions';
import {
  FluxCondition,
  FluxObjectStatus,
  FluxResource,
  FluxRetry,
  SyncState,
} from './types';

const isTrue = (c?: FluxCondition) => c?.status === 'True';

/**
 * Maps a Flux object's conditions to a {@link SyncState}. Unlike kstatus, a
 * Ready=False object that Flux keeps retrying is Failed, not in progress.
 *
 * @public
 */
export function syncState(resource: FluxResource): SyncState {
  if (resource.spec?.suspend) {
    return 'Suspended';
  }
  const ready = conditionOfType(resource, 'Ready');
  if (!ready) {
    return 'Unknown';
  }
  if (isTrue(conditionOfType(resource, 'Stalled'))) {
    return 'Failed';
  }
  const reconciling = conditionOfType(resource, 'Reconciling');
  const newGeneration =
    resource.metadata.generation !== undefined &&
    resource.status?.observedGeneration !== undefined &&
    resource.metadata.generation !== resource.status.observedGeneration;
  if (ready.status === 'True') {
    return newGeneration || isTrue(reconciling) ? 'Reconciling' : 'Ready';
  }
  if (ready.status === 'False') {
    // Flux sets Reconciling=True/ProgressingWithRetry while it retries a
    // failure; only a first attempt at new work is "in progress".
    if (
      isTrue(reconciling) &&
      reconciling?.reason !== 'ProgressingWithRetry' &&
      (ready.reason === 'Progressing' || newGeneration) &&
      !failedOnCurrentSpec(resource, ready)
    ) {
      return 'Reconciling';
    }
    return 'Failed';
  }
  return 'Reconciling';
}

/**
 * A HelmRelease whose release helm-controller attempted with this very spec
 * (status.lastAttemptedGeneration) and that failed (Ready=False for this
 * generation). helm-controller keeps Reconciling=True/Progressing and
 * status.observedGeneration -1 while it retries such a failure, so neither
 * means "in progress" then. Before any attempt (the chart still building:
 * SourceNotReady) it is in progress.
 */
function failedOnCurrentSpec(resource: FluxResource, ready: FluxCondition) {
  const generation = resource.metadata.generation;
  return (
    resource.kind === 'HelmRelease' &&
    generation !== undefined &&
    ready.reason !== 'Progressing' &&
    ready.observedGeneration === generation &&
    resource.status?.lastAttemptedGeneration === generation
  );
}

/**
 * Whether Flux will try a Failed object again on its own, with the failure
 * count where Flux keeps one (a HelmRelease's). The source-, kustomize- and
 * helm-controller mark a failure they will retry with
 * Reconciling=True/ProgressingWithRetry (helm-controller also with
 * Reconciling=True/Progressing beside a failed release of this spec); a
 * Stalled object waits for a change, a Failed one without the mark waits
 * for a dependency or source.
 *
 * @public
 */
export function fluxRetry(resource: FluxResource): FluxRetry | undefined {
  if (
    syncState(resource) !== 'Failed' ||
    isTrue(conditionOfType(resource, 'Stalled'))
  ) {
    return undefined;
  }
  const reconciling = conditionOfType(resource, 'Reconciling');
  const ready = conditionOfType(resource, 'Ready');
  const retrying =
    isTrue(reconciling) &&
    (reconciling?.reason === 'ProgressingWithRetry' ||
      (ready !== undefined && failedOnCurrentSpec(resource, ready)));
  if (!retrying) {
    return undefined;
  }
  return resource.kind === 'HelmRelease' ? helmReleaseRetry(resource) : {};
}

/** Helm release states of a completed release (Helm's release.Status). */
const SUCCESSFUL_RELEASES = new Set(['deployed', 'superseded']);

/**
 * helm-controller counts failures per Helm action and limits them by that
 * action's remediation; status.lastAttemptedReleaseAction names the action
 * (api/v2 GetActiveRemediation). Without it, an object never released
 * successfully is installing.
 */
function helmReleaseRetry(resource: FluxResource): FluxRetry {
  const status = resource.status ?? {};
  const installed = (status.history ?? []).some(release =>
    SUCCESSFUL_RELEASES.has(release.status ?? ''),
  );
  const action =
    status.lastAttemptedReleaseAction ?? (installed ? 'upgrade' : 'install');
  const failures =
    action === 'install' ? status.installFailures : status.upgradeFailures;
  const settings =
    action === 'install' ? resource.spec?.install : resource.spec?.upgrade;
  // RetryOnFailure retries at an interval without limit; remediation.retries
  // binds only RemediateOnFailure. Negative means unlimited.
  const retries =
    settings?.strategy?.name === 'RetryOnFailure'
      ? undefined
      : settings?.remediation?.retries;
  return {
    ...(failures ? { failures } : {}),
    ...(retries !== undefined && retries > 0 ? { maxRetries: retries } : {}),
  };
}

/**
 * Shortens `main@sha1:<40 hex>` to `main@1a2b3c4`; other revisions (chart
 * versions, digests) are shortened only when they carry a digest.
 *
 * @public
 */
export function shortRevision(revision?: string): string | undefined {
  if (!revision) {
    return undefined;
  }
  const match = /^(?:(.+)@)?(sha1|sha256):([0-9a-f]+)$/.exec(revision);
  if (match) {
    const [, ref, , digest] = match;
    return ref ? `${ref}@${digest.slice(0, 7)}` : digest.slice(0, 7);
  }
  // Legacy `main/<sha>` form.
  const legacy = /^(.+)\/([0-9a-f]{40})$/.exec(revision);
  return legacy ? `${legacy[1]}@${legacy[2].slice(0, 7)}` : revision;
}

/**
 * The revision the Flux CLI's `get` shows: a Kustomization's
 * lastAppliedRevision, a source's artifact revision, a HelmRelease's chart
 * version.
 *
 * @public
 */
export function fluxRevision(resource: FluxResource): string | undefined {
  if (resource.kind === 'HelmRelease') {
    return (
      resource.status?.history?.[0]?.chartVersion ??
      resource.status?.lastAppliedRevision
    );
  }
  return (
    resource.status?.lastAppliedRevision ?? resource.status?.artifact?.revision
  );
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * The Deployments, StatefulSets and DaemonSets in a Flux object's inventory.
 *
 * @public
 */
export function inventoryWorkloads(
  resource: FluxResource,
): Array<{ kind: string; namespace: string; name: string }> {
  return (resource.status?.inventory?.entries ?? [])
    .map(entry => entry.id.split('_'))
    .filter(parts => parts.length === 4 && WORKLOAD_KINDS.has(parts[3]))
    .map(([ns, name, , kind]) => ({ kind, namespace: ns, name }));
}

/**
 * The source a Kustomization or HelmRelease reads (a HelmRelease's through
 * its chart template or its chartRef), with the namespace Flux resolves
 * when the ref names none.
 *
 * @public
 */
export function sourceRefOf(
  resource: FluxResource,
): { kind: string; namespace: string; name: string } | undefined {
  const ref =
    resource.spec?.sourceRef ??
    resource.spec?.chart?.spec?.sourceRef ??
    resource.spec?.chartRef;
  return ref
    ? {
        kind: ref.kind,
        namespace: ref.namespace ?? resource.metadata.namespace ?? '',
        name: ref.name,
      }
    : undefined;
}

/**
 * The normalized status of one Flux object, as the portal's API serves it.
 *
 * @public
 */
export function fluxObjectStatus(
  cluster: string,
  resource: FluxResource,
  environmentLabel: string,
): FluxObjectStatus {
  const ready = conditionOfType(resource, 'Ready');
  const namespace = resource.metadata.namespace ?? '';
  const revision = fluxRevision(resource);
  const retrying = fluxRetry(resource);
  return {
    cluster,
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    namespace,
    name: resource.metadata.name,
    environment: resource.metadata.labels?.[environmentLabel],
    state: syncState(resource),
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason,
    message: ready ? (ready.message ?? '').trim() : 'waiting to be reconciled',
    suspended: Boolean(resource.spec?.suspend),
    revision,
    shortRevision: shortRevision(revision),
    lastAttemptedRevision: resource.status?.lastAttemptedRevision,
    lastTransitionTime: ready?.lastTransitionTime,
    lastHandledReconcileAt: resource.status?.lastHandledReconcileAt,
    ...(retrying && { retrying }),
    source: sourceRefOf(resource),
    url: resource.spec?.url,
    webUrl: resource.metadata.annotations?.[ANNOTATION_REPOSITORY_WEB_URL],
    dependsOn: (resource.spec?.dependsOn ?? []).map(d => ({
      namespace: d.namespace ?? namespace,
      name: d.name,
    })),
    workloads: inventoryWorkloads(resource),
  };
}

/**
 * The state of an environment: the worst of its objects' states.
 *
 * @public
 */
export function worstState(states: SyncState[]): SyncState {
  const order: SyncState[] = [
    'Failed',
    'Stale',
    'Reconciling',
    'Unknown',
    'Suspended',
    'Ready',
  ];
  return order.find(s => states.includes(s)) ?? 'Unknown';
}
