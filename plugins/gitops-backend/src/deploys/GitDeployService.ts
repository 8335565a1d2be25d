import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeployFileChange,
  DeployPreview,
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from '../actions/FluxActions';
import { EntityScope } from '../entities/EntityScope';
import { BatchDeployer, DeployRequest, QueuedDeploy } from './BatchDeployer';
import { DeployStore } from './DeployStore';
import {
  EnvironmentContext,
  environmentContext,
  gitContext,
  GitContext,
  requestEnvironmentReconcile,
} from './environmentContext';
import { requesterOf } from './gitIdentity';
import { LocalRepo } from './GitWorkspace';
import { digestOf, OverlayRepos, readDir } from './overlayRepo';
import { PendingDeployOptions, PendingDeploys } from './PendingDeploys';
import { PreviewService, toPreview } from './PreviewService';
import { beforeNextPush } from './pushWindow';
import { Stopwatch } from './Stopwatch';

/** A deploy slower than this is logged with where its time went. */
const SLOW_DEPLOY_MS = 10_000;

/**
 * Deploys through Git (gitops-ui) and rollbacks: a commit to the
 * environment's overlay, recorded before it is pushed so that the tracker
 * never mistakes it for someone else's push.
 */
export class GitDeployService {
  private readonly waiting = new Map<string, QueuedDeploy[]>();
  private readonly pending: PendingDeploys;
  private readonly batches: BatchDeployer;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      actions: FluxActions;
      store: DeployStore;
      repos: OverlayRepos;
      previews: PreviewService;
      logger?: LoggerService;
      /** This process, on the rows it is pushing. */
      replicaId: string;
    },
  ) {
    this.pending = new PendingDeploys(options);
    this.batches = new BatchDeployer({ ...options, pending: this.pending });
  }

  private logIfSlow(what: string, watch: Stopwatch) {
    if (watch.total > SLOW_DEPLOY_MS) {
      this.options.logger?.warn(
        `${what} took ${watch.total} ms (${watch.laps.join(', ')})`,
      );
    }
  }

  /**
   * Commits the changes to the environment's overlay and pushes them.
   * Deploys of one entity that arrive while its repository is busy wait
   * together and then go out as one push, each still its own commit and
   * row: on a busy Git host every fetch and push takes seconds, and twenty
   * deploys in a row would each hold an HTTP request for minutes.
   */
  async deploy(
    scope: EntityScope,
    request: DeployRequest,
  ): Promise<DeployResult> {
    const watch = new Stopwatch();
    const context = environmentContext(scope, request.environment);
    const requester = await requesterOf(this.options.catalog, scope.caller);
    const git = gitContext(context);
    const result = await new Promise<DeployResult>((resolve, reject) => {
      const item: QueuedDeploy = {
        scope,
        request,
        context,
        git,
        requester,
        watch,
        resolve,
        reject,
      };
      // One entity per batch: each is checked against its own registered
      // repository when its batch takes the repository.
      const key = [scope.entityRef, git.repoUrl, git.branch].join('\n');
      const waiting = this.waiting.get(key);
      if (waiting) {
        waiting.push(item);
        return;
      }
      const batch = [item];
      this.waiting.set(key, batch);
      const leave = () => {
        if (this.waiting.get(key) === batch) {
          this.waiting.delete(key);
        }
      };
      this.options.repos
        .withRepo(git, async repo => {
          leave();
          await this.batches.deployTogether(repo, git, batch);
        })
        .catch(error => {
          leave();
          // Settled ones ignore this.
          batch.forEach(queued => queued.reject(error));
        });
    });
    this.logIfSlow(`deploy ${result.deploy.id} of ${scope.entityRef}`, watch);
    return result;
  }

  /** Restores the overlay as it was at a past deploy, as a new commit. */
  async rollback(
    scope: EntityScope,
    deploy: DeployRecord,
    options: { message?: string; dryRun?: boolean },
  ): Promise<DeployPreview | DeployResult> {
    const context = environmentContext(scope, deploy.environment);
    if (
      context.target.cluster !== deploy.cluster ||
      context.target.namespace !== deploy.namespace ||
      context.target.kustomization !== deploy.kustomization
    ) {
      throw new InputError(
        `deploy ${deploy.id} went through Kustomization ${deploy.namespace}/${deploy.kustomization}, which no longer deploys '${deploy.environment}'`,
      );
    }
    const requester = await requesterOf(this.options.catalog, scope.caller);
    if (!deploy.commitSha) {
      throw new InputError(
        `deploy ${deploy.id} is a ${deploy.method} deploy without a commit; only deploys through Git can be restored`,
      );
    }
    const sha = deploy.commitSha;
    const git = gitContext(context);
    return this.options.repos.withRepo(git, async repo => {
      const head = await repo.fetch(git.branch);
      if (!(await repo.ensureCommit(sha, git.branch))) {
        throw new NotFoundError(
          `commit ${sha.slice(0, 7)} of deploy ${deploy.id} is no longer in ${
            git.repoUrl
          }`,
        );
      }
      const before = await readDir(repo, head, git.overlayPath);
      const after = await readDir(repo, sha, git.overlayPath);
      const files: DeployFileChange[] = [];
      for (const path of new Set([...before.keys(), ...after.keys()])) {
        if (before.get(path) !== after.get(path)) {
          files.push({
            path,
            before: before.get(path),
            after: after.get(path) ?? '',
          });
        }
      }
      if (files.length === 0) {
        throw new InputError(
          `the overlay of '${context.environment}' is already as it was at deploy ${deploy.id}; nothing to roll back`,
        );
      }
      if (options.dryRun) {
        return toPreview(context, {
          git,
          head,
          digest: digestOf(before),
          files,
          target: { deployment: '', container: '' },
        });
      }
      await repo.checkout(head);
      await repo.restoreDir(sha, git.overlayPath);
      const message =
        options.message?.trim() ||
        `Roll back ${context.environment} to ${sha.slice(0, 7)} (deploy #${
          deploy.id
        })`;
      return this.commitAndPush(repo, context, git, {
        message,
        requester,
        ...scope.binding,
        rollbackOf: deploy.id,
      });
    });
  }

  private async commitAndPush(
    repo: LocalRepo,
    context: EnvironmentContext,
    git: GitContext,
    options: PendingDeployOptions,
  ): Promise<DeployResult> {
    const { store } = this.options;
    let sha = await repo.commit(options.message, options.requester.identity);
    if (!sha) {
      throw new InputError('nothing to commit');
    }
    const deployId = await this.pending.record(context, git, sha, options);
    try {
      const startedAt = Date.now();
      for (let attempt = 1; ; attempt++) {
        const pushed = await repo.push(git.branch);
        if (pushed) {
          await this.pending.pushed([deployId]);
          await requestEnvironmentReconcile(this.options.actions, context);
          return {
            deploy: (await store.get(deployId))!,
            pushAttempts: attempt,
          };
        }
        // Someone pushed first: replay our commit on theirs.
        await beforeNextPush(attempt, startedAt, git.branch);
        const head = await repo.fetch(git.branch);
        if (!(await repo.rebase(head))) {
          throw new ConflictError(
            `the deploy conflicts with commit ${head.slice(0, 7)} pushed to ${
              git.branch
            } meanwhile; nothing was pushed, preview again`,
          );
        }
        sha = await repo.head();
        await this.pending.move(deployId, git, sha);
      }
    } catch (error) {
      await store.remove(deployId);
      throw error;
    }
  }
}
