import { ConflictError, InputError, isError } from '@backstage/errors';
import {
  CommitRangeChange,
  commitWebUrl,
  DeployChange,
  DeployRecord,
  PendingChange,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';
import { EntityScope } from '../entities/EntityScope';
import { DeployHistoryService } from './DeployHistoryService';
import {
  environmentContext,
  GitContext,
  gitContext,
} from './environmentContext';
import { LocalRepo } from './GitWorkspace';
import { isUnder, kustomizationReferences } from './kustomizationPaths';
import {
  joinPath,
  KUSTOMIZATION_FILES,
  OVERLAY_LIMITS,
  OverlayRepos,
} from './overlayRepo';

/** Bounds of one answer: what a repository's author cannot blow up. */
export const CHANGE_LIMITS = {
  commits: 100,
  paths: 20,
  baseDepth: 5,
  diffBytes: 512 * 1024,
  /** Answers kept, by repository and revision pair. */
  cached: 200,
};

/**
 * What changed in an environment's repository between two commits, under
 * the Kustomization's path and the bases it reads inside the repository:
 * what the next sync applies (the applied revision against the one the
 * GitRepository fetched) and what a deploy changed (its commit against the
 * previous deploy's). Read from the portal's clone; an answer for a
 * revision pair is kept, so a pair costs at most one fetch.
 */
export class GitChangeService {
  private readonly cache = new Map<string, Promise<CommitRangeChange>>();

  constructor(
    private readonly options: {
      repos: OverlayRepos;
      history: DeployHistoryService;
    },
  ) {}

  async pending(
    scope: EntityScope,
    environment: string,
  ): Promise<PendingChange> {
    const context = environmentContext(scope, environment);
    const git = gitContext(context);
    const applied = revisionSha(
      context.kustomization.status?.lastAppliedRevision,
    );
    const fetched = revisionSha(
      (context.source?.status as any)?.artifact?.revision,
    );
    const base = {
      environment,
      appliedCommit: applied,
      sourceCommit: fetched,
      suspended: context.kustomization.spec?.suspend === true,
    };
    if (!applied || !fetched || applied === fetched) {
      return { ...base, pending: false, ...unchanged(git) };
    }
    const change = await this.between(git, applied, fetched).catch(error => {
      throw isError(error) && error.name === 'ConflictError'
        ? new ConflictError(
            `${error.message}; Sync to apply the branch as it is`,
          )
        : error;
    });
    return { ...base, pending: true, ...change };
  }

  /**
   * What deploy `id` changed: against what its Kustomization ran before it
   * (see DeployHistoryService.previousCommit) or `sinceId`'s row (the older
   * of the two is the base), or, with no row before it, the commit's parent
   * (for a repository's first commit, nothing: every file is added).
   */
  async deployChange(
    scope: EntityScope,
    id: number,
    sinceId?: number,
  ): Promise<DeployChange> {
    const { history } = this.options;
    const deploy = await history.get(scope, id);
    const deployCommit = committed(deploy, 'id');
    const since =
      sinceId === undefined
        ? await history.previousCommit(scope, deploy)
        : await this.sinceRow(scope, deploy, sinceId);
    const git = gitContext(environmentContext(scope, deploy.environment));
    let from: string | undefined;
    let to: string;
    if (since && since.id > deploy.id) {
      [from, to] = [deployCommit, committed(since, 'since')];
    } else {
      to = deployCommit;
      from = since
        ? committed(since, 'since')
        : await this.options.repos.withRepo(git, async repo => {
            if (!(await repo.isOnBranch(deployCommit, git.branch))) {
              throw notOnBranch(git, deployCommit);
            }
            return repo.firstParent(deployCommit);
          });
    }
    const base = {
      environment: deploy.environment,
      deployId: deploy.id,
      sinceDeployId: since?.id,
      fromCommit: from,
      toCommit: to,
    };
    if (from === to) {
      return { ...base, ...unchanged(git) };
    }
    return { ...base, ...(await this.between(git, from, to)) };
  }

  /** The other row of a comparison: the entity's, of the same environment. */
  private async sinceRow(
    scope: EntityScope,
    deploy: DeployRecord,
    sinceId: number,
  ): Promise<DeployRecord> {
    const since = await this.options.history
      .get(scope, sinceId)
      .catch(error => {
        throw isError(error) && error.name === 'NotFoundError'
          ? new InputError(`since: ${error.message}`)
          : error;
      });
    if (since.environment !== deploy.environment) {
      throw new InputError(
        `since: deploy ${sinceId} went to ${since.environment}, deploy ${deploy.id} to ${deploy.environment}; compare deploys of one environment`,
      );
    }
    committed(since, 'since');
    return since;
  }

  /** `from` undefined: from the repository's beginning. */
  private between(
    git: GitContext,
    from: string | undefined,
    to: string,
  ): Promise<CommitRangeChange> {
    // The registered repository is in the key: the check withRepo makes
    // for it must not be skipped by another entity's cached answer.
    const key = [
      git.repoUrl,
      git.branch,
      git.overlayPath,
      JSON.stringify(git.registeredRepository),
      from ?? '',
      to,
    ].join('\n');
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.options.repos.withRepo(git, repo =>
        compare(repo, git, from, to),
      );
      this.cache.set(key, answer);
      answer.catch(() => this.cache.delete(key));
      while (this.cache.size > CHANGE_LIMITS.cached) {
        this.cache.delete(this.cache.keys().next().value!);
      }
    }
    return answer;
  }
}

