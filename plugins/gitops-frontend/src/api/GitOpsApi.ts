import { createApiRef } from '@backstage/core-plugin-api';
import { ClusterSummary } from '@gitops-backstage/plugin-gitops-common';

/**
 * Client of the GitOps backend plugin.
 *
 * @public
 */
export interface GitOpsApi {
  listClusters(): Promise<ClusterSummary[]>;
}

/**
 * Reference to the {@link GitOpsApi}.
 *
 * @public
 */
export const gitopsApiRef = createApiRef<GitOpsApi>({
  id: 'plugin.gitops.api',
});
