import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Asks the permission framework and refuses with a NotAllowedError (403)
 * unless it allows. Entity-scoped permissions name the entity.
 */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  request:
    | { permission: BasicPermission }
    | {
        permission: ResourcePermission<'catalog-entity'>;
        resourceRef: string;
      },
): Promise<void> {
  const [decision] = await permissions.authorize([request as any], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      'resourceRef' in request
        ? `${request.permission.name} on ${request.resourceRef} is not allowed for you`
        : `${request.permission.name} is not allowed for you`,
    );
  }
}
