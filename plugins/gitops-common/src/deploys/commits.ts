/**
 * The commit sha of a Flux revision (`main@sha1:<sha>`) or of a bare sha.
 *
 * @public
 */
export function revisionSha(revision?: string): string | undefined {
  return /(?:sha1:)?([0-9a-f]{40})$/.exec(revision ?? '')?.[1];
}

/**
 * A link to a commit on the Git host's web UI, for Gitea, GitHub and
 * GitLab style hosts; none for a repository URL that is not http(s).
 *
 * @public
 */
export function commitWebUrl(
  repoUrl: string | undefined,
  sha: string | undefined,
): string | undefined {
  if (!repoUrl || !sha || !/^https?:\/\//.test(repoUrl)) {
    return undefined;
  }
  const base = repoUrl.replace(/\.git$/, '').replace(/\/$/, '');
  return base.includes('gitlab')
    ? `${base}/-/commit/${sha}`
    : `${base}/commit/${sha}`;
}
