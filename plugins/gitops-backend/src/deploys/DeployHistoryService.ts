import { NotFoundError } from '@backstage/errors';
import {
  DeployMethod,
  DeployRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { EntityScope } from '../entities/EntityScope';
import { DeployStore } from './DeployStore';

/** An entity's deploys: its own rows and those through its Kustomizations. */
export class DeployHistoryService {
  constructor(private readonly store: DeployStore) {}

  list(
    scope: EntityScope,
    query: { environment?: string; method?: string; limit?: number },
  ): Promise<DeployRecord[]> {
    return this.store.list({
      ...scope.binding,
      targets: scope.kustomizations(),
      environment: query.environment,
      method: query.method as DeployMethod | undefined,
      limit: query.limit,
    });
  }

  async get(scope: EntityScope, id: number): Promise<DeployRecord> {
    const deploy = await this.store.get(id);
    if (!deploy || !scope.ownsDeploy(deploy)) {
      throw new NotFoundError(`deploy ${id} of ${scope.entityRef} not found`);
    }
    return deploy;
  }

  /**
   * What the Kustomization of `deploy` ran before it: the latest earlier
   * row through the same Kustomization that made another commit and
   * succeeded, and that the entity owns.
   */
  async previousCommit(
    scope: EntityScope,
    deploy: DeployRecord,
  ): Promise<DeployRecord | undefined> {
    const rows = await this.store.list({
      targets: [
        {
          cluster: deploy.cluster,
          namespace: deploy.namespace,
          kustomization: deploy.kustomization,
        },
      ],
      status: ['succeeded'],
      before: deploy.id,
      withCommit: true,
      limit: 20,
    });
    return rows.find(
      r => r.commitSha !== deploy.commitSha && scope.ownsDeploy(r),
    );
  }
}
