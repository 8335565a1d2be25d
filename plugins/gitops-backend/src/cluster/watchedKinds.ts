import { FLUX_KINDS } from '@gitops-backstage/plugin-gitops-common';

/**
 * A kind the watcher keeps a copy of: a Flux kind from the shared registry,
 * or a workload kind that Flux inventories list (for their health).
 */
export interface WatchedKind {
  kind: string;
  group: string;
  plural: string;
  versions: readonly string[];
  role: 'flux' | 'inventory';
}

/** Workloads whose health the portal shows next to the Flux objects. */
export const INVENTORY_KINDS: WatchedKind[] = (
  [
    ['Deployment', 'deployments'],
    ['StatefulSet', 'statefulsets'],
    ['DaemonSet', 'daemonsets'],
  ] as const
).map(([kind, plural]) => ({
  kind,
  group: 'apps',
  plural,
  versions: ['v1'],
  role: 'inventory' as const,
}));

export const WATCHED_KINDS: WatchedKind[] = [
  ...FLUX_KINDS.map(k => ({
    kind: k.kind,
    group: k.group,
    plural: k.plural,
    versions: k.versions,
    role: 'flux' as const,
  })),
  ...INVENTORY_KINDS,
];
