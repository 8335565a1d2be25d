import { syncState } from './fluxState';
import { FluxResource, SyncState } from './types';
import { WorkloadHealth } from './workloadHealth';

/**
 * An object of a Flux inventory (`status.inventory.entries` of a
 * Kustomization or a HelmRelease).
 *
 * @public
 */
export interface InventoryRef {
  apiVersion: string;
  kind: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
}

/**
 * Reads an inventory entry: `id` is `<namespace>_<name>_<group>_<kind>`
 * with an empty namespace for cluster-scoped objects, an empty group for
 * the core API, and a name's colons written `__` (RBAC names); `v` the
 * version. Undefined for an id not in that form.
 *
 * @public
 */
export function parseInventoryEntry(entry: {
  id: string;
  v?: string;
}): InventoryRef | undefined {
  const first = entry.id.indexOf('_');
  const last = entry.id.lastIndexOf('_');
  if (first < 0 || last <= first) {
    return undefined;
  }
  const namespace = entry.id.slice(0, first);
  const kind = entry.id.slice(last + 1);
  const rest = entry.id.slice(first + 1, last);
  const groupAt = rest.lastIndexOf('_');
  if (groupAt < 0) {
    return undefined;
  }
  const group = rest.slice(groupAt + 1);
  const name = rest.slice(0, groupAt).replace(/__/g, ':');
  if (!name || !kind || name.includes('_')) {
    return undefined;
  }
  const version = entry.v ?? '';
  return {
    apiVersion: group ? `${group}/${version}` : version,
    kind,
    namespace,
    name,
  };
}

/** @public */
export interface InventoryTreeNode extends InventoryRef {
  /** A Kustomization's or HelmRelease's state, where the portal sees it. */
  state?: SyncState;
  /** A workload's health and "ready/desired", where the portal watches it. */
  health?: WorkloadHealth;
  ready?: string;
  /** Why a Flux object or a workload is not Ready / Healthy. */
  reason?: string;
  /** A Kustomization's or HelmRelease's own inventory, grouped. */
  children?: InventoryTreeGroup[];
  /**
   * Why a Kustomization or HelmRelease in the inventory is not expanded:
   * `not-found` (the portal does not see it), `cycle` (it is one of the
   * objects above it), `depth` (past the deepest level drawn).
   */
  unexpanded?: 'not-found' | 'cycle' | 'depth';
}

/** Objects of one kind in one namespace (empty: cluster-scoped). @public */
export interface InventoryTreeGroup {
  kind: string;
  namespace: string;
  items: InventoryTreeNode[];
}

/** @public */
export interface InventoryTree {
  root: InventoryTreeNode;
  /** Objects in the whole tree, the root left out. */
  total: number;
}

/** What the tree reads from the portal's caches: no request per object. @public */
export interface InventoryLookup {
  fluxObject(
    kind: string,
    namespace: string,
    name: string,
  ): FluxResource | undefined;
  workload(
    kind: string,
    namespace: string,
    name: string,
  ): { health: WorkloadHealth; ready: string; reason?: string } | undefined;
}

const NESTING_KINDS = new Set(['Kustomization', 'HelmRelease']);
const DEFAULT_MAX_DEPTH = 8;

function fluxReason(resource: FluxResource): string | undefined {
  const ready = resource.status?.conditions?.find(c => c.type === 'Ready');
  return ready && ready.status !== 'True'
    ? [ready.reason, ready.message].filter(Boolean).join(': ')
    : undefined;
}

/**
 * What a Kustomization or HelmRelease applied, as `flux tree kustomization`
 * shows it: its inventory grouped by kind and namespace (sorted), the
 * Kustomizations and HelmReleases in it expanded with their own
 * inventories, each object with the health the portal knows.
 *
 * @public
 */
export function inventoryTree(
  root: FluxResource,
  lookup: InventoryLookup,
  maxDepth = DEFAULT_MAX_DEPTH,
): InventoryTree {
  let total = 0;
  const keyOf = (kind: string, namespace: string, name: string) =>
    `${kind}/${namespace}/${name}`;

  const expand = (
    resource: FluxResource,
    above: Set<string>,
    depth: number,
  ): InventoryTreeGroup[] => {
    const groups = new Map<string, InventoryTreeGroup>();
    for (const entry of resource.status?.inventory?.entries ?? []) {
      const ref = parseInventoryEntry(entry);
      if (!ref) {
        continue;
      }
      total++;
      const node: InventoryTreeNode = { ...ref };
      const workload = lookup.workload(ref.kind, ref.namespace, ref.name);
      if (workload) {
        node.health = workload.health;
        node.ready = workload.ready;
        node.reason = workload.reason;
      }
      if (NESTING_KINDS.has(ref.kind)) {
        const key = keyOf(ref.kind, ref.namespace, ref.name);
        const nested = lookup.fluxObject(ref.kind, ref.namespace, ref.name);
        if (!nested) {
          node.unexpanded = 'not-found';
        } else {
          node.state = syncState(nested);
          node.reason = fluxReason(nested);
          if (above.has(key)) {
            node.unexpanded = 'cycle';
          } else if (depth >= maxDepth) {
            node.unexpanded = 'depth';
          } else {
            node.children = expand(nested, new Set([...above, key]), depth + 1);
          }
        }
      }
      const groupKey = `${ref.kind}\n${ref.namespace}`;
      if (!groups.has(groupKey)) {
        groups.set(groupKey, {
          kind: ref.kind,
          namespace: ref.namespace,
          items: [],
        });
      }
      groups.get(groupKey)!.items.push(node);
    }
    const sorted = [...groups.values()].sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace),
    );
    for (const group of sorted) {
      group.items.sort((a, b) => a.name.localeCompare(b.name));
    }
    return sorted;
  };

  const namespace = root.metadata.namespace ?? '';
  const rootKey = keyOf(root.kind, namespace, root.metadata.name);
  return {
    root: {
      apiVersion: root.apiVersion,
      kind: root.kind,
      namespace,
      name: root.metadata.name,
      state: syncState(root),
      reason: fluxReason(root),
      children: expand(root, new Set([rootKey]), 1),
    },
    total,
  };
}
