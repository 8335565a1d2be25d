import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';

/**
 * The keys of a Flux Git auth Secret: basic auth or a bearer token.
 *
 * @public
 */
export type GitCredentials =
  | { username: string; password: string }
  | { bearerToken: string };

/**
 * Where the Git credentials for Flux come from.
 *
 * @public
 */
export type GitAuthSource =
  | { from: 'integration' }
  | {
      from: 'secret';
      /** Key of the template secret (ctx.secrets) holding the token. */
      secret: string;
      username?: string;
      type: 'basic' | 'bearerToken';
    }
  | { from: 'none' };

/**
 * Resolves the credentials Flux uses to pull `repoUrl`: from a template
 * secret, or from the Backstage integration of the repository's host. They
 * are never taken from a plain input and never logged.
 *
 * @public
 */
export function resolveGitCredentials(options: {
  repoUrl: string;
  auth: GitAuthSource;
  secrets?: Record<string, string>;
  integrations: ScmIntegrationRegistry;
}): GitCredentials | undefined {
  const { repoUrl, auth, secrets, integrations } = options;
  if (auth.from === 'none') {
    return undefined;
  }
  if (auth.from === 'secret') {
    const token = secrets?.[auth.secret];
    if (!token) {
      throw new InputError(
        `auth.secret: the template secret '${auth.secret}' is not set`,
      );
    }
    return auth.type === 'bearerToken'
      ? { bearerToken: token }
      : { username: auth.username ?? 'git', password: token };
  }

  const host = new URL(repoUrl).host;
  const gitea = integrations.gitea.byUrl(repoUrl)?.config;
  if (gitea) {
    if (gitea.username && gitea.password) {
      return { username: gitea.username, password: gitea.password };
    }
    throw noCredentials('gitea', host);
  }
  const github = integrations.github.byUrl(repoUrl)?.config;
  if (github) {
    if (github.token) {
      return { username: 'git', password: github.token };
    }
    throw noCredentials('github', host);
  }
  const gitlab = integrations.gitlab.byUrl(repoUrl)?.config;
  if (gitlab) {
    if (gitlab.token) {
      return { username: 'oauth2', password: gitlab.token };
    }
    throw noCredentials('gitlab', host);
  }
  const other = integrations.byUrl(repoUrl);
  if (other) {
    throw noCredentials(other.type, host);
  }
  throw new InputError(
    `repoUrl: no Backstage integration is configured for ${host}; add one under integrations or use auth.from: secret`,
  );
}

function noCredentials(type: string, host: string): InputError {
  return new InputError(
    `repoUrl: the ${type} integration for ${host} has no token or password Flux could use; configure one or use auth.from: secret`,
  );
}
