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

/**
 * What the backend said about a failed request: its error body's message
 * ("environment: 'production' ... is not deployed by a Flux Kustomization"),
 * not the bare "Request failed with 400 Bad Request".
 */
export function apiErrorMessage(error: Error): string {
  const body = (error as { body?: { error?: { message?: unknown } } }).body;
  const message = body?.error?.message;
  return typeof message === 'string' && message ? message : error.message;
}
