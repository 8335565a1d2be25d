import { useApi } from '@backstage/core-plugin-api';
import { RepairRequest } from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../api';

/** What a repair would do, before anything is applied. */
export function useRepairPlan(request: RepairRequest) {
  const api = useApi(gitopsApiRef);
  return useAsync(() => api.planRepair(request), [api, request]);
}
