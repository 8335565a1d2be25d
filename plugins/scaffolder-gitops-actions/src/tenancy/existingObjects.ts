import { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_ENTITY_REPOSITORY,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  GITOPS_FIELD_MANAGER,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';
import { EntityBinding } from './entityClaim';

/** What is already in the cluster where a project's objects would go. */
export interface ExistingObjects {
  /** Objects that exist, by `Kind/namespace/name`. */
  found: Map<string, KubernetesObject>;
  /**
   * Objects that exist without this entity's claim written by the portal:
   * another entity's, claimed by someone else, or not claimed at all.
   */
  foreign: string[];
  /** Whether an object already claims the entity (a re-run). */
  claimedByEntity: boolean;
}

export function objectKey(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.namespace ?? ''}/${
    object.metadata?.name
  }`;
}

function label(object: KubernetesObject): string {
  const { namespace, name } = object.metadata ?? {};
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * The field manager that wrote the entity-ref annotation. A claim is only
 * as strong as who can write it: anyone who can patch the object can set
 * the annotation, only the portal writes it as `backstage-gitops`.
 */
function claimWriter(object: KubernetesObject): string | undefined {
  return object.metadata?.managedFields?.find(entry => {
    const annotations = (entry.fieldsV1 as any)?.['f:metadata']?.[
      'f:annotations'
    ];
    return annotations && `f:${ANNOTATION_ENTITY_REF}` in annotations;
  })?.manager;
}

/**
 * Reads every object a run would apply. An object that exists and does not
 * carry this entity's claim written by the portal is foreign: another
 * entity's, a claim someone else wrote, or no claim at all (a namespace
 * made by hand, or by a run for an entity that did not exist yet). The run
 * must refuse, not adopt it. So is one bound to the entity's name as
 * registered from another repository: whoever registered the name again
 * elsewhere is not its owner.
 */
export async function readExistingObjects(
  client: Pick<KubernetesObjectApi, 'read'>,
  objects: KubernetesObject[],
  { entityRef, entityRepository }: EntityBinding,
): Promise<ExistingObjects> {
  const result: ExistingObjects = {
    found: new Map(),
    foreign: [],
    claimedByEntity: false,
  };
  for (const object of objects) {
    let existing: KubernetesObject;
    try {
      existing = await client.read({
        apiVersion: object.apiVersion!,
        kind: object.kind!,
        metadata: {
          name: object.metadata!.name!,
          namespace: object.metadata?.namespace,
        },
      });
    } catch (error) {
      if (kubernetesErrorCode(error) === 404) {
        continue;
      }
      throw new Error(
        `reading ${label(object)}: ${describeKubernetesError(error)}`,
      );
    }
    result.found.set(objectKey(object), existing);
    const claim = existing.metadata?.annotations?.[ANNOTATION_ENTITY_REF];
    if (!claim) {
      result.foreign.push(`${label(object)} exists without a claim`);
      continue;
    }
    if (claim !== entityRef) {
      result.foreign.push(`${label(object)} belongs to ${claim}`);
      continue;
    }
    const writer = claimWriter(existing);
    if (writer !== GITOPS_FIELD_MANAGER) {
      result.foreign.push(
        `${label(object)} claims ${claim}, but the claim was written by '${
          writer ?? 'unknown'
        }', not by the portal`,
      );
      continue;
    }
    const bound =
      existing.metadata?.annotations?.[ANNOTATION_ENTITY_REPOSITORY];
    if (bound && bound !== entityRepository) {
      result.foreign.push(
        `${label(
          object,
        )} belongs to ${claim} as registered from ${bound}, not from ${
          entityRepository ?? 'no repository'
        }`,
      );
      continue;
    }
    result.claimedByEntity = true;
  }
  return result;
}

/**
 * The refusal of a run that found foreign objects: what they are, and how
 * to go on (another id, removing a leftover, or a claim the platform team
 * writes as the portal would).
 */
export function foreignObjectsMessage(
  id: string,
  entityRef: string,
  foreign: string[],
  nothing: string,
): string {
  return `id: project '${id}' would take over objects that are not ${entityRef}'s: ${foreign.join(
    '; ',
  )}. Choose another id, delete what is a leftover, or have the platform team claim it for ${entityRef} (annotation ${ANNOTATION_ENTITY_REF}: ${entityRef}, written with field manager ${GITOPS_FIELD_MANAGER}); ${nothing}`;
}
