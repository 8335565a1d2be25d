import { useCallback } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api';
import { useLiveStatus } from './useLiveStatus';

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
  const state = useAsyncRetry(
    () => api.getInventory(entityRef, object),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, object],
  );
  const { retry, loading } = state;
  useLiveStatus(
    useCallback(() => retry(), [retry]),
    liveIds,
    loading,
  );
  return state;
}
