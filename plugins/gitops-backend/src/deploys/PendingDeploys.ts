import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { DeployStore } from './DeployStore';
import {
  branchRevision,
  EnvironmentContext,
  GitContext,
} from './environmentContext';
import { Requester } from './gitIdentity';
import { OverlayRepos } from './overlayRepo';

/** Who and what a portal commit deploys, as its row records it. */
export interface PendingDeployOptions {
  entityRef: string;
  entityRepository?: string;
  message: string;
  requester: Requester;
  rollbackOf?: number;
}

/** The history rows of portal commits that are not pushed yet. */
export class PendingDeploys {
  constructor(
    private readonly options: {
      store: DeployStore;
      repos: OverlayRepos;
      /** This process: if it stops before the push ends, another settles the row. */
      replicaId: string;
      logger?: LoggerService;
    },
  ) {}

  /**
   * Records a portal commit as a pending gitops-ui deploy, before it is
   * pushed: the tracker must never take it for someone else's.
   */
  async record(
    context: EnvironmentContext,
    git: GitContext,
    sha: string,
    options: PendingDeployOptions,
  ): Promise<number> {
    const deploy = await this.options.store.insert({
      ...context.target,
      entityRef: options.entityRef,
      entityRepository: options.entityRepository,
      environment: context.environment,
      method: 'gitops-ui',
      status: 'pending',
      revision: branchRevision(git.branch, sha),
      commitSha: sha,
      commitMessage: options.message,
      commitAuthor: options.requester.identity.name,
      commitUrl: this.options.repos.commitLink(git.repoUrl, sha),
      triggeredBy: options.requester.ref,
      rollbackOf: options.rollbackOf,
      pushingReplica: this.options.replicaId,
    });
    if (!deploy) {
      throw new ConflictError(`commit ${sha} is recorded already`);
    }
    return deploy.id;
  }

  /**
   * The push went through: the rows are the tracker's from now on. Never
   * throws: the deploys are out, and a mark left behind is cleared by the
   * tracker, which finds the commit on the branch.
   */
  async pushed(ids: number[]) {
    const { store, logger } = this.options;
    for (const id of ids) {
      try {
        if (await store.update(id, ['pending'], { pushingReplica: null })) {
          continue;
        }
        // Settled as never pushed by a replica that took this one for
        // stopped (its heartbeat stalled longer than the silence allowed).
        if (await store.reopenNeverPushed(id)) {
          logger?.warn(
            `deploy ${id} was settled as never pushed by another replica while its push went through; it is tracked again`,
          );
        }
      } catch (error) {
        logger?.warn(
          `deploy ${id} was pushed, but its row could not be marked so: ${error}`,
        );
      }
    }
  }

  /** Points a pending deploy at its commit after a rebase. */
  async move(id: number, git: GitContext, sha: string) {
    await this.options.store.update(id, ['pending'], {
      commitSha: sha,
      revision: branchRevision(git.branch, sha),
      commitUrl: this.options.repos.commitLink(git.repoUrl, sha),
    });
  }
}
