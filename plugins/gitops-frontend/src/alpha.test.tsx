import { discoveryApiRef } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { registerMswTestHooks } from '@backstage/test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { ANNOTATION_KUBERNETES_ID } from '@gitops-backstage/plugin-gitops-common';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import plugin from './alpha';
import { gitopsPlugin } from './plugin';

const server = setupServer();

describe('gitops frontend plugin', () => {
  registerMswTestHooks(server);

  it('mounts the GitOps page at /gitops, reading objects through its own API client', async () => {
    server.use(
      http.get('http://backend/api/gitops/objects', () =>
        HttpResponse.json({
          clusters: [{ name: 'local', state: 'ok' }],
          items: [
            {
              cluster: 'local',
              kind: 'Kustomization',
              namespace: 'apps',
              name: 'shop-production',
              state: 'Ready',
              suspended: false,
              shortRevision: 'main@abc1234',
              message: 'Applied revision: main@sha1:abc1234',
              dependsOn: [],
              workloads: [],
            },
          ],
        }),
      ),
    );
    renderTestApp({
      features: [plugin],
      initialRouteEntries: ['/gitops'],
      apis: [
        [
          discoveryApiRef,
          { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
        ],
      ],
    });
    // The page's code loads lazily, as in the app: the first load is slow.
    expect(
      await screen.findByText('shop-production', undefined, { timeout: 20000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('Flux across your clusters')).toBeInTheDocument();
    expect(screen.getByText('main@abc1234')).toBeInTheDocument();
  }, 30000);

  it('shows the GitOps entity tab only on entities with a kubernetes-id', () => {
    const tester = createExtensionTester(
      plugin.getExtension('entity-content:gitops'),
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    if (!filter) throw new Error('the GitOps tab has no entity filter');
    const entity = (annotations: Record<string, string>) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'shop', annotations },
    });
    expect(filter(entity({ [ANNOTATION_KUBERNETES_ID]: 'shop' }))).toBe(true);
    expect(filter(entity({}))).toBe(false);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('GitOps');
  });

  it('keeps a legacy plugin for apps that have not migrated', () => {
    expect(gitopsPlugin.getId()).toBe('gitops');
  });
});
