import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterDetails,
  describeKubernetesError,
} from '@gitops-backstage/plugin-gitops-node';
import {
  fluxKindInfo,
  FluxResource,
  LABEL_KUBERNETES_ID,
  sourceRefOf,
  WorkloadResource,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterClient } from './ClusterClient';
import { APPLIER_LABEL_PREFIXES, strip, WatchedWorkload } from './projection';
import { INVENTORY_KINDS, WATCHED_KINDS, WatchedKind } from './watchedKinds';

export interface ClusterHealth {
  state: 'starting' | 'ok' | 'unreachable';
  error?: string;
  /** When the state last changed. */
  since: string;
}

interface ServedKind {
  kind: WatchedKind;
  version: string;
}

const RETRY_MS = 1000;
const MAX_RETRY_MS = 2000;

/**
 * Keeps an in-memory copy of every Flux object of one cluster: one list and
 * one watch per served Flux kind, resumed from the last resourceVersion and
 * relisted when the API server answers 410 Gone. Requests read the copy and
 * never reach the API server. The cache and nothing else: what acts on the
 * cluster goes through its ClusterClient, never through the watcher.
 */
export class ClusterWatcher {
  readonly cluster: ClusterDetails;
  private readonly stores = new Map<string, Map<string, FluxResource>>();
  /** kubernetes-id label value → the Flux objects carrying it. */
  private readonly byKubernetesId = new Map<string, Set<FluxResource>>();
  private readonly kindErrors = new Map<string, string>();
  private readonly inventoryErrors = new Map<string, string>();
  private readonly aborts = new Set<AbortController>();
  private readonly listeners = new Set<(resource: FluxResource) => void>();
  private served: ServedKind[] = [];
  private healthState: ClusterHealth = {
    state: 'starting',
    since: new Date().toISOString(),
  };
  private stopped = false;

  constructor(
    private readonly client: ClusterClient,
    private readonly logger: LoggerService,
    private readonly retryMs = { first: RETRY_MS, max: MAX_RETRY_MS },
  ) {
    this.cluster = client.cluster;
  }

  start(): void {
    this.run().catch(error =>
      this.logger.error(`watcher of ${this.cluster.name} ended`, error),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.aborts) {
      controller.abort();
    }
  }

  health(): ClusterHealth {
    return this.healthState;
  }

  servedVersion(kind: string): string | undefined {
    return this.served.find(s => s.kind.kind === kind)?.version;
  }

  /** Every Flux object (not the inventory workloads). */
  objects(): FluxResource[] {
    return [...this.stores.entries()]
      .filter(([kind]) => !INVENTORY_KINDS.some(k => k.kind === kind))
      .flatMap(([, store]) => [...store.values()]);
  }

  /** A Deployment, StatefulSet or DaemonSet, if this cluster's copy has it. */
  workload(
    kind: string,
    namespace: string,
    name: string,
  ): WorkloadResource | undefined {
    return this.stores.get(kind)?.get(`${namespace}/${name}`) as
      | WorkloadResource
      | undefined;
  }

  /** Every Deployment, StatefulSet and DaemonSet of this cluster's copy. */
  workloads(): WatchedWorkload[] {
    return INVENTORY_KINDS.flatMap(k => [
      ...((this.stores.get(k.kind)?.values() ??
        []) as Iterable<WatchedWorkload>),
    ]);
  }

  /** Flux objects labelled backstage.io/kubernetes-id=<id>, from an index. */
  objectsWithKubernetesId(id: string): FluxResource[] {
    return [...(this.byKubernetesId.get(id) ?? [])];
  }

  get(kind: string, namespace: string, name: string): FluxResource | undefined {
    return this.stores.get(kind)?.get(`${namespace}/${name}`);
  }

  /**
   * The Kustomization or HelmRelease that applied an object, by the labels
   * its controller puts on what it applies, when watched.
   */
  applierOf(resource: FluxResource): FluxResource | undefined {
    const labels = resource.metadata.labels ?? {};
    for (const [kind, prefix] of Object.entries(APPLIER_LABEL_PREFIXES)) {
      const name = labels[`${prefix}/name`];
      const namespace = labels[`${prefix}/namespace`];
      if (name && namespace) {
        return this.get(kind, namespace, name);
      }
    }
    return undefined;
  }

