import { ConflictError } from '@backstage/errors';
import {
  commitWebUrl,
  PendingChange,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';
import { EntityScope } from '../entities/EntityScope';
import { environmentContext, gitContext } from './environmentContext';
import { LocalRepo } from './GitWorkspace';
import { isUnder, kustomizationReferences } from './kustomizationPaths';
import {
  joinPath,
  KUSTOMIZATION_FILES,
  OVERLAY_LIMITS,
  OverlayRepos,
} from './overlayRepo';

/** Bounds of one answer: what a repository's author cannot blow up. */
export const PENDING_LIMITS = {
  commits: 100,
  paths: 20,
  baseDepth: 5,
  diffBytes: 512 * 1024,
  /** Answers kept, by repository and revision pair. */
  cached: 200,
};

/**
 * What the next sync of an environment applies: the commits and the diff
 * between the revision its Kustomization applied and the one its
 * GitRepository fetched, under the Kustomization's path and the bases it
 * reads inside the repository. Read from the portal's clone; an answer
 * for a revision pair is kept, so a pair costs at most one fetch.
 */
export class PendingChangeService {
  private readonly cache = new Map<
    string,
    Promise<Omit<PendingChange, 'environment' | 'suspended'>>
  >();

  constructor(private readonly options: { repos: OverlayRepos }) {}

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
    const suspended = context.kustomization.spec?.suspend === true;
    const base = {
      environment,
      repoUrl: git.repoUrl,
      appliedCommit: applied,
      sourceCommit: fetched,
      suspended,
    };
    if (!applied || !fetched || applied === fetched) {
      return {
        ...base,
        pending: false,
        paths: [git.overlayPath],
        commits: [],
        commitsBetween: 0,
        files: [],
        diff: '',
        truncated: false,
      };
    }
    // The registered repository is in the key: the check withRepo makes
    // for it must not be skipped by another entity's cached answer.
    const key = [
      git.repoUrl,
      git.branch,
      git.overlayPath,
      JSON.stringify(git.registeredRepository),
      applied,
      fetched,
    ].join('\n');
    let answer = this.cache.get(key);
    if (!answer) {
      answer = this.options.repos.withRepo(git, repo =>
        compare(
          repo,
          git.branch,
          git.overlayPath,
          applied,
          fetched,
          git.repoUrl,
        ),
      );
      this.cache.set(key, answer);
      answer.catch(() => this.cache.delete(key));
      while (this.cache.size > PENDING_LIMITS.cached) {
        this.cache.delete(this.cache.keys().next().value!);
      }
    }
    return { ...base, ...(await answer) };
  }
}

async function compare(
  repo: LocalRepo,
  branch: string,
  overlayPath: string,
  applied: string,
  fetched: string,
  repoUrl: string,
): Promise<Omit<PendingChange, 'environment' | 'suspended'>> {
  for (const sha of [fetched, applied]) {
    if (!(await repo.ensureCommit(sha, branch))) {
      throw new ConflictError(
        `commit ${sha.slice(
          0,
          12,
        )} is not on ${branch} of ${repoUrl} (force-pushed away?); Sync to apply the branch as it is`,
      );
    }
  }
  const paths = await pathsRead(repo, overlayPath, [applied, fetched]);
  const { commits, total } = await repo.commitsTouching(
    applied,
    fetched,
    paths,
    PENDING_LIMITS.commits,
  );
  const files = await repo.changedFiles(applied, fetched, paths);
  const diff =
    files.length === 0
      ? ''
      : await repo.unifiedDiff(
          applied,
          fetched,
          paths,
          PENDING_LIMITS.diffBytes,
        );
  return {
    repoUrl,
    appliedCommit: applied,
    sourceCommit: fetched,
    pending: true,
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
    if (depth > PENDING_LIMITS.baseDepth) {
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
            paths.length >= PENDING_LIMITS.paths ||
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
