import { BackstageCredentials } from '@backstage/backend-plugin-api';

/** Who is calling: the credentials to act with, and a name for logs and audit. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The user entity ref, or `service:<subject>` for a backend service. */
  ref: string;
  /** Set when a signed-in user calls. */
  userEntityRef?: string;
  /** Set when a backend service (or an external token) calls: its subject. */
  service?: string;
}

/** The one place that works out who a request comes from. */
export function callerOf(credentials: BackstageCredentials): Caller {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.userEntityRef) {
    return {
      credentials,
      ref: principal.userEntityRef,
      userEntityRef: principal.userEntityRef,
    };
  }
  const service = principal.subject ?? 'unknown';
  return { credentials, ref: `service:${service}`, service };
}
