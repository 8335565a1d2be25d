import { NotAllowedError } from '@backstage/errors';
import { RepositoryOfUrl } from '@gitops-backstage/plugin-gitops-node';

/**
 * The portal reads and writes with its own Git credentials for an entity
 * only in the repository the entity was registered from (its catalog
 * origin location, `registeredRepositoryOf`): a GitRepository's URL is the
 * tenant's to write, and a field manager's name anyone's to claim. Both
 * sides come from the one parser of `plugin-gitops-node`, which refuses a
 * URL that two parsers could read as two repositories.
 */
export function requireRegisteredRepository(
  url: string,
  given: RepositoryOfUrl,
  registered: RepositoryOfUrl,
): void {
  if (registered.problem !== undefined) {
    throw new NotAllowedError(
      `${url} is not the repository the entity was registered from (the entity ${registered.problem}); the portal commits and reads with its own credentials only there`,
    );
  }
  if (given.problem !== undefined) {
    throw new NotAllowedError(
      `${url} is not the repository the entity was registered from (${registered.repository}): the URL ${given.problem}`,
    );
  }
  if (given.repository !== registered.repository) {
    throw new NotAllowedError(
      `${url} is not the repository the entity was registered from (${registered.repository}); the portal commits and reads with its own credentials only there`,
    );
  }
}
