import { InputError } from '@backstage/errors';
import {
  DeployKeyHost,
  deployKeyHostOf,
  GitAuthSource,
  GitCredentials,
  sshCloneUrl,
} from '@gitops-backstage/plugin-gitops-node';

export type GitAccess =
  | {
      kind: 'deployKey';
      host: DeployKeyHost;
      fluxUrl: string;
      repository: string;
    }
  | { kind: 'secret' | 'none'; fluxUrl: string };

/**
 * How Flux reaches the repository. From the integration it gets a read-only
 * deploy key over SSH; the integration's own credential never leaves the
 * portal.
 */
export function planGitAccess(
  input: { repoUrl: string; auth: GitAuthSource },
  hosts: DeployKeyHost[],
  dryRun?: boolean,
): GitAccess {
  if (input.auth.from === 'none') {
    return { kind: 'none', fluxUrl: input.repoUrl };
  }
  if (input.auth.from === 'secret') {
    return { kind: 'secret', fluxUrl: input.repoUrl };
  }
  const host = deployKeyHostOf(input.repoUrl, hosts);
  if (!host && dryRun) {
    // A dry run may be fed a publish step's example URL of any host.
    return {
      kind: 'deployKey',
      host: { host: '(planned)', sshUrl: '(planned)', knownHosts: '(planned)' },
      fluxUrl: input.repoUrl,
      repository: input.repoUrl,
    };
  }
  if (!host) {
    const name = /^ssh:\/\//.test(input.repoUrl)
      ? input.repoUrl
      : new URL(input.repoUrl).host;
    throw new InputError(
      `Invalid input: auth: Flux gets a read-only deploy key, never the integration's own credential, and ${name} is not a deploy-key host; add it under gitops.deployKeys or use auth.from: secret`,
    );
  }
  const fluxUrl = sshCloneUrl(input.repoUrl, host);
  return {
    kind: 'deployKey',
    host,
    fluxUrl,
    repository: fluxUrl.slice(host.sshUrl.length + 1),
  };
}

/**
 * The Git Secret's data before a deploy key is issued: what a dry run shows
 * and what the run compares with the objects in place. A template secret
 * resolved already is used as it is.
 */
export function plannedGitSecret(
  access: GitAccess,
  secretCredentials: GitCredentials | undefined,
  auth: GitAuthSource,
): Record<string, string> | undefined {
  if (access.kind === 'none') {
    return undefined;
  }
  if (access.kind === 'deployKey') {
    return {
      identity: '(planned)',
      'identity.pub': '(planned)',
      known_hosts: access.host.knownHosts,
    };
  }
  return secretCredentials
    ? (secretCredentials as Record<string, string>)
    : plannedCredentials(auth);
}

function plannedCredentials(
  auth: GitAuthSource,
): Record<string, string> | undefined {
  if (auth.from === 'none') {
    return undefined;
  }
  const planned: GitCredentials =
    auth.from === 'secret' && auth.type === 'bearerToken'
      ? { bearerToken: '(planned)' }
      : { username: '(planned)', password: '(planned)' };
  return planned as Record<string, string>;
}
