import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { entityLabelSelector } from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import { EntityLookupCache } from './EntityLookupCache';

/** The entity of a `/entities/:kind/:namespace/:name/...` request. */
export interface EntityAccess {
  credentials: BackstageCredentials;
  entityRef: string;
  selector: string;
  /** The caller's user entity ref, or who else it is. */
  who: string;
}

/**
 * Reads the entity of a request with the caller's rights (so what the
 * catalog hides stays hidden) and checks entity-scoped permissions.
 */
export class EntityAccessResolver {
  private readonly entities: EntityLookupCache;

  constructor(
    private readonly options: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      catalog: CatalogService;
    },
  ) {
    this.entities = new EntityLookupCache(options.catalog);
  }

  async resolve(req: express.Request): Promise<EntityAccess> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { kind, namespace, name } = req.params;
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const entity = await this.entities.getEntity(entityRef, credentials);
    if (!entity) {
      throw new NotFoundError(`entity ${entityRef} not found`);
    }
    const selector = entityLabelSelector(entity);
    if (!selector) {
      throw new InputError(
        `entity ${entityRef} has neither the backstage.io/kubernetes-id nor the gitops.backstage.io/label-selector annotation`,
      );
    }
    const who =
      'userEntityRef' in credentials.principal
        ? (credentials.principal as { userEntityRef: string }).userEntityRef
        : 'a backend service';
    return { credentials, entityRef, selector, who };
  }

  async authorize(
    access: EntityAccess,
    permission: ResourcePermission<'catalog-entity'>,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: access.entityRef }],
      { credentials: access.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${permission.name} on ${access.entityRef} is not allowed for you`,
      );
    }
  }
}
