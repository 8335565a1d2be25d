import { ConflictError, InputError } from '@backstage/errors';
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
    const change = await this.between(git, applied, fetched, sha => {
      throw new ConflictError(
        `commit ${sha.slice(0, 12)} is not on ${git.branch} of ${
          git.repoUrl
        } (force-pushed away?); Sync to apply the branch as it is`,
      );
    });
    return { ...base, pending: true, ...change };
  }

  /**
   * What deploy `id` changed: against the environment's previous deploy
   * that made a commit and succeeded, or `sinceId`'s (the older of the two
   * is the base), or the commit's parent when there is none before it.
   */
  async deployChange(
    scope: EntityScope,
    id: number,
    sinceId?: number,
  ): Promise<DeployChange> {
    const { history } = this.options;
    const deploy = await history.get(scope, id);
    const to = committed(deploy, 'id');
    let since: DeployRecord | undefined;
    if (sinceId !== undefined) {
      since = await history.get(scope, sinceId).catch(() => {
        throw new InputError(
          `since: deploy ${sinceId} of ${scope.entityRef} not found`,
        );
      });
      if (since.environment !== deploy.environment) {
        throw new InputError(
          `since: deploy ${sinceId} went to ${since.environment}, deploy ${id} to ${deploy.environment}; compare deploys of one environment`,
        );
      }
      committed(since, 'since');
    } else {
      since = await history.previousCommit(scope, deploy);
    }
    const git = gitContext(environmentContext(scope, deploy.environment));
    const [older, newer] =
      since && since.id > deploy.id ? [deploy, since] : [since, deploy];
    const notOnBranch = (sha: string): never => {
      throw new ConflictError(
        `commit ${sha.slice(0, 12)} is no longer on ${git.branch} of ${
          git.repoUrl
        } (force-pushed away?)`,
      );
    };
    const from =
      older?.commitSha ??
      (await this.options.repos.withRepo(git, async repo => {
        if (!(await repo.ensureCommit(to, git.branch))) {
          notOnBranch(to);
        }
        const parent = await repo.firstParent(to);
        if (!parent) {
          throw new ConflictError(
            `deploy ${id} made the first commit of ${git.repoUrl}: there is nothing before it to compare`,
          );
        }
        return parent;
      }));
    const target = newer === deploy ? to : newer!.commitSha!;
    const base = {
      environment: deploy.environment,
      deployId: deploy.id,
      sinceDeployId: since?.id,
      fromCommit: from,
      toCommit: target,
    };
    if (from === target) {
      return { ...base, ...unchanged(git) };
    }
    return {
      ...base,
      ...(await this.between(git, from, target, notOnBranch)),
    };
  }

  private between(
    git: GitContext,
    from: string,
    to: string,
    notOnBranch: (sha: string) => never,
  ): Promise<CommitRangeChange> {
    // The registered repository is in the key: the check withRepo makes
    // for it must not be skipped by another entity's cached answer.
    const key = [
      git.repoUrl,
      git.branch,
      git.overlayPath,
      JSON.stringify(git.registeredRepository),
      from,
      to,
    ].join('\n');
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.options.repos.withRepo(git, repo =>
        compare(repo, git, from, to, notOnBranch),
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
  from: string,
  to: string,
  notOnBranch: (sha: string) => never,
): Promise<CommitRangeChange> {
  const { repoUrl } = git;
  for (const sha of [to, from]) {
    if (!(await repo.ensureCommit(sha, git.branch))) {
      notOnBranch(sha);
    }
  }
  const paths = await pathsRead(repo, git.overlayPath, [from, to]);
  const { commits, total } = await repo.commitsTouching(
    from,
    to,
    paths,
    CHANGE_LIMITS.commits,
  );
  const files = await repo.changedFiles(from, to, paths);
  const diff =
    files.length === 0
      ? ''
      : await repo.unifiedDiff(from, to, paths, CHANGE_LIMITS.diffBytes);
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
