import { FluxObjectStatus, SyncState } from './types';

/**
 * A Flux object in a `dependsOn` graph. Flux resolves `dependsOn` among
 * objects of the same kind on the same cluster, so a reference names its
 * node by the waiting object's cluster and kind.
 *
 * @public
 */
export interface FluxDependencyNode {
  /** `<cluster>/<kind>/<namespace>/<name>` */
  id: string;
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  state?: SyncState;
  /** The object, where it is among those the graph was drawn from. */
  object?: FluxObjectStatus;
  /**
   * Named in a `dependsOn` but not seen on its cluster: Flux waits for it
   * forever.
   */
  missing: boolean;
  /** On a cycle of `dependsOn`: Flux waits on each of its objects forever. */
  inCycle: boolean;
}

/**
 * `from` must be Ready before Flux applies `to`: edges run in promotion
 * order (development to staging to production).
 *
 * @public
 */
export interface FluxDependencyEdge {
  from: string;
  to: string;
  inCycle: boolean;
}

/** @public */
export interface FluxDependencyGraph {
  nodes: FluxDependencyNode[];
  edges: FluxDependencyEdge[];
  /** Each cycle's node ids, each waiting for the next (see {@link dependsOnCycles}). */
  cycles: string[][];
  /** Objects left out because nothing waits for them and they wait for nothing. */
  unconnected: number;
}

const nodeId = (
  cluster: string,
  kind: string,
  namespace: string,
  name: string,
) => `${cluster}/${kind}/${namespace}/${name}`;

const idOf = (object: FluxObjectStatus) =>
  nodeId(object.cluster, object.kind, object.namespace, object.name);

/**
 * The `dependsOn` graph of Flux objects: one node per object that waits or
 * is waited for, references to objects not among them as nodes of their own
 * (missing when the backend does not see them either), cycles marked.
 *
 * @public
 */
export function fluxDependencyGraph(
  objects: FluxObjectStatus[],
): FluxDependencyGraph {
  const nodes = new Map<string, FluxDependencyNode>();
  for (const object of objects) {
    const id = idOf(object);
    nodes.set(id, {
      id,
      cluster: object.cluster,
      kind: object.kind,
      namespace: object.namespace,
      name: object.name,
      state: object.state,
      object,
      missing: false,
      inCycle: false,
    });
  }
  const edges = new Map<string, FluxDependencyEdge>();
  for (const object of objects) {
    const to = idOf(object);
    for (const dependency of object.dependsOn ?? []) {
      const from = nodeId(
        object.cluster,
        object.kind,
        dependency.namespace,
        dependency.name,
      );
      if (!nodes.has(from)) {
        nodes.set(from, {
          id: from,
          cluster: object.cluster,
          kind: object.kind,
          namespace: dependency.namespace,
          name: dependency.name,
          state: dependency.state,
          // The backend names a dependency's state whenever it sees it.
          missing: dependency.state === undefined,
          inCycle: false,
        });
      }
      edges.set(`${from}\n${to}`, { from, to, inCycle: false });
    }
  }

  const cycles = dependsOnCycles(
    [...nodes.keys()],
    [...edges.values()].map(e => ({ from: e.to, to: e.from })),
  );
  const cycleOf = new Map<string, number>();
  cycles.forEach((cycle, index) => cycle.forEach(id => cycleOf.set(id, index)));
  for (const id of cycleOf.keys()) {
    nodes.get(id)!.inCycle = true;
  }
  for (const edge of edges.values()) {
    const cycle = cycleOf.get(edge.from);
    edge.inCycle = cycle !== undefined && cycle === cycleOf.get(edge.to);
  }

  const connected = new Set<string>();
  for (const edge of edges.values()) {
    connected.add(edge.from);
    connected.add(edge.to);
  }
  return {
    nodes: [...nodes.values()].filter(node => connected.has(node.id)),
    edges: [...edges.values()],
    cycles,
    unconnected: nodes.size - connected.size,
  };
}

/**
 * The chains of the nodes `matches` picks: what each waits for and what
 * waits for it, to the ends, with their cycles; not the other objects that
 * wait for a dependency they share. `unconnected` keeps counting the
 * graph's.
 *
 * @public
 */
export function dependencyGraphAround(
  graph: FluxDependencyGraph,
  matches: (node: FluxDependencyNode) => boolean,
): FluxDependencyGraph {
  // Followed one way at a time: through a shared dependency in both, every
  // object waiting for it would join the chain.
  const waitingFor = new Map<string, string[]>();
  const waitedBy = new Map<string, string[]>();
  for (const edge of graph.edges) {
    waitingFor.set(edge.to, [...(waitingFor.get(edge.to) ?? []), edge.from]);
    waitedBy.set(edge.from, [...(waitedBy.get(edge.from) ?? []), edge.to]);
  }
  const picked = graph.nodes.filter(matches).map(n => n.id);
  const kept = new Set(picked);
  for (const next of [waitingFor, waitedBy]) {
    const reached = new Set(picked);
    const queue = [...picked];
    while (queue.length) {
      for (const id of next.get(queue.pop()!) ?? []) {
        if (!reached.has(id)) {
          reached.add(id);
          kept.add(id);
          queue.push(id);
        }
      }
    }
  }
  return {
    nodes: graph.nodes.filter(n => kept.has(n.id)),
    edges: graph.edges.filter(e => kept.has(e.from) && kept.has(e.to)),
    cycles: graph.cycles.filter(cycle => cycle.every(id => kept.has(id))),
    unconnected: graph.unconnected,
  };
}

/**
 * The cycles of a `dependsOn` graph given as "`from` waits for `to`": its
 * strongly connected components with more than one node, or with an edge
 * to itself (Tarjan's algorithm, iterative: a cluster's graph may be deep).
 * Each starts at its smallest id, each member followed by one it waits for.
 *
 * @public
 */
export function dependsOnCycles(
  ids: string[],
  edges: Array<{ from: string; to: string }>,
): string[][] {
  const next = new Map<string, string[]>(ids.map(id => [id, []]));
  // An edge to an id not listed (a dependency that does not exist) closes no cycle.
  for (const edge of edges) {
    if (next.has(edge.to)) {
      next.get(edge.from)?.push(edge.to);
    }
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of ids) {
    if (index.has(root)) {
      continue;
    }
    const work: Array<{ id: string; child: number }> = [{ id: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const children = next.get(frame.id)!;
      if (frame.child < children.length) {
        const child = children[frame.child++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ id: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const selfLoop =
          component.length === 1 && next.get(frame.id)!.includes(frame.id);
        if (component.length > 1 || selfLoop) {
          components.push(orderAlongEdges(component, next));
        }
      }
    }
  }
  return components.sort((a, b) => a[0].localeCompare(b[0]));
}

/** A cycle's members from its smallest id, each followed by one it leads to. */
function orderAlongEdges(
  component: string[],
  next: Map<string, string[]>,
): string[] {
  const members = new Set(component);
  const ordered = [[...component].sort()[0]];
  const seen = new Set(ordered);
  for (;;) {
    const following = next
      .get(ordered[ordered.length - 1])!
      .filter(id => members.has(id) && !seen.has(id))
      .sort()[0];
    if (!following) {
      break;
    }
    ordered.push(following);
    seen.add(following);
  }
  // A component's members not on that one walk (two cycles sharing a node).
  return [...ordered, ...component.filter(id => !seen.has(id)).sort()];
}
