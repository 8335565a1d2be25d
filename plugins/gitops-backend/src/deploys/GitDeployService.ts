import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeployChanges,
  DeployFileChange,
  DeployPreview,
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from '../actions/FluxActions';
import { EntityScope } from '../entities/EntityScope';
import { DeployStore } from './DeployStore';
import {
  EnvironmentContext,
  environmentContext,
  branchRevision,
  gitContext,
  GitContext,
  requestEnvironmentReconcile,
} from './environmentContext';
import { Requester, requesterOf } from './gitIdentity';
import { LocalRepo } from './GitWorkspace';
import { digestOf, OverlayRepos, readDir } from './overlayRepo';
import { PreviewService, toPreview } from './PreviewService';
import { beforeNextPush } from './pushWindow';
import { Stopwatch } from './Stopwatch';

/** A deploy slower than this is logged with where its time went. */
const SLOW_DEPLOY_MS = 10_000;

interface DeployRequest {
  environment: string;
  changes: DeployChanges;
  message: string;
  deployment?: string;
  expectedOverlayDigest?: string;
}

/** A deploy waiting for its entity's repository. */
interface QueuedDeploy {
  scope: EntityScope;
  request: DeployRequest;
  context: EnvironmentContext;
  git: GitContext;
  requester: Requester;
  watch: Stopwatch;
  resolve(result: DeployResult): void;
  reject(error: unknown): void;
}

/** Whether a repository path lies in a directory ('' is the root). */
function isUnder(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(`${dir}/`);
}

/**
 * Deploys through Git (gitops-ui) and rollbacks: a commit to the
 * environment's overlay, recorded before it is pushed so that the tracker
 * never mistakes it for someone else's push.
 */
