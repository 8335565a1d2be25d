import {
  apiError,
  FakeClusterClient,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';

const labels = { 'backstage.io/kubernetes-id': 'shop' };

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) {
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  expect(check()).toBe(true);
}

describe('ClusterWatcher', () => {
  it('lists every served kind, page by page, and indexes objects by kubernetes-id', async () => {
    const client = new FakeClusterClient().add(
      flux.kustomization('shop-dev', 'apps', { labels }),
      flux.kustomization('other', 'apps'),
      flux.gitRepository('shop-dev-repo', 'apps'),
      flux.deployment('shop', 'apps', {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'shop-dev',
          'kustomize.toolkit.fluxcd.io/namespace': 'apps',
          noise: 'x',
        },
        managedFields: [
          {
            manager: 'kubectl-set',
            operation: 'Update',
            time: new Date('2026-01-02T00:00:00Z'),
            fieldsV1: { 'f:spec': {} },
          },
          { manager: 'kubelet', operation: 'Update', subresource: 'status' },
        ],
      }),
    );
    const { watcher } = await syncedWatcher(client);
    try {
      expect(watcher.health().state).toBe('ok');
      expect(
        watcher
          .objects()
          .map(o => o.metadata.name)
          .sort(),
      ).toEqual(['other', 'shop-dev', 'shop-dev-repo']);
      expect(
        watcher.objectsWithKubernetesId('shop').map(o => o.metadata.name),
      ).toEqual(['shop-dev']);
      expect(watcher.servedVersion('HelmRelease')).toBe('v2');
      // Two Kustomizations: two pages, the second asked with the token.
      expect(
        client
          .callsOf('listPage')
          .filter(([, kind]) => kind === 'Kustomization')
          .map(([, , options]) => options.continueToken),
      ).toEqual([undefined, 'next']);
      // Workloads keep only what health and history read.
      const [workload] = watcher.workloads();
      expect(workload.metadata.labels).toEqual({
        'kustomize.toolkit.fluxcd.io/name': 'shop-dev',
        'kustomize.toolkit.fluxcd.io/namespace': 'apps',
      });
      // Its applier, by those labels.
      expect(watcher.applierOf(workload as any)?.metadata.name).toBe(
        'shop-dev',
      );
      // Labels naming a Kustomization the cluster does not have: none.
      const orphan = flux.kustomization('orphan', 'apps', {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'gone',
          'kustomize.toolkit.fluxcd.io/namespace': 'apps',
        },
      });
      expect(watcher.applierOf(orphan)).toBeUndefined();
      expect(
        watcher.applierOf(flux.kustomization('other', 'apps')),
      ).toBeUndefined();
      expect(workload.metadata.specManagers).toEqual([
        {
          manager: 'kubectl-set',
          operation: 'Update',
          time: '2026-01-02T00:00:00.000Z',
        },
      ]);
      expect(workload.spec?.images).toEqual([
        'app=registry.example.com/shop:1.0.0',
      ]);
      expect(watcher.workload('Deployment', 'apps', 'shop')).toBe(workload);
    } finally {
      watcher.stop();
    }
  });

  it('follows watch events and tells its listeners', async () => {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(flux.kustomization('a', 'apps')),
    );
    try {
      const changed: string[] = [];
      const unsubscribe = watcher.onChange(r => changed.push(r.metadata.name));
      await until(() => client.watches.length > 0);
      client.emit(
        'ADDED',
        {
          ...flux.kustomization('b', 'apps', { labels }),
          metadata: {
            ...flux.kustomization('b', 'apps', { labels }).metadata,
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': '{}',
              keep: 'me',
            },
          },
        },
        'kustomizations',
      );
      expect(
        watcher.get('Kustomization', 'apps', 'b')?.metadata.annotations,
      ).toEqual({ keep: 'me' });
      expect(watcher.objectsWithKubernetesId('shop')).toHaveLength(1);
      client.emit(
        'BOOKMARK',
        { metadata: { resourceVersion: '99' } },
        'kustomizations',
      );
      client.emit(
        'DELETED',
        flux.kustomization('b', 'apps', { labels }),
        'kustomizations',
      );
      expect(watcher.get('Kustomization', 'apps', 'b')).toBeUndefined();
      expect(watcher.objectsWithKubernetesId('shop')).toEqual([]);
      expect(changed).toEqual(['b', 'b']);
      unsubscribe();
    } finally {
      watcher.stop();
    }
  });

  it('relists after the API server says 410 Gone', async () => {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(flux.kustomization('a', 'apps')),
    );
    try {
      await until(() => client.watches.length > 0);
      const lists = () =>
        client
          .callsOf('listPage')
          .filter(([, kind]) => kind === 'Kustomization').length;
      const before = lists();
      client.add(flux.kustomization('later', 'apps'));
      client.emit('ERROR', { code: 410 }, 'kustomizations');
      client.endWatches();
      await until(() => lists() > before);
      await until(() => !!watcher.get('Kustomization', 'apps', 'later'));
      expect(watcher.health().state).toBe('ok');
    } finally {
      watcher.stop();
    }
  });

  it('reports the cluster unreachable while a kind cannot be listed, and recovers', async () => {
    const client = new FakeClusterClient();
    client.failNext('apiGroups', apiError(401, 'Unauthorized', 'bad token'));
    const { watcher } = await syncedWatcher(client);
    try {
      await until(() => watcher.health().state === 'ok');
      expect(client.callsOf('apiGroups').length).toBeGreaterThan(1);
    } finally {
      watcher.stop();
    }
  });

  it('says when no Flux API group is served', async () => {
    const client = new FakeClusterClient();
    client.groups = ['apps'];
    const watcher = (await syncedWatcher(client)).watcher;
    try {
      await until(() => watcher.health().state === 'unreachable');
      expect(watcher.health().error).toContain('is Flux installed');
    } finally {
      watcher.stop();
    }
  });

  it('groups the errors of kinds that fail the same way', async () => {
    const client = new FakeClusterClient();
    const watcher = (await syncedWatcher(client, { first: 300, max: 300 }))
      .watcher;
    try {
      await until(() => client.watches.length > 0);
      client.failNext('listPage', apiError(403, 'Forbidden', 'no list'));
      client.endWatches(new Error('connection refused'));
      await until(() => watcher.health().state === 'unreachable');
      expect(watcher.health().error).toContain('connection refused (');
      await until(() => watcher.health().state === 'ok');
    } finally {
      watcher.stop();
    }
  });
});
