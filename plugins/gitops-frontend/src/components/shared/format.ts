import { DateTime } from 'luxon';

/** "3 minutes ago" for an ISO time, or a dash. */
export function relativeTime(iso?: string): string {
  if (!iso) {
    return '—';
  }
  return DateTime.fromISO(iso).toRelative() ?? iso;
}

/**
 * A web link to the commit of a Git revision (`main@sha1:<sha>`) in the
 * repository at `repoUrl`, for Gitea, GitHub and GitLab style hosts.
 */
export function commitUrl(
  repoUrl?: string,
  revision?: string,
): string | undefined {
  const sha = /sha1:([0-9a-f]{40})$/.exec(revision ?? '')?.[1];
  if (!repoUrl || !sha || !/^https?:\/\//.test(repoUrl)) {
    return undefined;
  }
  const base = repoUrl.replace(/\.git$/, '').replace(/\/$/, '');
  return base.includes('gitlab')
    ? `${base}/-/commit/${sha}`
    : `${base}/commit/${sha}`;
}