export class GitDeployService {
  private readonly waiting = new Map<string, QueuedDeploy[]>();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      actions: FluxActions;
      store: DeployStore;
      repos: OverlayRepos;
      previews: PreviewService;
      logger?: LoggerService;
    },
  ) {}

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
          await this.deployTogether(repo, git, batch);
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

  /**
   * Commits each deploy of the batch on the branch head, in order, and
   * pushes them at once. A deploy refused on its own (nothing to deploy,
   * its preview out of date) leaves the others going; a rejected push is
   * rebased, or, where the rebase conflicts or someone changed an overlay
   * a deploy's preview pinned, the deploys are worked out again on the new
   * head.
   */
  private async deployTogether(
    repo: LocalRepo,
    git: GitContext,
    batch: QueuedDeploy[],
  ): Promise<void> {
    const { store } = this.options;
    const lap = (what: string, items = batch) =>
      items.forEach(item => item.watch.lap(what));
    lap('waiting for the repository');
    let head = await repo.fetch(git.branch);
    lap('fetch');
    let committed = await this.commitEach(repo, head, batch);
    const rows = new Map<QueuedDeploy, number>();
    try {
      for (const { item, sha } of committed) {
        rows.set(
          item,
          await this.recordPending(item.context, git, sha, {
            ...item.scope.binding,
            message: item.request.message,
            requester: item.requester,
          }),
        );
      }
      const startedAt = Date.now();
      for (let attempt = 1; ; attempt++) {
        const items = committed.map(c => c.item);
        if (items.length === 0) {
          return;
        }
        const pushed = await repo.push(git.branch);
        lap(`push ${attempt}`, items);
        if (pushed) {
          // Pushed: the rows stay whatever happens next.
          const ids = items.map(item => ({ item, id: rows.get(item)! }));
          rows.clear();
          const contexts = new Map(items.map(i => [i.context.environment, i]));
          for (const item of contexts.values()) {
            await requestEnvironmentReconcile(
              this.options.actions,
              item.context,
            );
          }
          lap('reconcile request', items);
          for (const { item, id } of ids) {
            item.resolve({
              deploy: (await store.get(id))!,
              pushAttempts: attempt,
            });
          }
          return;
        }
        // Someone pushed first.
        await beforeNextPush(attempt, startedAt, git.branch);
        const next = await repo.fetch(git.branch);
        const changed = await repo.changedPaths(head, next);
        const outdated = items.filter(
          item =>
            item.request.expectedOverlayDigest &&
            changed.some(p => isUnder(p, item.git.overlayPath)),
        );
        for (const item of outdated) {
          await store.remove(rows.get(item)!);
          rows.delete(item);
          item.reject(
            new ConflictError(
              `the overlay ${item.git.overlayPath} changed on ${
                git.branch
              } while deploying (now at ${next.slice(
                0,
                7,
              )}); nothing was pushed, preview again`,
            ),
          );
        }
        const remaining = items.filter(item => !outdated.includes(item));
        // A commit of ours that their push already made drops out of the
        // rebase: then the commits no longer map one to one.
        let rebased: string[] | undefined;
        if (outdated.length === 0 && (await repo.rebase(next))) {
          const shas = await repo.commitsSince(next);
          rebased = shas.length === remaining.length ? shas : undefined;
        }
        if (rebased) {
          const shas = rebased;
          committed = remaining.map((item, n) => ({ item, sha: shas[n] }));
        } else {
          // Worked out again on their commit, as if the deploys had come
          // a moment later.
          committed = await this.commitEach(repo, next, remaining);
          for (const item of remaining) {
            if (!committed.some(c => c.item === item)) {
              await store.remove(rows.get(item)!);
              rows.delete(item);
            }
          }
        }
        for (const { item, sha } of committed) {
          await this.movePending(rows.get(item)!, git, sha);
        }
        head = next;
        lap(`fetch and rebase ${attempt}`, remaining);
      }
    } catch (error) {
      for (const id of rows.values()) {
        await store.remove(id);
      }
      throw error;
    }
  }

  /**
   * Records a portal commit as a pending gitops-ui deploy, before it is
   * pushed: the tracker must never take it for someone else's.
   */
  private async recordPending(
    context: EnvironmentContext,
    git: GitContext,
    sha: string,
    options: {
      entityRef: string;
      entityRepository?: string;
      message: string;
      requester: Requester;
      rollbackOf?: number;
    },
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
    });
    if (!deploy) {
      throw new ConflictError(`commit ${sha} is recorded already`);
    }
    return deploy.id;
  }

  /** Points a pending deploy at its commit after a rebase. */
  private async movePending(id: number, git: GitContext, sha: string) {
    await this.options.store.update(id, ['pending'], {
      commitSha: sha,
      revision: branchRevision(git.branch, sha),
      commitUrl: this.options.repos.commitLink(git.repoUrl, sha),
    });
  }

  /**
   * Commits each deploy's changes on top of the one before, starting at
   * `head`; a deploy that cannot be made is refused alone and leaves no
   * trace in the work tree.
   */
  private async commitEach(
    repo: LocalRepo,
    head: string,
    items: QueuedDeploy[],
  ): Promise<Array<{ item: QueuedDeploy; sha: string }>> {
    const committed: Array<{ item: QueuedDeploy; sha: string }> = [];
    let tip = head;
    await repo.checkout(tip);
    for (const item of items) {
      const { context, git, request } = item;
      try {
        const prepared = await this.options.previews.prepare(
          repo,
          context,
          git,
          request.changes,
          request.deployment,
          tip,
        );
        if (
          request.expectedOverlayDigest &&
          request.expectedOverlayDigest !== prepared.digest
        ) {
          throw new ConflictError(
            `the overlay ${git.overlayPath} on ${
              git.branch
            } changed since your preview (now at ${tip.slice(
              0,
              7,
            )}); preview again`,
          );
        }
        if (prepared.files.length === 0) {
          throw new InputError(
            `changes: the overlay of '${context.environment}' already has these values; nothing to deploy`,
          );
        }
        for (const file of prepared.files) {
          await repo.writeFile(file.path, file.after);
        }
        const sha = await repo.commit(request.message, item.requester.identity);
        if (!sha) {
          throw new InputError('nothing to commit');
        }
        tip = sha;
        committed.push({ item, sha });
        item.watch.lap('preview and commit');
      } catch (error) {
        item.reject(error);
        await repo.checkout(tip);
      }
    }
    return committed;
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
    options: {
      message: string;
      requester: Requester;
      entityRef: string;
      entityRepository?: string;
      rollbackOf?: number;
    },
  ): Promise<DeployResult> {
    const { store } = this.options;
    let sha = await repo.commit(options.message, options.requester.identity);
    if (!sha) {
      throw new InputError('nothing to commit');
    }
    const deployId = await this.recordPending(context, git, sha, options);
    try {
      const startedAt = Date.now();
      for (let attempt = 1; ; attempt++) {
        const pushed = await repo.push(git.branch);
        if (pushed) {
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
        await this.movePending(deployId, git, sha);
      }
    } catch (error) {
      await store.remove(deployId);
      throw error;
    }
  }
}
