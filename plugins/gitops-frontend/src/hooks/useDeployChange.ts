import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api';

/**
 * What deploy `id` changed, against the deploy before it or `since`'s row.
 * Commits do not change, so it is read once per pair.
 */
export function useDeployChange(
  entityRef: CompoundEntityRef,
  id: number,
  since?: number,
) {
  const api = useApi(gitopsApiRef);
  return useAsync(
    () => api.getDeployChange(entityRef, id, since),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, id, since],
  );
}
