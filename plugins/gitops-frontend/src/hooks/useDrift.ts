import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/**
 * What of a Kustomization's or HelmRelease's inventory changed outside Git
 * or is gone; read again when the backend signals a change to the entity's
 * objects (a `kubectl scale` changes the Deployment it watches).
 */
export function useDrift(
  entityRef: CompoundEntityRef,
  object: FluxObjectStatus,
  liveIds?: string[],
) {
  const api = useApi(gitopsApiRef);
  return useLiveAsync(
    () => api.getDrift(entityRef, object),
    [
      api,
      entityRef.kind,
      entityRef.namespace,
      entityRef.name,
      object.cluster,
      object.kind,
      object.namespace,
      object.name,
    ],
    liveIds,
  );
}
