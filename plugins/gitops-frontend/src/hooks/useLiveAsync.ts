import { DependencyList, useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useLiveStatus } from './useLiveStatus';

/**
 * `load`'s answer, loaded again when the backend signals a change to one
 * of `liveIds` (to anything, without them); see {@link useLiveStatus}.
 */
export function useLiveAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  liveIds?: string[],
) {
  const state = useAsyncRetry(load, deps);
  const { retry, loading } = state;
  useLiveStatus(
    useCallback(() => retry(), [retry]),
    liveIds,
    loading,
  );
  return state;
}
