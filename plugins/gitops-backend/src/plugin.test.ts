import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { gitopsPlugin } from './plugin';

const config = {
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'local',
            title: 'Nowhere',
            // Nothing listens here: the cluster must show as unreachable.
            url: 'https://127.0.0.1:1',
            authProvider: 'serviceAccount',
            serviceAccountToken: 'very-secret',
          },
        ],
      },
    ],
  },
};

const features = [
  gitopsPlugin,
  mockServices.rootConfig.factory({ data: config }),
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'shop',
          annotations: { 'backstage.io/kubernetes-id': 'shop' },
        },
        spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'plain' },
        spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
      },
    ],
  }),
  createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({ publish: jest.fn(async () => {}) }),
  }),
];

describe('gitopsPlugin', () => {
  it('reports an unreachable cluster with its error, without credentials', async () => {
    const { server } = await startTestBackend({ features });
    let body: any;
    for (let i = 0; i < 50; i++) {
      const res = await request(server)
        .get('/api/gitops/clusters')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      body = res.body;
      if (body.items[0].state !== 'starting') break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(body.items[0]).toMatchObject({
      name: 'local',
      title: 'Nowhere',
      state: 'unreachable',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(JSON.stringify(body)).not.toContain('very-secret');
  });

  it('answers entity status with the cluster state, never an empty success', async () => {
    const { server } = await startTestBackend({ features });
    const res = await request(server)
      .get('/api/gitops/entities/component/default/shop/status')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/shop',
      selector: 'backstage.io/kubernetes-id=shop',
      clusters: [{ name: 'local' }],
      environments: [],
    });
    expect(['starting', 'unreachable']).toContain(res.body.clusters[0].state);
  });

  it('says what is missing for an entity without the annotation', async () => {
    const { server } = await startTestBackend({ features });
    const res = await request(server)
      .get('/api/gitops/entities/component/default/plain/status')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/backstage.io\/kubernetes-id/);
  });

  it('refuses a malformed action body with 400', async () => {
    const { server } = await startTestBackend({ features });
    const res = await request(server)
      .post(
        '/api/gitops/entities/component/default/shop/objects/local/Kustomization/ns/shop/suspend',
      )
      .set('Authorization', mockCredentials.user.header())
      .send({ reason: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/reason: Expected string/);
  });

  it('refuses unauthenticated requests', async () => {
    const { server } = await startTestBackend({ features });
    const res = await request(server)
      .get('/api/gitops/clusters')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});
