import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import { ClaimantsLookup } from './ClaimantsLookup';
import {
  canonicalEntityRef,
  Claim,
  describeClaimant,
  describeObject,
} from './ownership';

/** One entity's objects as its scope resolved them, for the warnings. */
export interface ScopedObjects {
  entityRef: string;
  credentials: BackstageCredentials;
  /** The objects shown for the entity. */
  shown: FluxResource[];
  /** Objects the selector matched that are not shown. */
  excluded: FluxResource[];
  claimOf(resource: FluxResource): Claim;
}

/** What refusals and warnings tell the user about an unannotated object. */
export function howToClaim(entityRef: string): string {
  return `to act on it from ${entityRef}, add the annotation ${ANNOTATION_ENTITY_REF}: ${entityRef} to it in Git`;
}

/**
 * The warnings behind `EntityScope.ownershipWarnings()`. Other claimants are
 * looked up in the catalog only for the unannotated objects.
 */
export async function ownershipWarnings(
  scope: ScopedObjects,
  claimants?: ClaimantsLookup,
): Promise<string[]> {
  const warnings: string[] = [];
  const foreignBy = new Map<string, number>();
  for (const resource of scope.excluded) {
    const claim = scope.claimOf(resource);
    if (claim.kind === 'foreign') {
      const owner = describeClaimant(claim);
      foreignBy.set(owner, (foreignBy.get(owner) ?? 0) + 1);
    }
  }
  for (const [owner, count] of foreignBy) {
    warnings.push(
      `${count} ${
        count === 1 ? 'object' : 'objects'
      } matched by this entity's selector ${
        count === 1 ? 'belongs' : 'belong'
      } to ${owner} (annotation ${ANNOTATION_ENTITY_REF}) and ${
        count === 1 ? 'is' : 'are'
      } not shown`,
    );
  }
  const objects = scope.shown;
  const sharedSources = objects.filter(
    r => scope.claimOf(r).kind === 'foreign',
  );
  if (sharedSources.length > 0) {
    warnings.push(
      `Shared sources of other entities are shown read-only: ${sharedSources
        .map(
          r =>
            `${describeObject(r)} (${describeClaimant(
              scope.claimOf(r) as { entityRef: string },
            )})`,
        )
        .join(', ')}`,
    );
  }
  const unclaimed = objects.filter(r => scope.claimOf(r).kind === 'unclaimed');
  if (unclaimed.length === 0) {
    return warnings;
  }
  const others = await otherClaimants(scope, unclaimed, claimants);
  const contested = unclaimed
    .map((r, i) => ({ resource: r, others: others[i] }))
    .filter(c => c.others.length > 0);
  for (const { resource, others: names } of contested) {
    warnings.push(
      `${describeObject(resource)} is also claimed by ${names.join(
        ', ',
      )} and has no ${ANNOTATION_ENTITY_REF} annotation: neither entity may act on it until the annotation names one of them`,
    );
  }
  const alone = unclaimed.filter((_, i) => others[i].length === 0);
  if (alone.length > 0) {
    warnings.push(
      `${alone.length} ${
        alone.length === 1 ? 'object has' : 'objects have'
      } no ${ANNOTATION_ENTITY_REF} annotation and ${
        alone.length === 1 ? 'is' : 'are'
      } shown read-only (${alone.map(describeObject).join(', ')}): ${howToClaim(
        scope.entityRef,
      )}`,
    );
  }
  return warnings;
}

/** For each object, the other catalog entities whose selector matches it. */
async function otherClaimants(
  scope: ScopedObjects,
  resources: FluxResource[],
  claimants?: ClaimantsLookup,
): Promise<string[][]> {
  if (!claimants) {
    return resources.map(() => []);
  }
  try {
    return await claimants.claimantsOf(
      resources.map(r => r.metadata.labels),
      canonicalEntityRef(scope.entityRef),
      scope.credentials,
    );
  } catch {
    // The catalog is down: the objects stay read-only all the same.
    return resources.map(() => []);
  }
}