  /** The source object a Kustomization or HelmRelease reads, when watched. */
  sourceOf(resource: FluxResource): FluxResource | undefined {
    const ref = sourceRefOf(resource);
    return ref && this.get(ref.kind, ref.namespace, ref.name);
  }

  onChange(listener: (resource: FluxResource) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every served kind has been listed (or failed). */
  async waitUntilSynced(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.healthState.state === 'starting' && Date.now() < deadline) {
      await sleep(50);
    }
  }

  private async run() {
    let delay = this.retryMs.first;
    while (!this.stopped && this.served.length === 0) {
      try {
        const served = await this.discover();
        if (served.some(s => s.kind.role !== 'inventory')) {
          this.served = served;
        } else {
          this.setHealth(
            'unreachable',
            'no Flux API groups are served (is Flux installed?)',
          );
          await sleep(30_000);
        }
      } catch (error) {
        this.setHealth('unreachable', describeKubernetesError(error));
        await sleep(delay);
        delay = Math.min(delay * 2, this.retryMs.max);
      }
    }
    await Promise.all(this.served.map(served => this.runKind(served)));
  }

  private async discover(): Promise<ServedKind[]> {
    const groups = await this.client.apiGroups();
    const served: ServedKind[] = [];
    for (const kind of WATCHED_KINDS) {
      const group = groups.find(g => g.name === kind.group);
      if (!group) {
        continue;
      }
      const versions = group.versions.map(v => v.version);
      const preferred = group.preferredVersion?.version;
      const version =
        preferred && kind.versions.includes(preferred)
          ? preferred
          : kind.versions.find(v => versions.includes(v));
      if (version) {
        served.push({ kind, version });
      }
    }
    return served;
  }

  private async runKind(served: ServedKind) {
    const { kind } = served;
    let resourceVersion: string | undefined;
    let delay = this.retryMs.first;
    let resumedAfterCut = false;
    while (!this.stopped) {
      try {
        if (!resourceVersion) {
          resourceVersion = await this.relist(served);
        }
        this.kindErrors.delete(kind.kind);
        this.inventoryErrors.delete(kind.kind);
        this.updateHealth();
        delay = this.retryMs.first;
        resumedAfterCut = false;
        resourceVersion = await this.watch(served, resourceVersion);
      } catch (error) {
        if (this.stopped) {
          return;
        }
        // A stream cut mid-way says little; resuming at once either works
        // or fails with the reason (connection refused, 403, ...).
        if (!resumedAfterCut && isStreamCut(error)) {
          resumedAfterCut = true;
          continue;
        }
        const description = describeKubernetesError(error);
        if (kind.role === 'inventory') {
          // Workload health is extra: without it (say, no RBAC on apps)
          // the Flux state is still right.
          if (this.inventoryErrors.get(kind.kind) !== description) {
            this.logger.warn(
              `cluster ${this.cluster.name}: cannot watch ${kind.kind}s for workload health: ${description}`,
            );
          }
          this.inventoryErrors.set(kind.kind, description);
        } else {
          this.kindErrors.set(kind.kind, description);
          this.updateHealth();
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.retryMs.max);
      }
    }
  }

