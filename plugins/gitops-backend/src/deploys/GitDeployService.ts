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
  fluxRevision,
  gitContext,
  GitContext,
  requestEnvironmentReconcile,
} from './environmentContext';
import { Requester, requesterOf } from './gitIdentity';
import { LocalRepo } from './GitWorkspace';
import { digestOf, OverlayRepos, readDir } from './overlayRepo';
import { PreviewService, toPreview } from './PreviewService';

const PUSH_ATTEMPTS = 5;

/**
 * Deploys through Git (gitops-ui) and rollbacks: a commit to the
 * environment's overlay, recorded before it is pushed so that the tracker
 * never mistakes it for someone else's push.
 */
export class GitDeployService {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      actions: FluxActions;
      store: DeployStore;
      repos: OverlayRepos;
      previews: PreviewService;
    },
  ) {}

  async deploy(
    scope: EntityScope,
    request: {
      environment: string;
      changes: DeployChanges;
      message: string;
      deployment?: string;
      expectedOverlayDigest?: string;
    },
  ): Promise<DeployResult> {
    const context = environmentContext(scope, request.environment);
    const requester = await requesterOf(this.options.catalog, scope.caller);
    const git = gitContext(context);
    return this.options.repos.withRepo(git, async repo => {
      const prepared = await this.options.previews.prepare(
        repo,
        context,
        git,
        request.changes,
        request.deployment,
      );
      if (
        request.expectedOverlayDigest &&
        request.expectedOverlayDigest !== prepared.digest
      ) {
        throw new ConflictError(
          `the overlay ${git.overlayPath} on ${
            git.branch
          } changed since your preview (the branch is now at ${prepared.head.slice(
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
      await repo.checkout(prepared.head);
      for (const file of prepared.files) {
        await repo.writeFile(file.path, file.after);
      }
      return this.commitAndPush(repo, context, git, {
        message: request.message,
        requester,
        entityRef: scope.entityRef,
        expectedOverlayDigest: request.expectedOverlayDigest,
      });
    });
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
        entityRef: scope.entityRef,
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
      expectedOverlayDigest?: string;
      rollbackOf?: number;
    },
  ): Promise<DeployResult> {
    const { store } = this.options;
    let sha = await repo.commit(options.message, options.requester.identity);
    if (!sha) {
      throw new InputError('nothing to commit');
    }
    const deploy = await store.insert({
      ...context.target,
      entityRef: options.entityRef,
      environment: context.environment,
      method: 'gitops-ui',
      status: 'pending',
      revision: fluxRevision(git.branch, sha),
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
    try {
      for (let attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
        if (await repo.push(git.branch)) {
          await requestEnvironmentReconcile(this.options.actions, context);
          return {
            deploy: (await store.get(deploy.id))!,
            pushAttempts: attempt,
          };
        }
        // Someone pushed first: replay our commit on theirs, unless they
        // changed the overlay the user previewed.
        const head = await repo.fetch(git.branch);
        if (options.expectedOverlayDigest) {
          const overlay = await readDir(repo, head, git.overlayPath);
          if (digestOf(overlay) !== options.expectedOverlayDigest) {
            throw new ConflictError(
              `the overlay ${git.overlayPath} changed on ${
                git.branch
              } while deploying (now at ${head.slice(
                0,
                7,
              )}); nothing was pushed, preview again`,
            );
          }
        }
        if (!(await repo.rebase(head))) {
          throw new ConflictError(
            `the deploy conflicts with commit ${head.slice(0, 7)} pushed to ${
              git.branch
            } meanwhile; nothing was pushed, preview again`,
          );
        }
        sha = await repo.head();
        await store.update(deploy.id, ['pending'], {
          commitSha: sha,
          revision: fluxRevision(git.branch, sha),
          commitUrl: this.options.repos.commitLink(git.repoUrl, sha),
        });
      }
      throw new ConflictError(
        `${git.branch} kept moving during ${PUSH_ATTEMPTS} push attempts; nothing was pushed, try again`,
      );
    } catch (error) {
      await store.remove(deploy.id);
      throw error;
    }
  }
}
