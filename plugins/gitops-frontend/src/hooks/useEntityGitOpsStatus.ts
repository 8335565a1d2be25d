import { useCallback } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api';
import { useLiveStatus } from './useLiveStatus';

/**
 * The entity's Flux state per environment, refreshed when the backend
 * signals a change to one of `liveIds` (every change without them).
 */
export function useEntityGitOpsStatus(
  entityRef: CompoundEntityRef,
  liveIds?: string[],
) {
  const api = useApi(gitopsApiRef);
  const state = useAsyncRetry(
    () => api.getEntityStatus(entityRef),
    [api, entityRef.kind, entityRef.namespace, entityRef.name],
  );
  const { retry, loading } = state;
  useLiveStatus(
    useCallback(() => retry(), [retry]),
    liveIds,
    loading,
  );
  return state;
}
