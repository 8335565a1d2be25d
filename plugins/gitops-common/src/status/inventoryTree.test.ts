import { inventoryTree, parseInventoryEntry } from './inventoryTree';
import { FluxResource } from './types';

function fluxObject(
  kind: 'Kustomization' | 'HelmRelease',
  namespace: string,
  name: string,
  entries: string[],
  ready: { status: string; reason?: string; message?: string } = {
    status: 'True',
  },
): FluxResource {
  return {
    apiVersion:
      kind === 'Kustomization'
        ? 'kustomize.toolkit.fluxcd.io/v1'
        : 'helm.toolkit.fluxcd.io/v2',
    kind,
    metadata: { name, namespace },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', ...ready }],
      inventory: { entries: entries.map(id => ({ id, v: 'v1' })) },
    },
  } as FluxResource;
}

describe('parseInventoryEntry', () => {
  it('reads namespaced, core, cluster-scoped and RBAC entries', () => {
    expect(
      parseInventoryEntry({ id: 'shop_web_apps_Deployment', v: 'v1' }),
    ).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
    });
    expect(parseInventoryEntry({ id: 'shop_web__Service', v: 'v1' })).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'shop',
      name: 'web',
    });
    expect(parseInventoryEntry({ id: '_shop__Namespace', v: 'v1' })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      namespace: '',
      name: 'shop',
    });
    expect(
      parseInventoryEntry({
        id: '_system__controller__web_rbac.authorization.k8s.io_ClusterRole',
        v: 'v1',
      }),
    ).toMatchObject({ name: 'system:controller:web', kind: 'ClusterRole' });
  });

  it('refuses ids not in that form', () => {
    for (const id of [
      '',
      'nounderscore',
      'a_b',
      'ns__apps_Deployment',
      'a_b_c_d_e',
    ]) {
      expect(parseInventoryEntry({ id, v: 'v1' })).toBeUndefined();
    }
  });
});

describe('inventoryTree', () => {
  it('nests Kustomizations three levels deep, groups and sorts, with health', () => {
    const objects = [
      fluxObject('Kustomization', 'flux-system', 'platform', [
        'flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization',
        '_shop__Namespace',
      ]),
      fluxObject('Kustomization', 'flux-system', 'apps', [
        'flux-system_shop_kustomize.toolkit.fluxcd.io_Kustomization',
      ]),
      fluxObject(
        'Kustomization',
        'flux-system',
        'shop',
        [
          'shop_web_apps_Deployment',
          'shop_api_apps_Deployment',
          'shop_web__Service',
          'shop_cache_helm.toolkit.fluxcd.io_HelmRelease',
        ],
        {
          status: 'False',
          reason: 'HealthCheckFailed',
          message: 'web not ready',
        },
      ),
      fluxObject('HelmRelease', 'shop', 'cache', [
        'shop_cache_apps_StatefulSet',
      ]),
    ];
    const find = (kind: string, namespace: string, name: string) =>
      objects.find(
        o =>
          o.kind === kind &&
          o.metadata.namespace === namespace &&
          o.metadata.name === name,
      );
    const tree = inventoryTree(objects[0], {
      fluxObject: find,
      workload: (kind, _namespace, name) => {
        if (kind === 'Deployment' && name === 'web') {
          return {
            health: 'Degraded',
            ready: '0/2',
            reason: 'ProgressDeadlineExceeded',
          };
        }
        return kind === 'Deployment' || kind === 'StatefulSet'
          ? { health: 'Healthy', ready: '1/1' }
          : undefined;
      },
    });
    expect(tree.root).toMatchObject({ name: 'platform', state: 'Ready' });
    expect(tree.root.children!.map(g => [g.kind, g.namespace])).toEqual([
      ['Kustomization', 'flux-system'],
      ['Namespace', ''],
    ]);
    const apps = tree.root.children![0].items[0];
    const shop = apps.children![0].items[0];
    expect(shop).toMatchObject({
      name: 'shop',
      state: 'Failed',
      reason: 'HealthCheckFailed: web not ready',
    });
    expect(shop.children!.map(g => g.kind)).toEqual([
      'Deployment',
      'HelmRelease',
      'Service',
    ]);
    expect(
      shop.children![0].items.map(i => [i.name, i.health, i.ready]),
    ).toEqual([
      ['api', 'Healthy', '1/1'],
      ['web', 'Degraded', '0/2'],
    ]);
    expect(shop.children![0].items[1].reason).toBe('ProgressDeadlineExceeded');
    const cache = shop.children![1].items[0];
    expect(cache).toMatchObject({ kind: 'HelmRelease', state: 'Ready' });
    expect(cache.children![0].items[0]).toMatchObject({
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      health: 'Healthy',
    });
    // apps, Namespace; shop; 4 of shop; 1 of cache.
    expect(tree.total).toBe(8);
  });

  it('does not expand a loop, an object it does not see, or past the deepest level', () => {
    const a = fluxObject('Kustomization', 'x', 'a', [
      'x_b_kustomize.toolkit.fluxcd.io_Kustomization',
      'x_ghost_kustomize.toolkit.fluxcd.io_Kustomization',
    ]);
    const b = fluxObject('Kustomization', 'x', 'b', [
      'x_a_kustomize.toolkit.fluxcd.io_Kustomization',
    ]);
    const lookup = {
      fluxObject: (_kind: string, _ns: string, name: string) =>
        (({ a, b } as Record<string, FluxResource>)[name]),
      workload: () => undefined,
    };
    const tree = inventoryTree(a, lookup);
    const [bNode, ghost] = tree.root.children![0].items;
    expect(ghost).toMatchObject({ name: 'ghost', unexpanded: 'not-found' });
    expect(bNode.children![0].items[0]).toMatchObject({
      name: 'a',
      unexpanded: 'cycle',
      state: 'Ready',
    });
    const shallow = inventoryTree(a, lookup, 1);
    expect(shallow.root.children![0].items[0]).toMatchObject({
      name: 'b',
      unexpanded: 'depth',
    });
  });

  it('reads an inventory of 2,000 entries from the caches alone', () => {
    const entries = Array.from(
      { length: 2_000 },
      (_, i) => `shop_cm-${i}__ConfigMap`,
    );
    const root = fluxObject('Kustomization', 'shop', 'big', entries);
    const workload = jest.fn(() => undefined);
    const tree = inventoryTree(root, { fluxObject: () => undefined, workload });
    expect(tree.total).toBe(2_000);
    expect(tree.root.children).toHaveLength(1);
    expect(tree.root.children![0].items[0].name).toBe('cm-0');
    expect(workload).toHaveBeenCalledTimes(2_000);
  });
});
