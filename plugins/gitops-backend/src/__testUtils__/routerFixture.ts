import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import { ActionAudit } from '../actions/ActionAudit';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { EntityScopeResolver } from '../entities/EntityScopeResolver';
import { PipelineGrant, PipelineGrants } from '../entities/PipelineGrants';
import { jsonBody } from '../parseBody';

/** The team that owns the sample entity; others are refused its actions. */
export const OWNER = 'user:default/owner';
export const STRANGER = 'user:default/stranger';

export const ownerHeader = mockCredentials.user.header(OWNER);
export const strangerHeader = mockCredentials.user.header(STRANGER);
/** The mock service token; its subject is the configured pipeline. */
export const serviceHeader = mockCredentials.service.header();
export const PIPELINE_SUBJECT = mockCredentials.service().principal.subject;

/** The default pipeline grant: the service token reports for team-a. */
export const teamPipeline: PipelineGrant = {
  subject: PIPELINE_SUBJECT,
  entities: [],
  owners: ['group:default/team-a'],
};

export const shopEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'shop' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

const plainEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'plain', namespace: 'default' },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

const ownerEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'owner', namespace: 'default' },
  spec: { profile: { displayName: 'Olive Owner', email: 'olive@example.com' } },
};

/** Allows users other than STRANGER, and services. */
export const permissions = mockServices.permissions.mock({
  authorize: async (requests: any[], options: any) => {
    const credentials = options.credentials as BackstageCredentials;
    const principal = credentials.principal as { userEntityRef?: string };
    return requests.map(() => ({
      result:
        principal.userEntityRef === STRANGER
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    }));
  },
});

export function fixtureDeps(
  watchers: ClusterWatcher[],
  pipelines: PipelineGrant[] = [teamPipeline],
  /** Where shop's catalog file was registered from (its repository). */
  shopOrigin?: string,
) {
  const httpAuth = mockServices.httpAuth({
    defaultCredentials: mockCredentials.none(),
  });
  const shop = shopOrigin
    ? {
        ...shopEntity,
        metadata: {
          ...shopEntity.metadata,
          annotations: {
            ...shopEntity.metadata.annotations,
            'backstage.io/managed-by-origin-location': `url:${shopOrigin}`,
          },
        },
      }
    : shopEntity;
  const catalog = catalogServiceMock({
    entities: [shop, plainEntity, ownerEntity],
  });
  const auth = mockServices.auth();
  const scopes = new EntityScopeResolver({
    httpAuth,
    permissions,
    catalog,
    auth,
    watchers,
    pipelines: new PipelineGrants(pipelines),
  });
  return { httpAuth, catalog, auth, scopes, permissions };
}

/**
 * An app around a router, with the framework's error mapping and the JSON
 * body parser the plugin's first router installs for all of them.
 */
export function appWith(router: express.Router) {
  const app = express();
  app.use(jsonBody());
  app.use(router);
  app.use(mockErrorHandler());
  return app;
}

/**
 * The audit of portal actions over these clients, with an auditor that
 * keeps what it was told.
 */
export function auditWith(clients: ClusterClients) {
  const outcomes: Array<{ eventId: string; outcome: 'success' | 'fail' }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async ({ eventId }) => ({
      success: async () => {
        outcomes.push({ eventId, outcome: 'success' });
      },
      fail: async () => {
        outcomes.push({ eventId, outcome: 'fail' });
      },
    }),
  });
  const audit = new ActionAudit({
    clients,
    logger: mockServices.logger.mock(),
    auditor,
  });
  return { audit, outcomes };
}
