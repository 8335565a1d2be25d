import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { gitopsApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/**
 * What the next sync of an environment applies; read again when the
 * backend signals a change (the source fetched, the Kustomization applied).
 */
export function usePendingChange(
  entityRef: CompoundEntityRef,
  environment: string,
  liveIds?: string[],
) {
  const api = useApi(gitopsApiRef);
  return useLiveAsync(
    () => api.getPendingChange(entityRef, environment),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, environment],
    liveIds,
  );
}
