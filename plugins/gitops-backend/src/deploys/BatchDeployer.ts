import { ConflictError, InputError } from '@backstage/errors';
import {
  DeployChanges,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxActions } from '../actions/FluxActions';
import { EntityScope } from '../entities/EntityScope';
import { DeployStore } from './DeployStore';
import {
  EnvironmentContext,
  GitContext,
  requestEnvironmentReconcile,
} from './environmentContext';
import { Requester } from './gitIdentity';
import { LocalRepo } from './GitWorkspace';
import { PendingDeploys } from './PendingDeploys';
import { PreviewService } from './PreviewService';
import { beforeNextPush } from './pushWindow';
import { Stopwatch } from './Stopwatch';

/** A caller's deploy: changes to one environment's overlay. */
export interface DeployRequest {
  environment: string;
  changes: DeployChanges;
  message: string;
  deployment?: string;
  expectedOverlayDigest?: string;
}

/** A deploy waiting for its entity's repository. */
export interface QueuedDeploy {
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
 * Deploys of one entity that waited together for its repository: one
 * commit and row each, one push for all.
 */
export class BatchDeployer {
  constructor(
    private readonly options: {
      actions: FluxActions;
      store: DeployStore;
      previews: PreviewService;
      pending: PendingDeploys;
    },
  ) {}

  /**
   * Commits each deploy of the batch on the branch head, in order, and
   * pushes them at once. A deploy refused on its own (nothing to deploy,
   * its preview out of date) leaves the others going; a rejected push is
   * rebased, or, where the rebase conflicts or someone changed an overlay
   * a deploy's preview pinned, the deploys are worked out again on the new
   * head.
   */
  async deployTogether(
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
          await this.options.pending.record(item.context, git, sha, {
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
          await this.options.pending.pushed(ids.map(({ id }) => id));
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
          await this.options.pending.move(rows.get(item)!, git, sha);
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
}
