import {
  AuthService,
  BackstageCredentials,
  BackstageServicePrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { entityLabelSelector } from '@gitops-backstage/plugin-gitops-common';
import express from 'express';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { callerOf } from './caller';
import { ClaimantsLookup } from './ClaimantsLookup';
import { EntityLookupCache } from './EntityLookupCache';
import { EntityScope } from './EntityScope';
import { PipelineGrants } from './PipelineGrants';

/**
 * Resolves the scope of a `/entities/:kind/:namespace/:name/...` request,
 * reading the entity with the caller's rights (so what the catalog hides
 * stays hidden).
 */
export class EntityScopeResolver {
  private readonly entities: EntityLookupCache;
  private readonly claimants: ClaimantsLookup;

  constructor(
    private readonly options: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      catalog: CatalogService;
      auth: AuthService;
      watchers: ClusterWatcher[];
      pipelines: PipelineGrants;
    },
  ) {
    this.entities = new EntityLookupCache(options.catalog);
    this.claimants = new ClaimantsLookup(options.catalog);
  }

  /**
   * Entity routes act for a signed-in user: service principals (which the
   * permission framework would allow without asking the policy) are refused.
   */
  async forRequest(req: express.Request): Promise<EntityScope> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const { kind, namespace, name } = req.params;
    const entityRef = entityRefOfPath({ kind, namespace, name });
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
    return this.scope(entity, entityRef, selector, credentials);
  }

  /**
   * The credentials of a pipeline: a service principal that `gitops.pipelines`
   * names; anyone else is refused (403) before the body is read.
   */
  async pipelineCredentials(
    req: express.Request,
  ): Promise<BackstageCredentials<BackstageServicePrincipal>> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['service'],
    });
    this.options.pipelines.requireKnown(credentials.principal.subject);
    return credentials;
  }

  /**
   * The scope of an entity a pipeline names in its report, if the pipeline's
   * grant covers it. The pipeline's service token has no catalog rights of
   * its own: the entity is read with the backend's.
   */
  async forPipelineReport(
    credentials: BackstageCredentials<BackstageServicePrincipal>,
    entityRefText: string,
  ): Promise<EntityScope> {
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(parseEntityRef(entityRefText));
    } catch (error) {
      throw new InputError(`entityRef: ${error}`);
    }
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`entityRef: ${entityRef} is not in the catalog`);
    }
    this.options.pipelines.requireEntity(
      credentials.principal.subject,
      entityRef,
      entity,
    );
    const selector = entityLabelSelector(entity);
    if (!selector) {
      throw new InputError(
        `entityRef: ${entityRef} is not linked to Flux objects`,
      );
    }
    return this.scope(entity, entityRef, selector, credentials);
  }

  private scope(
    entity: Entity,
    entityRef: string,
    selector: string,
    credentials: BackstageCredentials,
  ) {
    return new EntityScope(
      entity,
      entityRef,
      selector,
      callerOf(credentials),
      this.options.watchers,
      this.options.permissions,
      this.claimants,
    );
  }
}

/**
 * The entity reference the path's kind, namespace and name form; a 400
 * naming them when they form none (a `:` or `/` inside one of them).
 */
function entityRefOfPath(params: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  const entityRef = stringifyEntityRef(params);
  let parsed: ReturnType<typeof parseEntityRef> | undefined;
  try {
    parsed = parseEntityRef(entityRef);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    parsed.kind.toLocaleLowerCase('en-US') !==
      params.kind.toLocaleLowerCase('en-US') ||
    parsed.namespace !== params.namespace ||
    parsed.name !== params.name
  ) {
    throw new InputError(
      `kind, namespace, name: ${JSON.stringify(
        params,
      )} is no entity reference (none of them may contain ':' or '/')`,
    );
  }
  return entityRef;
}
