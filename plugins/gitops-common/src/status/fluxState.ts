import { ANNOTATION_REPOSITORY_WEB_URL } from '../labels';
import { conditionOfType } from './conditions';
import {
  FluxCondition,
  FluxObjectStatus,
  FluxResource,
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
      (ready.reason === 'Progressing' || newGeneration)
    ) {
      return 'Reconciling';
    }
    return 'Failed';
  }
  return 'Reconciling';
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
