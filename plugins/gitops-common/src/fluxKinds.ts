/**
 * The Flux kinds the portal reads and writes, in one registry: API group,
 * every version it understands (newest first; a cluster's preferred served
 * version wins), the plural of its REST path, and what the portal may do
 * with it. Backend and scaffolder read kinds from here, never from literals.
 *
 * @public
 */
export interface FluxKindInfo {
  kind: string;
  group: string;
  plural: string;
  versions: readonly string[];
  /**
   * Reconciled by a Flux controller: `reconcile.fluxcd.io/requestedAt` makes
   * it act at once, and `spec.suspend` stops it.
   */
  reconcilable: boolean;
  /**
   * Applies manifests to the cluster (Kustomization, HelmRelease): what an
   * environment runs and what users act on first. Sources only fetch.
   */
  appliesManifests: boolean;
}

/**
 * The names of the Flux kinds, as named constants.
 *
 * @public
 */
export const FLUX_KIND = {
  Kustomization: 'Kustomization',
  HelmRelease: 'HelmRelease',
  GitRepository: 'GitRepository',
  OCIRepository: 'OCIRepository',
  HelmRepository: 'HelmRepository',
  HelmChart: 'HelmChart',
  Bucket: 'Bucket',
} as const;

/** @public */
export type FluxKindName = (typeof FLUX_KIND)[keyof typeof FLUX_KIND];

const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

/**
 * Every Flux kind the portal knows.
 *
 * @public
 */
export const FLUX_KINDS: readonly FluxKindInfo[] = [
  {
    kind: FLUX_KIND.Kustomization,
    group: 'kustomize.toolkit.fluxcd.io',
    plural: 'kustomizations',
    versions: ['v1', 'v1beta2'],
    reconcilable: true,
    appliesManifests: true,
  },
  {
    kind: FLUX_KIND.HelmRelease,
    group: 'helm.toolkit.fluxcd.io',
    plural: 'helmreleases',
    versions: ['v2', 'v2beta2', 'v2beta1'],
    reconcilable: true,
    appliesManifests: true,
  },
  ...(
    [
      [FLUX_KIND.GitRepository, 'gitrepositories'],
      [FLUX_KIND.OCIRepository, 'ocirepositories'],
      [FLUX_KIND.HelmRepository, 'helmrepositories'],
      [FLUX_KIND.HelmChart, 'helmcharts'],
      [FLUX_KIND.Bucket, 'buckets'],
    ] as const
  ).map(([kind, plural]) => ({
    kind,
    group: SOURCE_GROUP,
    plural,
    versions: ['v1', 'v1beta2'],
    reconcilable: true,
    appliesManifests: false,
  })),
];

/**
 * The registry entry of a Flux kind, or undefined for other kinds.
 *
 * @public
 */
export function fluxKindInfo(kind: string): FluxKindInfo | undefined {
  return FLUX_KINDS.find(k => k.kind === kind);
}

/**
 * The apiVersion the portal writes a Flux kind with: its newest version.
 *
 * @public
 */
export function fluxApiVersion(kind: FluxKindName): string {
  const info = fluxKindInfo(kind)!;
  return `${info.group}/${info.versions[0]}`;
}

/**
 * The annotation that asks a Flux controller to reconcile now (upstream
 * `meta.ReconcileRequestAnnotation`).
 *
 * @public
 */
export const RECONCILE_REQUESTED_AT_ANNOTATION =
  'reconcile.fluxcd.io/requestedAt';