  private async relist({ kind, version }: ServedKind): Promise<string> {
    const apiVersion = `${kind.group}/${version}`;
    const fresh = new Map<string, FluxResource>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.listPage(apiVersion, kind.kind, {
        limit: 500,
        continueToken,
      });
      for (const item of page.items) {
        const resource = strip({ ...item, apiVersion, kind: kind.kind }, kind);
        fresh.set(keyOf(resource), resource);
      }
      continueToken = page.continueToken;
      resourceVersion = page.resourceVersion;
    } while (continueToken);
    const previous = this.stores.get(kind.kind);
    this.stores.set(kind.kind, fresh);
    for (const resource of previous?.values() ?? []) {
      this.unindex(resource);
    }
    for (const resource of fresh.values()) {
      this.index(resource);
    }
    for (const resource of fresh.values()) {
      const before = previous?.get(keyOf(resource));
      if (
        before?.metadata.resourceVersion !== resource.metadata.resourceVersion
      ) {
        this.emit(resource);
      }
    }
    for (const [key, resource] of previous ?? []) {
      if (!fresh.has(key)) {
        this.emit(resource);
      }
    }
    return resourceVersion;
  }

  /** Watches until the stream ends; the resourceVersion to resume from, or undefined to relist. */
  private watch(
    { kind, version }: ServedKind,
    resourceVersion: string,
  ): Promise<string | undefined> {
    const apiVersion = `${kind.group}/${version}`;
    const store = this.stores.get(kind.kind)!;
    let last: string | undefined = resourceVersion;
    return new Promise((resolve, reject) => {
      this.client
        .watch(
          `/apis/${kind.group}/${version}/${kind.plural}`,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (phase, object) => {
            if (phase === 'ERROR') {
              // 410 Gone: our resourceVersion is too old; list again.
              last = undefined;
              return;
            }
            if (last !== undefined) {
              last = object?.metadata?.resourceVersion ?? last;
            }
            if (phase === 'BOOKMARK') {
              return;
            }
            const resource = strip(
              { ...object, apiVersion, kind: kind.kind },
              kind,
            );
            const before = store.get(keyOf(resource));
            if (before) {
              this.unindex(before);
            }
            if (phase === 'DELETED') {
              store.delete(keyOf(resource));
            } else {
              store.set(keyOf(resource), resource);
              this.index(resource);
            }
            this.emit(resource);
          },
          error => {
            if (error && error.name !== 'AbortError') {
              reject(error);
            } else {
              resolve(last);
            }
          },
        )
        .then(controller => this.aborts.add(controller))
        .catch(reject);
    });
  }

  private index(resource: FluxResource) {
    const id = resource.metadata.labels?.[LABEL_KUBERNETES_ID];
    if (id === undefined || !fluxKindInfo(resource.kind)) {
      return;
    }
    let set = this.byKubernetesId.get(id);
    if (!set) {
      set = new Set();
      this.byKubernetesId.set(id, set);
    }
    set.add(resource);
  }

  private unindex(resource: FluxResource) {
    const id = resource.metadata.labels?.[LABEL_KUBERNETES_ID];
    const set = id === undefined ? undefined : this.byKubernetesId.get(id);
    if (set?.delete(resource) && set.size === 0) {
      this.byKubernetesId.delete(id!);
    }
  }

  private emit(resource: FluxResource) {
    for (const listener of this.listeners) {
      try {
        listener(resource);
      } catch (error) {
        this.logger.warn(`GitOps change listener failed: ${error}`);
      }
    }
  }

  private updateHealth() {
    if (this.kindErrors.size > 0) {
      // Usually every kind fails the same way: say it once.
      const byError = new Map<string, string[]>();
      for (const [kind, error] of this.kindErrors) {
        byError.set(error, [...(byError.get(error) ?? []), kind]);
      }
      this.setHealth(
        'unreachable',
        [...byError.entries()]
          .map(([error, kinds]) => `${error} (${kinds.join(', ')})`)
          .join('; '),
      );
    } else if (
      this.served
        .filter(s => s.kind.role !== 'inventory')
        .every(s => this.stores.has(s.kind.kind))
    ) {
      this.setHealth('ok');
    }
  }

  private setHealth(state: ClusterHealth['state'], error?: string) {
    if (this.healthState.state !== state || this.healthState.error !== error) {
      if (state === 'unreachable') {
        this.logger.warn(`cluster ${this.cluster.name} unreachable: ${error}`);
      } else if (this.healthState.state === 'unreachable') {
        this.logger.info(`cluster ${this.cluster.name} reachable again`);
      }
      this.healthState = {
        state,
        error,
        since:
          this.healthState.state === state
            ? this.healthState.since
            : new Date().toISOString(),
      };
    }
  }
}

function isStreamCut(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /premature close|ECONNRESET|socket hang up|aborted/i.test(text);
}

function keyOf(resource: FluxResource): string {
  return `${resource.metadata.namespace ?? ''}/${resource.metadata.name}`;
}

function sleep(ms: number) {
  // Unref'd: a pending retry never keeps the process alive.
  return new Promise(resolve => setTimeout(resolve, ms).unref());
}
