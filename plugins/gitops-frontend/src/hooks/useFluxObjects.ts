import { useCallback } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api';
import { useLiveStatus } from './useLiveStatus';

/** Every Flux object the caller may see, refreshed on each change. */
export function useFluxObjects() {
  const api = useApi(gitopsApiRef);
  const state = useAsyncRetry(() => api.listObjects(), [api]);
  const { retry, loading } = state;
  useLiveStatus(
    useCallback(() => retry(), [retry]),
    undefined,
    loading,
  );
  return state;
}
