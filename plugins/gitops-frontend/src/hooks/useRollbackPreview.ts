import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api';

/** The diff a rollback to a past deploy would commit. */
export function useRollbackPreview(
  entityRef: CompoundEntityRef,
  deployId: number,
) {
  const api = useApi(gitopsApiRef);
  return useAsync(
    () => api.previewRollback(entityRef, deployId),
    [api, entityRef, deployId],
  );
}
