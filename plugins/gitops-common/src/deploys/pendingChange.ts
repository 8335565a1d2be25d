/**
 * A commit between what an environment applied and what its source holds.
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
 * What the next sync of an environment would apply: the commits and the
 * diff of the Kustomization's path (and the bases it reads inside the
 * repository) between the applied revision and the source's.
 *
 * @public
 */
export interface PendingChange {
  environment: string;
  repoUrl: string;
  /** The commit the Kustomization applied last, and the one its source fetched. */
  appliedCommit?: string;
  sourceCommit?: string;
  /** Whether the source holds a commit not applied yet. */
  pending: boolean;
  suspended: boolean;
  /** The directories (and files) compared, relative to the repository root. */
  paths: string[];
  /** Commits that touch the paths, oldest first (at most `COMMIT_LIMIT`). */
  commits: PendingCommit[];
  /** Commits between the two revisions in all, touching the paths or not. */
  commitsBetween: number;
  files: Array<{ path: string; status: 'added' | 'modified' | 'deleted' }>;
  diff: string;
  /** The diff was cut at the portal's size bound. */
  truncated: boolean;
}
