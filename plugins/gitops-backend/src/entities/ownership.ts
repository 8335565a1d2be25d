import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * How an object stands to an entity, by the cluster side's word: its
 * `gitops.backstage.io/entity-ref` annotation.
 * - `own`: the annotation names the entity; it may act on the object.
 * - `unclaimed`: no annotation (made outside the portal); shown, read-only.
 * - `foreign`: the annotation names another entity.
 *
 * The annotation is as strong as the right to write the object: with the
 * tenant lockdown that is the owner's repository (through its
 * ServiceAccount), the portal's project initialization and the platform
 * team. Any writer counts, so a platform team can claim an object made
 * outside the portal by adding the annotation in Git.
 */
export type Claim =
  | { kind: 'own' }
  | { kind: 'unclaimed' }
  | { kind: 'foreign'; entityRef: string };

/** An entity ref as the catalog compares them: full and lower case. */
export function canonicalEntityRef(ref: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
  } catch {
    // Not a ref: it can only ever be foreign.
    return ref;
  }
}

export function claimOf(resource: FluxResource, entityRef: string): Claim {
  const annotated = resource.metadata.annotations?.[ANNOTATION_ENTITY_REF];
  if (!annotated?.trim()) {
    return { kind: 'unclaimed' };
  }
  const claimed = canonicalEntityRef(annotated.trim());
  return claimed === canonicalEntityRef(entityRef)
    ? { kind: 'own' }
    : { kind: 'foreign', entityRef: claimed };
}

/** `Kustomization apps/shop-dev`, as refusals and warnings name objects. */
export function describeObject(resource: FluxResource): string {
  const { namespace, name } = resource.metadata;
  return `${resource.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
