import { useApi } from '@backstage/core-plugin-api';
import { gitopsApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/** Every Flux object the caller may see, refreshed on each change. */
export function useFluxObjects() {
  const api = useApi(gitopsApiRef);
  return useLiveAsync(() => api.listObjects(), [api]);
}
