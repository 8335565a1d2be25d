import { Entity } from '@backstage/catalog-model';

/**
 * Label put on every Kubernetes and Flux object that belongs to a catalog
 * entity. It is the Kubernetes plugin's own key, so the objects also show up
 * in Backstage's Kubernetes tab.
 *
 * @public
 */
export const LABEL_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Label naming the environment (development, staging, production, ...) an
 * object deploys.
 *
 * @public
 */
export const LABEL_ENVIRONMENT = 'gitops.backstage.io/environment';

/**
 * `app.kubernetes.io/managed-by` value of the objects our actions create.
 *
 * @public
 */
export const MANAGED_BY_VALUE = 'backstage-gitops';

/**
 * Annotation on the objects our actions create naming the catalog entity
 * they belong to (labels cannot hold an entity ref).
 *
 * @public
 */
export const ANNOTATION_ENTITY_REF = 'gitops.backstage.io/entity-ref';

/**
 * Annotation beside {@link ANNOTATION_ENTITY_REF}: the repository the
 * entity was registered from when the portal set the objects up
 * (`host/owner/name`). A name can change hands (the entity deleted and
 * another registered under it); an entity of that name registered from
 * another repository does not own the objects. What defines the entity,
 * its catalog file, lives in that repository, so the binding is as strong
 * as the right to write it, and it survives a catalog rebuilt from the
 * same locations.
 *
 * @public
 */
export const ANNOTATION_ENTITY_REPOSITORY =
  'gitops.backstage.io/entity-repository';

/**
 * Annotation on a GitRepository whose URL Flux pulls over SSH (a deploy
 * key): the repository's web (http/https) URL, for commit links.
 *
 * @public
 */
export const ANNOTATION_REPOSITORY_WEB_URL =
  'gitops.backstage.io/repository-url';

/**
 * Entity annotation with the value of {@link LABEL_KUBERNETES_ID} on the
 * entity's objects, as Backstage's Kubernetes plugin reads it.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Entity annotation with a Kubernetes label selector that picks the entity's
 * Flux objects, for objects not labelled by our scaffolder actions.
 *
 * @public
 */
export const ANNOTATION_LABEL_SELECTOR = 'gitops.backstage.io/label-selector';

/**
 * Whether an entity carries what the GitOps plugins need to find its Flux
 * objects.
 *
 * @public
 */
export function isGitOpsAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[ANNOTATION_KUBERNETES_ID] ||
      annotations[ANNOTATION_LABEL_SELECTOR],
  );
}

/**
 * The Kubernetes label selector that picks an entity's Flux objects, or
 * undefined when the entity is not linked.
 *
 * @public
 */
export function entityLabelSelector(entity: Entity): string | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[ANNOTATION_LABEL_SELECTOR];
  if (selector) {
    return selector;
  }
  const id = annotations[ANNOTATION_KUBERNETES_ID];
  return id ? `${LABEL_KUBERNETES_ID}=${id}` : undefined;
}
