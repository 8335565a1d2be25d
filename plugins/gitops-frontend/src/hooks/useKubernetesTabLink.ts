import { Entity } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { kubernetesApiRef } from '@backstage/plugin-kubernetes-react';
import { useOptionalRouteRef } from './useOptionalRouteRef';

/** Where the Kubernetes plugin mounts its entity tab (its default path). */
export const KUBERNETES_TAB_PATH = 'kubernetes';

/**
 * The entity's Kubernetes tab, where the app installed the Kubernetes plugin
 * (its API is registered) and the tab shows for the entity (the same
 * annotations it asks for); undefined otherwise.
 */
export function useKubernetesTabLink(entity: Entity): string | undefined {
  const installed = Boolean(useApiHolder().get(kubernetesApiRef));
  const entityRoute = useOptionalRouteRef(entityRouteRef);
  const annotations = entity.metadata.annotations ?? {};
  const shown =
    Boolean(annotations[KUBERNETES_ANNOTATION]) ||
    Boolean(annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]);
  if (!installed || !entityRoute || !shown) {
    return undefined;
  }
  return `${entityRoute(entityRouteParams(entity))}/${KUBERNETES_TAB_PATH}`;
}