function notOnBranch(git: GitContext, sha: string): ConflictError {
  return new ConflictError(
    `commit ${sha.slice(0, 12)} is not on ${git.branch} of ${
      git.repoUrl
    } (force-pushed away?)`,
  );
}

/** The commit a deploy made; `field` names the request's part that chose it. */
function committed(deploy: DeployRecord, field: string): string {
  if (!deploy.commitSha) {
    throw new InputError(
      `${field}: deploy ${deploy.id} made no commit (a ${deploy.method} change in the cluster): there is nothing in Git to compare`,
    );
  }
  return deploy.commitSha;
}

function unchanged(git: GitContext): CommitRangeChange {
  return {
    repoUrl: git.repoUrl,
    paths: [git.overlayPath],
    commits: [],
    commitsBetween: 0,
    files: [],
    diff: '',
    truncated: false,
  };
}

async function compare(
  repo: LocalRepo,
  git: GitContext,
  from: string | undefined,
  to: string,
): Promise<CommitRangeChange> {
  const { repoUrl } = git;
  // The newer first: its fetch brings the older one too.
  for (const sha of from ? [to, from] : [to]) {
    if (!(await repo.isOnBranch(sha, git.branch))) {
      throw notOnBranch(git, sha);
    }
  }
  const revisions = from ? [from, to] : [to];
  const paths = await pathsRead(repo, git.overlayPath, revisions);
  const { commits, total } = await repo.commitsTouching(
    from,
    to,
    paths,
    CHANGE_LIMITS.commits,
  );
  const base = from ?? (await repo.emptyTree());
  const files = await repo.changedFiles(base, to, paths);
  const diff =
    files.length === 0
      ? ''
      : await repo.unifiedDiff(base, to, paths, CHANGE_LIMITS.diffBytes);
  return {
    repoUrl,
    paths,
    commits: commits.map(c => ({ ...c, url: commitWebUrl(repoUrl, c.sha) })),
    commitsBetween: total,
    files,
    diff: diff ?? '',
    truncated: diff === undefined,
  };
}

/**
 * The Kustomization's path and what its kustomization files read outside
 * it (bases, components), followed at both revisions, inside the repository.
 */
async function pathsRead(
  repo: LocalRepo,
  overlayPath: string,
  commits: string[],
): Promise<string[]> {
  const paths = [overlayPath];
  const visit = async (dir: string, depth: number) => {
    if (depth > CHANGE_LIMITS.baseDepth) {
      return;
    }
    for (const commit of commits) {
      for (const file of KUSTOMIZATION_FILES) {
        const text = await repo.show(commit, joinPath(dir, file));
        if (text === undefined) {
          continue;
        }
        // Parsed on the event loop: a file too large for that names nothing.
        if (Buffer.byteLength(text) > OVERLAY_LIMITS.parsedFileBytes) {
          break;
        }
        for (const ref of kustomizationReferences(dir, text)) {
          if (
            paths.length >= CHANGE_LIMITS.paths ||
            paths.some(p => isUnder(ref, p))
          ) {
            continue;
          }
          paths.push(ref);
          await visit(ref, depth + 1);
        }
        break;
      }
    }
  };
  await visit(overlayPath, 0);
  return paths;
}
