import { LoggerService } from '@backstage/backend-plugin-api';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { setByPortal } from './environmentContext';
import { CommitInfo, LocalRepo } from './GitWorkspace';
import { OverlayRepos } from './overlayRepo';

/** The tracker asks again next run rather than wait behind deploys. */
export class RepositoryBusyError extends Error {
  constructor(repoUrl: string) {
    super(`${repoUrl} is busy with deploys`);
  }
}

/** The GitRepository a Kustomization reads: commits are looked up there. */
export function sourceOf(watcher: ClusterWatcher, resource: FluxResource) {
  const source = watcher.sourceOf(resource);
  return source?.kind === 'GitRepository' ? source : undefined;
}

/**
 * What the deploy tracker asks of a GitRepository's commits, read from
 * the portal's clone of it.
 */
export class SourceCommits {
  private readonly ancestry = new Map<string, boolean>();

  constructor(
    private readonly options: { repos: OverlayRepos; logger: LoggerService },
  ) {}

  /** Whether a later revision Flux applied carries `ancestor` with it. */
  async isAncestor(
    source: FluxResource | undefined,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const key = `${ancestor}..${descendant}`;
    const known = this.ancestry.get(key);
    if (known !== undefined || !source?.spec?.url) {
      return known ?? false;
    }
    const branch = source.spec.ref?.branch ?? 'master';
    const answer = await this.withRepo(source, async repo =>
      (await repo.ensureCommit(descendant, branch)) &&
      (await repo.ensureCommit(ancestor, branch))
        ? repo.isAncestor(ancestor, descendant)
        : undefined,
    ).catch(() => undefined);
    // Only an answer about two commits at hand is kept: a fetch that failed
    // (a busy clone, the host away) may succeed at the next tick, and a
    // "no" remembered from it would time the deploy out.
    if (answer !== undefined) {
      this.ancestry.set(key, answer);
    }
    return answer ?? false;
  }

  /**
   * Whether a commit is on the branch (the source's, unless named): in
   * the history of its head, not merely an object the clone holds. Throws
   * when the branch cannot be fetched: "not there" is an answer only after
   * a fetch.
   */
  async isPushed(
    source: FluxResource,
    sha: string,
    branch = source.spec?.ref?.branch ?? 'master',
  ): Promise<boolean> {
    return this.withRepo(source, async repo => {
      const head = await repo.fetch(branch);
      return (
        (await repo.ensureCommit(sha, branch)) && repo.isAncestor(sha, head)
      );
    });
  }

  /** Author and message for the history; a busy repository still throws. */
  async commitInfo(
    source: FluxResource,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    const branch = source.spec?.ref?.branch ?? 'master';
    return this.withRepo(source, async repo =>
      (await repo.ensureCommit(sha, branch)) ? repo.commitInfo(sha) : undefined,
    ).catch(error => {
      if (error instanceof RepositoryBusyError) {
        throw error;
      }
      this.options.logger.warn(
        `reading commit ${sha.slice(0, 7)} of ${source.spec?.url}: ${error}`,
      );
      return undefined;
    });
  }

  private async withRepo<T>(
    source: FluxResource,
    work: (repo: LocalRepo) => Promise<T>,
  ): Promise<T> {
    // Read with the portal's credentials only where the portal pointed the
    // source: a URL a tenant rewrote may name another team's repository.
    if (!setByPortal(source, 'spec.url')) {
      throw new Error(
        `the URL of GitRepository ${source.metadata.namespace}/${source.metadata.name} was not set by the portal; not read with its credentials`,
      );
    }
    // A burst of deploys queues on the repository's clone; waiting behind
    // it would hold every other deploy's progress. Asked again next run.
    if (this.options.repos.isBusy(String(source.spec?.url))) {
      throw new RepositoryBusyError(String(source.spec?.url));
    }
    return this.options.repos.withRepo(
      // Commit details for the history only; nothing is written.
      { repoUrl: String(source.spec?.url), registeredRepository: null },
      work,
    );
  }
}
