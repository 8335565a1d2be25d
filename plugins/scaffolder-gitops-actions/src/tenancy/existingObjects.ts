import { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { ANNOTATION_ENTITY_REF } from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  GITOPS_FIELD_MANAGER,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';

/** What is already in the cluster where a project's objects would go. */
export interface ExistingObjects {
  /** Objects that exist, by `Kind/namespace/name`. */
  found: Map<string, KubernetesObject>;
  /** Objects another entity owns, or whose claim the portal did not write. */
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
 * Reads every object a run would apply. An object that belongs to another
 * entity, or claims this one without the portal having written the claim,
 * is foreign: the run must refuse, not adopt it. Objects without a claim
 * (say, a namespace made by hand) are left to server-side apply, which
 * fails on fields another manager owns.
 */
export async function readExistingObjects(
  client: Pick<KubernetesObjectApi, 'read'>,
  objects: KubernetesObject[],
  entityRef: string | undefined,
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
    result.claimedByEntity = true;
  }
  return result;
}
