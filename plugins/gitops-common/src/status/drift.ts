import { InventoryRef } from './inventoryTree';

/**
 * A field of a live object that a field manager other than Flux's set.
 *
 * @public
 */
export interface DriftedField {
  /** Readable path: `spec.replicas`, `spec.template.spec.containers[name=app].env[name=MODE]`. */
  path: string;
  manager: string;
  /** `Update` (kubectl edit, scale, set, patch) or `Apply` (server-side apply). */
  operation: string;
  /** `scale` when written through the scale subresource (kubectl scale). */
  subresource?: string;
  time?: string;
  /** The live value as JSON (shortened); never for a Secret's data. */
  live?: string;
}

/**
 * An object of a Flux inventory that differs from what Flux applied:
 * `changed` by another field manager, or `missing` from the cluster.
 *
 * @public
 */
export interface DriftedObject extends InventoryRef {
  drift: 'changed' | 'missing';
  fields: DriftedField[];
}

/**
 * What differs between a Kustomization's or HelmRelease's inventory and the
 * cluster, and what a Sync will do about it.
 *
 * @public
 */
export interface DriftReport {
  /** The field manager Flux applies with (kustomize-controller, helm-controller). */
  fluxManager: string;
  /** Inventory entries, and how many of them were read. */
  total: number;
  checked: number;
  objects: DriftedObject[];
  /** Objects the backend could not read, with why. */
  unreadable: Array<InventoryRef & { message: string }>;
  /** What Sync does about drift for this kind (and its drift settings). */
  syncEffect: string;
  checkedAt: string;
}

/** The field manager each Flux applier writes with. *
 * @public
 */
export const FLUX_FIELD_MANAGERS: Record<string, string> = {
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
};

/**
 * Managers of the control plane: they write fields as part of running an
 * object (a Deployment's revision annotation, a Pod's node), not drift.
 */
const CONTROL_PLANE_MANAGERS = new Set([
  'kube-controller-manager',
  'kube-scheduler',
  'kube-apiserver',
]);

/**
 * Where drift is not: what the cluster reports and the object's identity.
 * Every other top-level field is (spec, data, rules, subjects, webhooks…),
 * and of metadata the labels and annotations.
 */
const NOT_DRIFT_ROOTS = new Set([
  'f:status',
  'f:metadata',
  'f:apiVersion',
  'f:kind',
]);
const METADATA_ROOTS = ['f:labels', 'f:annotations'];

/** Annotations whose value copies the whole object (a Secret's data too). */
const NEVER_SHOWN_ANNOTATIONS = new Set([
  'f:kubectl.kubernetes.io/last-applied-configuration',
]);

const LIVE_VALUE_LIMIT = 200;

/**
 * The owned leaves of a managedFields `fieldsV1` tree, as key paths: a node
 * with `.` is owned as a whole and not descended into.
 *
 * @public
 */
export function ownedFieldPaths(
  fields: Record<string, any> | undefined,
  prefix: string[] = [],
): string[][] {
  if (!fields || typeof fields !== 'object') {
    return [];
  }
  const keys = Object.keys(fields).filter(k => k !== '.');
  if (keys.length === 0 || ('.' in fields && prefix.length > 0)) {
    return prefix.length > 0 ? [prefix] : [];
  }
  return keys.flatMap(key => ownedFieldPaths(fields[key], [...prefix, key]));
}

/** `spec`, `[name=app]`, `["x"]`, `[3]` for fieldsV1 keys. *
 * @public
 */
