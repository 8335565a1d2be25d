import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { gitopsApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/**
 * The entity's Flux state per environment, refreshed when the backend
 * signals a change to one of `liveIds` (every change without them).
 */
export function useEntityGitOpsStatus(
  entityRef: CompoundEntityRef,
  liveIds?: string[],
) {
  const api = useApi(gitopsApiRef);
  return useLiveAsync(
    () => api.getEntityStatus(entityRef),
    [api, entityRef.kind, entityRef.namespace, entityRef.name],
    liveIds,
  );
}
