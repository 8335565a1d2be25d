import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api';

/** The latest health report of each cluster, and a way to load it again. */
export function useHealthReports() {
  const api = useApi(gitopsApiRef);
  // useAsyncRetry's retry() does nothing while a load is under way, and a
  // click handler made during the first load keeps that retry: a run
  // started then never showed its report. A new generation always loads.
  const [generation, setGeneration] = useState(0);
  const state = useAsync(() => api.getHealthReports(), [api, generation]);
  const retry = useCallback(() => setGeneration(g => g + 1), []);
  return { ...state, retry };
}
