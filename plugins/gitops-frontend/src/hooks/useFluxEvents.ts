import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api';

/** Events of one of the entity's Flux objects and of its source. */
export function useFluxEvents(
  entityRef: CompoundEntityRef,
  object: FluxObjectStatus,
) {
  const api = useApi(gitopsApiRef);
  return useAsync(
    () => api.getEvents(entityRef, object),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, object],
  );
}
