import { DateTime } from 'luxon';
import {
  commitWebUrl,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';

/** "3 minutes ago" for an ISO time, or a dash. */
export function relativeTime(iso?: string): string {
  if (!iso) {
    return '—';
  }
  return DateTime.fromISO(iso).toRelative() ?? iso;
}

/** A web link to the commit of a Flux revision (`main@sha1:<sha>`). */
export function commitUrl(
  repoUrl?: string,
  revision?: string,
): string | undefined {
  return commitWebUrl(repoUrl, revisionSha(revision));
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
