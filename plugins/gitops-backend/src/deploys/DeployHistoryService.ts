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
   * The deploy before `deploy` in its environment that made a commit and
   * succeeded: what the environment ran before it (within the last 500).
   */
  async previousCommit(
    scope: EntityScope,
    deploy: DeployRecord,
  ): Promise<DeployRecord | undefined> {
    const rows = await this.list(scope, {
      environment: deploy.environment,
      limit: 500,
    });
    const at = rows.findIndex(r => r.id === deploy.id);
    if (at < 0) {
      return undefined;
    }
    return rows
      .slice(at + 1)
      .find(
        r =>
          r.commitSha &&
          r.status === 'succeeded' &&
          r.commitSha !== deploy.commitSha,
      );
  }
}