export function readableFieldPath(keys: string[]): string {
  let path = '';
  for (const key of keys) {
    const kind = key.slice(0, 2);
    const rest = key.slice(2);
    if (kind === 'f:') {
      path += path ? `.${rest}` : rest;
    } else if (kind === 'k:') {
      const item = parseJson(rest);
      path +=
        item && typeof item === 'object'
          ? `[${Object.entries(item)
              .map(
                ([k, v]) =>
                  `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
              )
              .join(',')}]`
          : `[${rest}]`;
    } else if (kind === 'v:' || kind === 'i:') {
      path += `[${rest}]`;
    } else {
      path += `[${key}]`;
    }
  }
  return path;
}

/** The live value at a fieldsV1 key path, if the object has it. *
 * @public
 */
export function valueAtFieldPath(object: unknown, keys: string[]): unknown {
  let value: any = object;
  for (const key of keys) {
    if (value === undefined || value === null) {
      return undefined;
    }
    const kind = key.slice(0, 2);
    const rest = key.slice(2);
    if (kind === 'f:') {
      value = typeof value === 'object' ? value[rest] : undefined;
    } else if (!Array.isArray(value)) {
      return undefined;
    } else if (kind === 'k:') {
      const wanted = parseJson(rest);
      value =
        wanted && typeof wanted === 'object'
          ? value.find(item =>
              Object.entries(wanted).every(([k, v]) => item?.[k] === v),
            )
          : undefined;
    } else if (kind === 'v:') {
      const wanted = parseJson(rest);
      value = value.find(item => item === wanted);
    } else if (kind === 'i:') {
      value = value[Number(rest)];
    } else {
      return undefined;
    }
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function shortJson(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const text = JSON.stringify(value);
  return text.length > LIVE_VALUE_LIMIT
    ? `${text.slice(0, LIVE_VALUE_LIMIT - 1)}…`
    : text;
}

/** The key paths of one managedFields entry that drift can be about. */
function driftPaths(fieldsV1: Record<string, any> | undefined): string[][] {
  const paths: string[][] = [];
  for (const root of Object.keys(fieldsV1 ?? {})) {
    if (root.startsWith('f:') && !NOT_DRIFT_ROOTS.has(root)) {
      paths.push(...ownedFieldPaths(fieldsV1![root], [root]));
    }
  }
  const metadata = fieldsV1?.['f:metadata'];
  for (const root of METADATA_ROOTS) {
    if (metadata?.[root] !== undefined) {
      paths.push(...ownedFieldPaths(metadata[root], ['f:metadata', root]));
    }
  }
  return paths;
}

/**
 * The fields of a live object (read with its managedFields) that a manager
 * other than `fluxManager` and the control plane owns, outside `status`.
 * A field Flux shares with another manager holds the value Flux applied
 * (server-side apply keeps shared ownership only for equal values): not drift.
 *
 * @public
 */
export function driftedFields(
  live: { kind?: string; metadata?: { managedFields?: any[] } },
  fluxManager: string,
): DriftedField[] {
  const entries = live.metadata?.managedFields ?? [];
  const fluxOwned = new Set(
    entries
      .filter(e => e?.manager === fluxManager && e.subresource !== 'status')
      .flatMap(e => driftPaths(e.fieldsV1))
      .map(keys => keys.join('\u0000')),
  );
  // Nothing of a Secret's values, not even through its annotations.
  const hideValues = live.kind === 'Secret';
  const fields: DriftedField[] = [];
  for (const entry of entries) {
    if (
      !entry ||
      entry.manager === fluxManager ||
      CONTROL_PLANE_MANAGERS.has(entry.manager) ||
      entry.subresource === 'status'
    ) {
      continue;
    }
    for (const keys of driftPaths(entry.fieldsV1)) {
      if (fluxOwned.has(keys.join('\u0000'))) {
        continue;
      }
      const hidden =
        hideValues || keys.some(k => NEVER_SHOWN_ANNOTATIONS.has(k));
      fields.push({
        path: readableFieldPath(keys),
        manager: String(entry.manager),
        operation: String(entry.operation ?? ''),
        ...(entry.subresource
          ? { subresource: String(entry.subresource) }
          : {}),
        ...(entry.time
          ? {
              time:
                entry.time instanceof Date
                  ? entry.time.toISOString()
                  : String(entry.time),
            }
          : {}),
        ...(hidden ? {} : { live: shortJson(valueAtFieldPath(live, keys)) }),
      });
    }
  }
  return fields;
}

/**
 * What Sync does about drift, in the words of the Flux object's settings:
 * a Kustomization re-applies Git with server-side apply (force on
 * conflicts, kubectl-owned fields removed); a HelmRelease corrects drift
 * only with `spec.driftDetection.mode: enabled`.
 *
 * @public
 */
export function syncEffectOnDrift(resource: {
  kind: string;
  spec?: Record<string, any>;
}): string {
  if (resource.kind === 'HelmRelease') {
    const mode = resource.spec?.driftDetection?.mode ?? 'disabled';
    return mode === 'enabled'
      ? 'Sync lets helm-controller correct the drift: it upgrades the release back to its manifests (driftDetection: enabled).'
      : `Sync does not undo this drift: driftDetection is ${mode}, so helm-controller ${
          mode === 'warn' ? 'only reports it' : 'does not look for it'
        }; a change of the chart or its values upgrades the release.`;
  }
  const force = resource.spec?.force === true;
  return `Sync applies Git again: fields Git sets go back to Git's values, fields written by kubectl are removed, objects missing from the cluster are created again${
    force
      ? '; spec.force is on, so objects whose immutable fields changed are recreated'
      : ''
  }. Fields Git does not set, written by other managers, stay.`;
}
