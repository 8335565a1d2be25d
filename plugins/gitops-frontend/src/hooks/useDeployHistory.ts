import { useEffect } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { DeployMethod } from '@gitops-backstage/plugin-gitops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api';

const REFRESH_OPEN_MS = 3000;

/**
 * The entity's deploys, newest first; re-read every few seconds while one
 * is still pending or progressing, and whenever `refreshKey` changes.
 */
export function useDeployHistory(
  entityRef: CompoundEntityRef,
  filter: { environment?: string; method?: DeployMethod },
  refreshKey?: unknown,
) {
  const api = useApi(gitopsApiRef);
  const history = useAsyncRetry(
    () => api.listDeploys(entityRef, filter),
    [
      api,
      entityRef.kind,
      entityRef.namespace,
      entityRef.name,
      filter.environment,
      filter.method,
      refreshKey,
    ],
  );
  const { retry } = history;
  const open = (history.value ?? []).some(
    d => d.status === 'pending' || d.status === 'progressing',
  );
  useEffect(() => {
    if (!open) {
      return undefined;
    }
    const timer = setInterval(retry, REFRESH_OPEN_MS);
    return () => clearInterval(timer);
  }, [open, retry]);
  return history;
}
