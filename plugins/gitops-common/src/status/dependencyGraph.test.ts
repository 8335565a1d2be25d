import { dependencyGraphAround, fluxDependencyGraph } from './dependencyGraph';
import { FluxObjectStatus, SyncState } from './types';

function kustomization(
  name: string,
  dependsOn: Array<{ name: string; state?: SyncState; namespace?: string }>,
  options: { state?: SyncState; cluster?: string; kind?: string } = {},
): FluxObjectStatus {
  return {
    cluster: options.cluster ?? 'local',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: options.kind ?? 'Kustomization',
    namespace: 'apps',
    name,
    state: options.state ?? 'Ready',
    ready: 'True',
    message: '',
    suspended: false,
    dependsOn: dependsOn.map(d => ({ namespace: 'apps', ...d })),
    workloads: [],
  };
}

const id = (name: string, kind = 'Kustomization', cluster = 'local') =>
  `${cluster}/${kind}/apps/${name}`;

describe('fluxDependencyGraph', () => {
  it('draws a promotion chain in promotion order', () => {
    const graph = fluxDependencyGraph([
      kustomization('production', [{ name: 'staging', state: 'Failed' }]),
      kustomization('development', []),
      kustomization('staging', [{ name: 'development', state: 'Ready' }], {
        state: 'Failed',
      }),
    ]);
    expect(graph.edges).toEqual([
      { from: id('staging'), to: id('production'), inCycle: false },
      { from: id('development'), to: id('staging'), inCycle: false },
    ]);
    expect(graph.nodes.map(n => [n.name, n.state, n.missing])).toEqual([
      ['production', 'Ready', false],
      ['development', 'Ready', false],
      ['staging', 'Failed', false],
    ]);
    expect(graph.nodes.every(n => n.object)).toBe(true);
    expect(graph.cycles).toEqual([]);
    expect(graph.unconnected).toBe(0);
  });

  it('leaves out objects with no dependency either way, and counts them', () => {
    const graph = fluxDependencyGraph([
      kustomization('a', []),
      kustomization('b', [{ name: 'a', state: 'Ready' }]),
      kustomization('alone', []),
      kustomization('also-alone', []),
    ]);
    expect(graph.nodes.map(n => n.name)).toEqual(['a', 'b']);
    expect(graph.unconnected).toBe(2);
  });

  it('marks a dependency the backend does not see as missing, and one it sees elsewhere by its state', () => {
    const graph = fluxDependencyGraph([
      kustomization('app', [
        { name: 'gone' },
        { name: 'infra', state: 'Reconciling' },
      ]),
    ]);
    const gone = graph.nodes.find(n => n.name === 'gone')!;
    const infra = graph.nodes.find(n => n.name === 'infra')!;
    expect(gone).toMatchObject({ missing: true, state: undefined });
    expect(gone.object).toBeUndefined();
    // Not in the list (another entity's), but it exists.
    expect(infra).toMatchObject({ missing: false, state: 'Reconciling' });
    expect(infra.object).toBeUndefined();
  });

  it('resolves a reference on the waiting object’s cluster and kind', () => {
    const graph = fluxDependencyGraph([
      kustomization('db', [], { cluster: 'second' }),
      kustomization('app', [{ name: 'db', state: 'Ready' }]),
      kustomization('chart', [{ name: 'db', state: 'Ready' }], {
        kind: 'HelmRelease',
      }),
    ]);
    // The second cluster's db is not the one the first cluster's app waits for.
    expect(graph.edges.map(e => e.from)).toEqual([
      id('db'),
      id('db', 'HelmRelease'),
    ]);
    expect(graph.nodes.map(n => n.id)).not.toContain(
      id('db', 'Kustomization', 'second'),
    );
    expect(graph.unconnected).toBe(1);
  });

  it('marks the nodes and edges of a cycle, each waiting for the next', () => {
    const graph = fluxDependencyGraph([
      kustomization('c', [{ name: 'b', state: 'Reconciling' }]),
      kustomization('b', [{ name: 'a', state: 'Reconciling' }]),
      kustomization('a', [{ name: 'c', state: 'Reconciling' }]),
      kustomization('outside', [{ name: 'a', state: 'Reconciling' }]),
    ]);
    // a waits for c, c for b, b for a.
    expect(graph.cycles).toEqual([[id('a'), id('c'), id('b')]]);
    expect(
      graph.nodes
        .filter(n => n.inCycle)
        .map(n => n.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(graph.edges.filter(e => !e.inCycle)).toEqual([
      { from: id('a'), to: id('outside'), inCycle: false },
    ]);
  });

  it('finds an object that waits for itself, and two separate cycles', () => {
    const graph = fluxDependencyGraph([
      kustomization('self', [{ name: 'self', state: 'Reconciling' }]),
      kustomization('x', [{ name: 'y', state: 'Reconciling' }]),
      kustomization('y', [{ name: 'x', state: 'Reconciling' }]),
    ]);
    expect(graph.cycles).toEqual([[id('self')], [id('x'), id('y')]]);
    expect(graph.edges.every(e => e.inCycle)).toBe(true);
  });

  it('draws the same edge once, and a deep chain without recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) =>
      kustomization(`k${i}`, i ? [{ name: `k${i - 1}`, state: 'Ready' }] : []),
    );
    chain.push(
      kustomization('k0-again', [
        { name: 'k0', state: 'Ready' },
        { name: 'k0', state: 'Ready' },
      ]),
    );
    const graph = fluxDependencyGraph(chain);
    expect(graph.edges).toHaveLength(20_000);
    expect(graph.cycles).toEqual([]);
  });
});

