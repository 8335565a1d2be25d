import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_ENTITY_REPOSITORY,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * How an object stands to an entity, by the cluster side's word: its
 * `gitops.backstage.io/entity-ref` annotation.
 * - `own`: the annotation names the entity; it may act on the object.
 * - `unclaimed`: no annotation (made outside the portal); shown, read-only.
 * - `foreign`: the annotation names another entity, or this entity's name
 *   as registered from another repository (`boundRepository`, from the
 *   `gitops.backstage.io/entity-repository` annotation the portal writes
 *   beside it): the name changed hands, the objects did not.
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
  | { kind: 'foreign'; entityRef: string; boundRepository?: string };

/** An entity ref as the catalog compares them: full and lower case. */
export function canonicalEntityRef(ref: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
  } catch {
    // Not a ref: it can only ever be foreign.
    return ref;
  }
}

/**
 * The catalog entity an object is weighed against, as deploy rows record
 * it too: its ref and the repository it was registered from (none when
 * not from a URL).
 */
export interface EntityBinding {
  entityRef: string;
  entityRepository?: string;
}

export function claimOf(
  resource: FluxResource,
  { entityRef, entityRepository }: EntityBinding,
): Claim {
  const annotated = resource.metadata.annotations?.[ANNOTATION_ENTITY_REF];
  if (!annotated?.trim()) {
    return { kind: 'unclaimed' };
  }
  const claimed = canonicalEntityRef(annotated.trim());
  if (claimed !== canonicalEntityRef(entityRef)) {
    return { kind: 'foreign', entityRef: claimed };
  }
  // Where the portal set the objects up, they are bound to the repository
  // too: a name can change hands.
  const boundRepository =
    resource.metadata.annotations?.[ANNOTATION_ENTITY_REPOSITORY];
  if (boundRepository && boundRepository !== entityRepository) {
    return { kind: 'foreign', entityRef: claimed, boundRepository };
  }
  return { kind: 'own' };
}

/** Whose an object is, as refusals and warnings name its entity. */
export function describeClaimant(claim: {
  entityRef: string;
  boundRepository?: string;
}): string {
  return claim.boundRepository
    ? `${claim.entityRef} as registered from ${claim.boundRepository}`
    : claim.entityRef;
}

/** `Kustomization apps/shop-dev`, as refusals and warnings name objects. */
export function describeObject(resource: FluxResource): string {
  const { namespace, name } = resource.metadata;
  return `${resource.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
