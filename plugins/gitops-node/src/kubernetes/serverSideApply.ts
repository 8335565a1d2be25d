import {
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ConflictError } from '@backstage/errors';
import { describeKubernetesError, kubernetesErrorCode } from './errors';

/**
 * Field manager of every object the GitOps plugins apply, so a re-run owns
 * the same fields and changes nothing.
 *
 * @public
 */
export const GITOPS_FIELD_MANAGER = 'backstage-gitops';

/** @public */
export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** @public */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  result: ApplyResult;
}

/** @public */
export interface ServerSideApplyOptions {
  /** The manager the applied fields are recorded under; default GITOPS_FIELD_MANAGER. */
  fieldManager?: string;
  /**
   * Takes fields owned by another manager over instead of failing. Only for
   * callers that own the field by policy, such as a manual deploy or a key
   * repair; default false.
   */
  force?: boolean;
}

/**
 * Applies an object with server-side apply. Without `force`, fields owned by
 * another manager make it fail with a ConflictError that names them.
 * Whether anything changed is read from the resourceVersion, as kubectl's
 * "unchanged" does. Other failures keep the API error as their `cause`.
 *
 * @public
 */
export async function serverSideApply(
  client: KubernetesObjectApi,
  object: KubernetesObject,
  options: ServerSideApplyOptions = {},
): Promise<AppliedObject> {
  const force = options.force ?? false;
  const ref = {
    apiVersion: object.apiVersion!,
    kind: object.kind!,
    namespace: object.metadata?.namespace,
    name: object.metadata!.name!,
  };
  const label = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${
    ref.name
  }`;
  let before: string | undefined;
  try {
    const existing = await client.read({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    });
    before = existing.metadata?.resourceVersion;
  } catch (error) {
    if (kubernetesErrorCode(error) !== 404) {
      throw new Error(`reading ${label}: ${describeKubernetesError(error)}`, {
        cause: error,
      });
    }
  }
  try {
    const applied = await client.patch(
      object,
      undefined,
      undefined,
      options.fieldManager ?? GITOPS_FIELD_MANAGER,
      force,
      PatchStrategy.ServerSideApply,
    );
    const after = applied.metadata?.resourceVersion;
    let result: ApplyResult = 'configured';
    if (before === undefined) {
      result = 'created';
    } else if (before === after) {
      result = 'unchanged';
    }
    return { ...ref, result };
  } catch (error) {
    const description = describeKubernetesError(error);
    if (kubernetesErrorCode(error) === 409) {
      throw new ConflictError(
        force
          ? `applying ${label}: ${description}`
          : `applying ${label}: fields are owned by another field manager (${description}); change or remove them there, the GitOps actions never force`,
      );
    }
    throw new Error(`applying ${label}: ${description}`, { cause: error });
  }
}
