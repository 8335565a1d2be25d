/**
 * The Flux kinds the portal reads, with every API version it understands,
 * newest first. The cluster's preferred served version wins.
 */
export interface FluxKind {
  group: string;
  kind: string;
  plural: string;
  versions: string[];
  /** Kinds users act on (reconcile, suspend) in the entity's tab. */
  workload: boolean;
  /** Flux objects, or the workloads of their inventories (for health). */
  role?: 'flux' | 'inventory';
}

export const FLUX_KINDS: FluxKind[] = [
  {
    group: 'kustomize.toolkit.fluxcd.io',
    kind: 'Kustomization',
    plural: 'kustomizations',
    versions: ['v1', 'v1beta2'],
    workload: true,
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    kind: 'HelmRelease',
    plural: 'helmreleases',
    versions: ['v2', 'v2beta2', 'v2beta1'],
    workload: true,
  },
  ...(
    [
      ['GitRepository', 'gitrepositories'],
      ['OCIRepository', 'ocirepositories'],
      ['HelmRepository', 'helmrepositories'],
      ['HelmChart', 'helmcharts'],
      ['Bucket', 'buckets'],
    ] as const
  ).map(([kind, plural]) => ({
    group: 'source.toolkit.fluxcd.io',
    kind,
    plural,
    versions: ['v1', 'v1beta2'],
    workload: false,
  })),
];

/** Workloads whose health the portal shows next to the Flux objects. */
export const INVENTORY_KINDS: FluxKind[] = (
  [
    ['Deployment', 'deployments'],
    ['StatefulSet', 'statefulsets'],
    ['DaemonSet', 'daemonsets'],
  ] as const
).map(([kind, plural]) => ({
  group: 'apps',
  kind,
  plural,
  versions: ['v1'],
  workload: false,
  role: 'inventory' as const,
}));

export function fluxKindByName(kind: string): FluxKind | undefined {
  return FLUX_KINDS.find(k => k.kind === kind);
}
