import {
  apiError,
  FakeClusterClient,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import { FluxStatusService } from './FluxStatusService';

describe('FluxStatusService', () => {
  it('maps objects with the health of their workloads and the state of what they depend on', async () => {
    const { watcher } = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('app', 'apps', {
          deployments: ['web', 'unwatched'],
          extraSpec: { dependsOn: [{ name: 'infra' }, { name: 'absent' }] },
        }),
        flux.kustomization('infra', 'apps', {
          ready: 'False',
          reason: 'BuildFailed',
        }),
        flux.deployment('web', 'apps', { replicas: 2 }),
      ),
    );
    try {
      const status = new FluxStatusService([watcher]);
      const app = status.list().find(o => o.name === 'app')!;
      expect(app.workloads).toEqual([
        expect.objectContaining({ name: 'web', health: expect.any(String) }),
        { kind: 'Deployment', namespace: 'apps', name: 'unwatched' },
      ]);
      expect(app.dependsOn).toEqual([
        { namespace: 'apps', name: 'infra', state: 'Failed' },
        { namespace: 'apps', name: 'absent' },
      ]);
      expect(() => status.watcher('mars')).toThrow(
        "cluster 'mars' is not configured",
      );
    } finally {
      watcher.stop();
    }
  });

  it('shows the last known state as Stale while the cluster is unreachable', async () => {
    const client = new FakeClusterClient().add(
      flux.kustomization('app', 'apps'),
    );
    const { watcher } = await syncedWatcher(client, { first: 500, max: 500 });
    try {
      for (let i = 0; i < 100 && client.watches.length === 0; i++) {
        await new Promise(resolve => setTimeout(resolve, 5));
      }
      client.failNext('listPage', apiError(401, 'Unauthorized', 'expired'));
      client.endWatches(new Error('connect ECONNREFUSED'));
      for (let i = 0; i < 100 && watcher.health().state === 'ok'; i++) {
        await new Promise(resolve => setTimeout(resolve, 5));
      }
      const status = new FluxStatusService([watcher]);
      const [app] = status.list();
      expect(app.state).toBe('Stale');
      expect(app.message).toMatch(/^last known: .*\(cluster unreachable: /);
      expect(status.clusters()[0]).toMatchObject({
        name: 'local',
        state: 'unreachable',
      });
    } finally {
      watcher.stop();
    }
  });
});
