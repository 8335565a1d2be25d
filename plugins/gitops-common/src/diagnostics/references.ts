import { FluxResource } from '../status';

/**
 * An object a Flux object's spec points at, with the field that names it.
 *
 * @public
 */
export interface FluxReference {
  /** The spec field, as a person reads it: `spec.decryption.secretRef`. */
  field: string;
  kind: string;
  namespace: string;
  name: string;
  /** Flux carries on without it (`optional: true` in valuesFrom/substituteFrom). */
  optional?: boolean;
}

/**
 * What the cluster says about one reference: whether it exists and, for
 * Flux objects, whether it is Ready.
 *
 * @public
 */
export interface ReferenceFact extends FluxReference {
  exists: boolean;
  /** Ready condition of a referenced Flux object. */
  ready?: { status: string; reason?: string; message?: string };
}

/**
 * Everything outside the object that its diagnosis needs, gathered by the
 * caller from the cluster. Absent facts are unknown, not false.
 *
 * @public
 */
export interface FailureFacts {
  /** One fact per reference of `referencesOf(object)` that was checked. */
  references?: ReferenceFact[];
  /** The Flux controllers' Deployments and whether each is Available. */
  controllers?: Array<{ name: string; available: boolean }>;
  /** The object's core/v1 Events, newest first. */
  events?: Array<{
    type?: string;
    reason?: string;
    message?: string;
    lastTimestamp?: string;
  }>;
}

type Spec = Record<string, any>;

function secretRef(
  spec: Spec | undefined,
  field: string,
  path: string,
  namespace: string,
): FluxReference[] {
  const name = spec?.[field]?.name;
  return typeof name === 'string'
    ? [{ field: `${path}.${field}`, kind: 'Secret', namespace, name }]
    : [];
}

function namedRefs(
  list: unknown,
  path: string,
  namespace: string,
  defaultKind?: string,
): FluxReference[] {
  if (!Array.isArray(list)) {
    return [];
  }
  return list
    .filter(item => typeof item?.name === 'string')
    .map((item, index) => ({
      field: `${path}[${index}]`,
      kind: item.kind ?? defaultKind,
      namespace: item.namespace ?? namespace,
      name: item.name,
      optional: item.optional === true ? true : undefined,
    }));
}

/**
 * The objects a Flux object's spec refers to, in the order a diagnosis
 * should blame them: its source first, then credentials and inputs, then
 * the identity it acts as, then what it waits for.
 *
 * @public
 */
export function referencesOf(object: FluxResource): FluxReference[] {
  const spec = (object.spec ?? {}) as Spec;
  const ns = object.metadata.namespace ?? 'default';
  const refs: FluxReference[] = [];
  const sourceRef = (path: string, ref: Spec | undefined) => {
    if (ref?.name && ref?.kind) {
      refs.push({
        field: path,
        kind: ref.kind,
        namespace: ref.namespace ?? ns,
        name: ref.name,
      });
    }
  };
  switch (object.kind) {
    case 'Kustomization':
      sourceRef('spec.sourceRef', spec.sourceRef);
      refs.push(
        ...secretRef(spec.decryption, 'secretRef', 'spec.decryption', ns),
      );
      refs.push(
        ...namedRefs(
          spec.postBuild?.substituteFrom,
          'spec.postBuild.substituteFrom',
          ns,
        ).map(r => ({ ...r, namespace: ns })),
      );
      refs.push(
        ...secretRef(spec.kubeConfig, 'secretRef', 'spec.kubeConfig', ns),
      );
      break;
    case 'HelmRelease':
      sourceRef('spec.chart.spec.sourceRef', spec.chart?.spec?.sourceRef);
      sourceRef('spec.chartRef', spec.chartRef);
      refs.push(
        ...namedRefs(spec.valuesFrom, 'spec.valuesFrom', ns).map(r => ({
          ...r,
          namespace: ns,
        })),
      );
      refs.push(
        ...secretRef(spec.kubeConfig, 'secretRef', 'spec.kubeConfig', ns),
      );
      break;
    case 'HelmChart':
      sourceRef('spec.sourceRef', spec.sourceRef);
      refs.push(...secretRef(spec.verify, 'secretRef', 'spec.verify', ns));
      break;
    default:
      // Sources: GitRepository, OCIRepository, HelmRepository, Bucket.
      refs.push(...secretRef(spec, 'secretRef', 'spec', ns));
      refs.push(...secretRef(spec, 'certSecretRef', 'spec', ns));
      refs.push(...secretRef(spec, 'proxySecretRef', 'spec', ns));
      refs.push(...secretRef(spec.verify, 'secretRef', 'spec.verify', ns));
      break;
  }
  if (typeof spec.serviceAccountName === 'string') {
    refs.push({
      field: 'spec.serviceAccountName',
      kind: 'ServiceAccount',
      namespace: ns,
      name: spec.serviceAccountName,
    });
  }
  if (object.kind === 'Kustomization' || object.kind === 'HelmRelease') {
    refs.push(...namedRefs(spec.dependsOn, 'spec.dependsOn', ns, object.kind));
  }
  return refs;
}
