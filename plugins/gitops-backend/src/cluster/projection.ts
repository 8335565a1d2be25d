import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
  WorkloadResource,
} from '@gitops-backstage/plugin-gitops-common';
import { WatchedKind } from './watchedKinds';

/** The label prefix each Flux applier puts on what it applies (`<prefix>/name`, `<prefix>/namespace`). */
export const APPLIER_LABEL_PREFIXES: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io',
  HelmRelease: 'helm.toolkit.fluxcd.io',
};

/** Whether an object carries the labels of `applier` as the one that applied it. */
export function isAppliedBy(
  object: { metadata?: { labels?: Record<string, string> } },
  applier: { kind: string; metadata: { name?: string; namespace?: string } },
): boolean {
  const prefix = APPLIER_LABEL_PREFIXES[applier.kind];
  const labels = object.metadata?.labels ?? {};
  return (
    prefix !== undefined &&
    labels[`${prefix}/name`] === applier.metadata.name &&
    labels[`${prefix}/namespace`] === applier.metadata.namespace
  );
}

/** Labels kustomize-controller and helm-controller put on what they apply. */
export const FLUX_OWNER_LABELS = Object.values(APPLIER_LABEL_PREFIXES).flatMap(
  prefix => [`${prefix}/name`, `${prefix}/namespace`],
);

/** Drops what the portal never reads, to keep the copy small. */
export function strip(object: any, kind: WatchedKind): FluxResource {
  if (kind.role === 'inventory') {
    // Only what the health and the deploy history need: no pod template,
    // no annotations; of managedFields only who last changed the spec.
    const { name, namespace, generation, uid } = object.metadata ?? {};
    const labels = object.metadata?.labels ?? {};
    const {
      observedGeneration,
      replicas,
      readyReplicas,
      availableReplicas,
      updatedReplicas,
      desiredNumberScheduled,
      numberReady,
      conditions,
    } = object.status ?? {};
    return {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        name,
        namespace,
        generation,
        uid,
        labels: pick(labels, FLUX_OWNER_LABELS),
        specManagers: specManagers(object.metadata?.managedFields),
      },
      spec: {
        replicas: object.spec?.replicas,
        images: object.spec?.template?.spec?.containers?.map(
          (c: any) => `${c.name}=${c.image}`,
        ),
      },
      status: {
        observedGeneration,
        replicas,
        readyReplicas,
        availableReplicas,
        updatedReplicas,
        desiredNumberScheduled,
        numberReady,
        conditions: conditions?.map((c: any) => ({
          type: c.type,
          status: c.status,
          reason: c.reason,
        })),
      },
    } as FluxResource;
  }
  // Only what the status mapping and actions read: no managedFields, uid,
  // timestamps, finalizers or last-applied copies.
  const { name, namespace, uid, generation, labels, resourceVersion } =
    object.metadata ?? {};
  const metadata: FluxResource['metadata'] = {
    name,
    namespace,
    uid,
    generation,
    labels,
    resourceVersion,
  };
  const owners = fieldOwners(object.metadata?.managedFields);
  if (owners) {
    metadata.fieldOwners = owners;
  }
  if (object.metadata?.annotations) {
    const {
      'kubectl.kubernetes.io/last-applied-configuration': _lastApplied,
      ...annotations
    } = object.metadata.annotations;
    metadata.annotations = annotations;
  }
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata,
    spec: object.spec,
    status: object.status,
  };
}

/** A field manager that last changed a workload's spec, and when. */
export interface SpecManager {
  manager: string;
  operation: string;
  time?: string;
}

/** The watcher's trimmed copy of a workload. */
export type WatchedWorkload = WorkloadResource & {
  metadata: {
    uid?: string;
    labels?: Record<string, string>;
    specManagers?: SpecManager[];
  };
  spec?: { images?: string[] };
};

function specManagers(managedFields: any[] | undefined): SpecManager[] {
  return (managedFields ?? [])
    .filter((m: any) => !m.subresource && m.fieldsV1?.['f:spec'] !== undefined)
    .map((m: any) => ({
      manager: m.manager,
      operation: m.operation,
      time: m.time instanceof Date ? m.time.toISOString() : m.time,
    }));
}

/** Spec fields whose writer decides where the portal reads and writes Git. */
const BINDING_FIELDS = ['url', 'path'];

/** The field of an object's claim for an entity, as fieldOwners names it. */
export const ENTITY_CLAIM_FIELD = `metadata.annotations.${ANNOTATION_ENTITY_REF}`;

/**
 * Who manages each binding field (`spec.url`, `spec.path`) and the entity
 * claim (ENTITY_CLAIM_FIELD), if any.
 */
function fieldOwners(
  managedFields: any[] | undefined,
): Record<string, string[]> | undefined {
  const owners: Record<string, string[]> = {};
  for (const entry of managedFields ?? []) {
    if (entry?.subresource) {
      continue;
    }
    const spec = entry?.fieldsV1?.['f:spec'];
    for (const field of BINDING_FIELDS) {
      if (spec?.[`f:${field}`] !== undefined) {
        (owners[`spec.${field}`] ??= []).push(String(entry.manager));
      }
    }
    const annotations = entry?.fieldsV1?.['f:metadata']?.['f:annotations'];
    if (annotations?.[`f:${ANNOTATION_ENTITY_REF}`] !== undefined) {
      (owners[ENTITY_CLAIM_FIELD] ??= []).push(String(entry.manager));
    }
  }
  return Object.keys(owners).length > 0 ? owners : undefined;
}

function pick(values: Record<string, string>, keys: string[]) {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    if (values[key] !== undefined) {
      picked[key] = values[key];
    }
  }
  return picked;
}
