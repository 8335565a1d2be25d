import { ApiException } from '@kubernetes/client-node';
import { mockServices } from '@backstage/backend-test-utils';
import {
  fluxKindInfo,
  RECONCILE_REQUESTED_AT_ANNOTATION,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterDetails } from '@gitops-backstage/plugin-gitops-node';
import {
  AccessQuestion,
  ClusterClient,
  ListPage,
  ObjectAddress,
  WatchPhase,
} from '../cluster/ClusterClient';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';

export { flux } from './fakeFluxObjects';

/** An error as the API server answers it, with its HTTP status. */
export function apiError(code: number, reason = 'Failed', message = '') {
  return new ApiException(code, reason, { reason, message }, {});
}

const key = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ''}/${name}`;

interface Watcher {
  path: string;
  onEvent: (phase: WatchPhase, object: any) => void;
  done: (error?: any) => void;
}

/**
 * The one cluster port, faked in memory: objects by kind, namespace and
 * name; patches merged into them and recorded; watches the test drives.
 */
export class FakeClusterClient implements ClusterClient {
  readonly cluster: ClusterDetails;
  readonly objects = new Map<string, any>();
  readonly calls: Array<{ method: string; args: any[] }> = [];
  readonly watches: Watcher[] = [];
  events: any[] = [];
  groups = [
    'kustomize.toolkit.fluxcd.io',
    'helm.toolkit.fluxcd.io',
    'source.toolkit.fluxcd.io',
    'apps',
  ];
  denied = new Set<string>();
  /** Whether the fake Flux marks reconcile requests handled. */
  handleReconcileRequests = true;
  failures = new Map<string, unknown>();
  resourceVersion = 1;

  constructor(name = 'local') {
    this.cluster = {
      name,
      title: name,
      url: 'https://cluster.invalid',
      authProvider: 'serviceAccount',
    } as ClusterDetails;
  }

  /** Puts objects in the fake cluster. */
  add(...objects: any[]): this {
    for (const o of objects) {
      this.objects.set(key(o.kind, o.metadata.namespace, o.metadata.name), {
        ...o,
        metadata: {
          resourceVersion: String(this.resourceVersion++),
          ...o.metadata,
        },
      });
    }
    return this;
  }

  get(kind: string, namespace: string | undefined, name: string) {
    return this.objects.get(key(kind, namespace, name));
  }

  /** Makes the next call of a method fail with this error. */
  failNext(method: string, error: unknown) {
    this.failures.set(method, error);
  }

  private record(method: string, ...args: any[]) {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }

  callsOf(method: string) {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  /** Sends a watch event to every watch of the kind's plural. */
  emit(phase: WatchPhase, object: any, plural: string) {
    if (phase === 'DELETED') {
      this.objects.delete(
        key(object.kind, object.metadata.namespace, object.metadata.name),
      );
    } else if (phase !== 'BOOKMARK' && phase !== 'ERROR') {
      this.add(object);
    }
    for (const w of this.watches.filter(x => x.path.endsWith(`/${plural}`))) {
      w.onEvent(phase, object);
    }
  }

  async apiGroups() {
    this.record('apiGroups');
    return this.groups.map(name => ({
      name,
      versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
      preferredVersion:
        name === 'helm.toolkit.fluxcd.io'
          ? { groupVersion: `${name}/v2`, version: 'v2' }
          : { groupVersion: `${name}/v1`, version: 'v1' },
    })) as any;
  }

  async listPage(
    apiVersion: string,
    kind: string,
    options: { limit: number; continueToken?: string },
  ): Promise<ListPage> {
    this.record('listPage', apiVersion, kind, options);
    const items = [...this.objects.values()].filter(o => o.kind === kind);
    // Two pages when there is more than one object, to walk continue tokens.
    const start = options.continueToken ? 1 : 0;
    const end = items.length > 1 && !options.continueToken ? 1 : items.length;
    return {
      items: items.slice(start, end),
      continueToken: end < items.length ? 'next' : undefined,
      resourceVersion: String(this.resourceVersion),
    };
  }

  async watch(
    path: string,
    _params: Record<string, unknown>,
    onEvent: (phase: WatchPhase, object: any) => void,
    done: (error?: any) => void,
  ) {
    this.record('watch', path);
    const controller = new AbortController();
    const watcher = { path, onEvent, done };
    this.watches.push(watcher);
    controller.signal.addEventListener('abort', () => {
      const error = new Error('aborted');
      error.name = 'AbortError';
      done(error);
    });
    return controller;
  }

  /** Ends every open watch, as the API server does after timeoutSeconds. */
  endWatches(error?: unknown) {
    const open = this.watches.splice(0);
    for (const w of open) {
      w.done(error);
    }
  }

  async mergePatch(
    address: ObjectAddress,
    patch: Record<string, unknown>,
    fieldManager?: string,
  ) {
    this.record('mergePatch', address, patch, fieldManager);
    const current = this.get(address.kind, address.namespace, address.name);
    if (!current) {
      throw apiError(404, 'NotFound', `${address.kind} not found`);
    }
    const merged = mergeDeep(current, patch);
    merged.metadata.resourceVersion = String(this.resourceVersion++);
    const requestedAt =
      merged.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
    if (this.handleReconcileRequests && requestedAt) {
      // Flux answers a reconcile request by recording that it handled it.
      merged.status = { ...merged.status, lastHandledReconcileAt: requestedAt };
    }
    const plural = fluxKindInfo(address.kind)?.plural;
    if (plural) {
      this.emit('MODIFIED', merged, plural);
    } else {
      this.objects.set(
        key(address.kind, address.namespace, address.name),
        merged,
      );
    }
    return merged;
  }

  async serverSideApply(object: any, fieldManager: string, force: boolean) {
    this.record('serverSideApply', object, fieldManager, force);
    // Secrets are kept: a repair reads back what it wrote.
    if (object.kind === 'Secret') {
      this.add(object);
    }
    return object;
  }

  async create(object: any) {
    this.record('create', object);
    this.add(object);
    return object;
  }

  async delete(address: ObjectAddress, preconditions?: { uid?: string }) {
    this.record('delete', address, preconditions);
    const current = this.get(address.kind, address.namespace, address.name);
    if (preconditions?.uid && current?.metadata?.uid !== preconditions.uid) {
      throw apiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current?.metadata?.uid}`,
      );
    }
    this.objects.delete(key(address.kind, address.namespace, address.name));
  }

  async read(address: ObjectAddress) {
    this.record('read', address);
    const found = this.get(address.kind, address.namespace, address.name);
    if (!found) {
      throw apiError(
        404,
        'NotFound',
        `${address.kind} "${address.name}" not found`,
      );
    }
    return found;
  }

  async readDeployment(namespace: string, name: string) {
    this.record('readDeployment', namespace, name);
    const found = this.get('Deployment', namespace, name);
    if (!found) {
      throw apiError(404, 'NotFound', `deployments "${name}" not found`);
    }
    return found;
  }

  async listDeployments(namespace: string) {
    this.record('listDeployments', namespace);
    return [...this.objects.values()].filter(
      o => o.kind === 'Deployment' && o.metadata.namespace === namespace,
    );
  }

  async readSecret(namespace: string, name: string) {
    this.record('readSecret', namespace, name);
    const found = this.get('Secret', namespace, name);
    if (!found) {
      throw apiError(404, 'NotFound', `secrets "${name}" not found`);
    }
    return found;
  }

  async readNamespace(name: string) {
    this.record('readNamespace', name);
    return (
      this.get('Namespace', undefined, name) ?? {
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      }
    );
  }

  async listNetworkPolicies(namespace: string) {
    this.record('listNetworkPolicies', namespace);
    return [...this.objects.values()].filter(
      o => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace,
    );
  }

  async listCustomResourceDefinitions() {
    this.record('listCustomResourceDefinitions');
    return [...this.objects.values()].filter(
      o => o.kind === 'CustomResourceDefinition',
    );
  }

  async listEvents(
    namespace: string,
    involved: { kind: string; name: string },
  ) {
    this.record('listEvents', namespace, involved);
    return this.events.filter(
      e =>
        e.metadata?.namespace === namespace &&
        e.involvedObject.kind === involved.kind &&
        e.involvedObject.name === involved.name,
    );
  }

  async createEvent(event: any) {
    this.record('createEvent', event);
    this.events.push(event);
  }

  async version() {
    this.record('version');
    return { gitVersion: 'v1.31.0' };
  }

  async canI(question: AccessQuestion) {
    this.record('canI', question);
    return !this.denied.has(`${question.verb} ${question.resource}`);
  }

  async whoAmI() {
    this.record('whoAmI');
    return 'system:serviceaccount:backstage:backstage';
  }
}

function mergeDeep(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return patch;
  }
  const out: any = { ...(target ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
    } else {
      out[k] = mergeDeep(out[k], v);
    }
  }
  return out;
}

/** A watcher over a fake cluster, synced with what the fake holds. */
export async function syncedWatcher(
  client: FakeClusterClient = new FakeClusterClient(),
  retryMs = { first: 1, max: 2 },
): Promise<{ client: FakeClusterClient; watcher: ClusterWatcher }> {
  const watcher = new ClusterWatcher(
    client,
    mockServices.logger.mock(),
    retryMs,
  );
  watcher.start();
  await watcher.waitUntilSynced(2000);
  return { client, watcher };
}

/** ClusterClients over fake clients. */
export function fakeClients(...clients: FakeClusterClient[]) {
  return new ClusterClients(clients);
}