describe('dependencyGraphAround', () => {
  const graph = fluxDependencyGraph([
    kustomization('shop-dev', []),
    kustomization('shop-staging', [{ name: 'shop-dev', state: 'Ready' }]),
    kustomization('shop-prod', [{ name: 'shop-staging', state: 'Ready' }]),
    kustomization('web-dev', []),
    kustomization('web-prod', [{ name: 'web-dev', state: 'Ready' }]),
    kustomization('loop-a', [{ name: 'loop-b', state: 'Ready' }]),
    kustomization('loop-b', [{ name: 'loop-a', state: 'Ready' }]),
    kustomization('alone', []),
    kustomization('infra', []),
    kustomization('team-a', [{ name: 'infra', state: 'Ready' }]),
    kustomization('team-b', [{ name: 'infra', state: 'Ready' }]),
  ]);

  it('keeps each chain a matching object is on, whole, from either end', () => {
    const around = dependencyGraphAround(graph, n => n.name === 'shop-prod');
    expect(around.nodes.map(n => n.name).sort()).toEqual([
      'shop-dev',
      'shop-prod',
      'shop-staging',
    ]);
    expect(around.edges).toHaveLength(2);
    expect(around.cycles).toEqual([]);
    expect(around.unconnected).toBe(graph.unconnected);
  });

  it('leaves out the other objects that wait for a dependency the chain shares', () => {
    const around = dependencyGraphAround(graph, n => n.name === 'team-a');
    expect(around.nodes.map(n => n.name).sort()).toEqual(['infra', 'team-a']);
    expect(around.edges).toEqual([
      { from: id('infra'), to: id('team-a'), inCycle: false },
    ]);
    // From the shared end, everything that waits for it.
    const shared = dependencyGraphAround(graph, n => n.name === 'infra');
    expect(shared.nodes.map(n => n.name).sort()).toEqual([
      'infra',
      'team-a',
      'team-b',
    ]);
  });

  it('keeps the cycles of what it keeps, and nothing when nothing matches', () => {
    const loop = dependencyGraphAround(graph, n => n.name === 'loop-a');
    expect(loop.nodes.map(n => n.name).sort()).toEqual(['loop-a', 'loop-b']);
    expect(loop.cycles).toEqual(graph.cycles);
    expect(loop.edges.every(e => e.inCycle)).toBe(true);

    const none = dependencyGraphAround(graph, n => n.name === 'alone');
    expect(none).toMatchObject({ nodes: [], edges: [], cycles: [] });
  });
});
