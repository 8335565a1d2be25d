import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../api';

/** The latest health report of each cluster. */
export function useHealthReports() {
  const api = useApi(gitopsApiRef);
  return useAsyncRetry(() => api.getHealthReports(), [api]);
}
