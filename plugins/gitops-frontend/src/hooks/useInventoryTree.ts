import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/**
 * What one of the entity's Kustomizations or HelmReleases applied, nested;
 * read again when the backend signals a change to the entity's objects.
 */
export function useInventoryTree(
  entityRef: CompoundEntityRef,
  object: FluxObjectStatus,
  liveIds?: string[],
) {
  const api = useApi(gitopsApiRef);
  return useLiveAsync(
    () => api.getInventory(entityRef, object),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, object],
    liveIds,
  );
}
