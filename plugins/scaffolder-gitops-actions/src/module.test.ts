import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { gitopsScaffolderModule } from './module';

describe('gitopsScaffolderModule', () => {
  it('registers the GitOps actions with the real scaffolder', async () => {
    const { server } = await startTestBackend({
      features: [scaffolderPlugin, gitopsScaffolderModule],
    });
    const res = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const ids = res.body.map((a: { id: string }) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gitops:project:check',
        'gitops:manifests:create',
        'gitops:flux:create',
        'gitops:flux:wait',
      ]),
    );
  });
});
