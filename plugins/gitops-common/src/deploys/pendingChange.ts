/**
 * A commit between two revisions an environment compares.
 *
 * @public
 */
export interface PendingCommit {
  sha: string;
  author: string;
  date: string;
  /** The first line of the message. */
  subject: string;
  url?: string;
}

/**
 * What changed between two commits of an environment's repository under
 * the Kustomization's path and the bases it reads inside the repository.
 *
 * @public
 */
export interface CommitRangeChange {
  repoUrl: string;
  /** The directories (and files) compared, relative to the repository root. */
  paths: string[];
  /** Commits that touch the paths, oldest first (at most 100). */
  commits: PendingCommit[];
  /** Commits between the two revisions in all, touching the paths or not. */
  commitsBetween: number;
  files: Array<{ path: string; status: 'added' | 'modified' | 'deleted' }>;
  diff: string;
  /** The diff was cut at the portal's size bound. */
  truncated: boolean;
}

/**
 * What the next sync of an environment would apply: the change between the
 * revision its Kustomization applied and the one its source fetched.
 * `GET /api/gitops/entities/:kind/:namespace/:name/environments/:environment/pending`.
 *
 * @public
 */
export interface PendingChange extends CommitRangeChange {
  environment: string;
  /** The commit the Kustomization applied last, and the one its source fetched. */
  appliedCommit?: string;
  sourceCommit?: string;
  /** Whether the source holds a commit not applied yet. */
  pending: boolean;
  suspended: boolean;
}

/**
 * What a deploy changed: its commit against the one the environment's
 * previous deploy made (or, with `since`, another row of the history).
 * `GET /api/gitops/entities/:kind/:namespace/:name/deploys/:id/changes?since=`.
 *
 * @public
 */
export interface DeployChange extends CommitRangeChange {
  environment: string;
  deployId: number;
  /** The deploy compared against; none when the commit's parent was. */
  sinceDeployId?: number;
  /** None: the deploy made the repository's first commit, every file is added. */
  fromCommit?: string;
  toCommit: string;
}
