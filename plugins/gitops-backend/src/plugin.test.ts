import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { gitopsPlugin } from './plugin';

describe('gitopsPlugin', () => {
  const config = {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'local',
              url: 'https://127.0.0.1:16443',
              authProvider: 'serviceAccount',
              serviceAccountToken: 'very-secret',
            },
          ],
        },
      ],
    },
  };

  it('lists the configured clusters without their credentials', async () => {
    const { server } = await startTestBackend({
      features: [
        gitopsPlugin,
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    const res = await request(server)
      .get('/api/gitops/clusters')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [{ name: 'local', url: 'https://127.0.0.1:16443' }],
    });
    expect(JSON.stringify(res.body)).not.toContain('very-secret');
  });

  it('refuses unauthenticated requests', async () => {
    const { server } = await startTestBackend({
      features: [
        gitopsPlugin,
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    const res = await request(server)
      .get('/api/gitops/clusters')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});
