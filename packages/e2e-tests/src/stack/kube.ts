import {
  AppsV1Api,
  CoreV1Api,
  CoreV1Event,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { StackEnv } from './stackEnv';

/** An object by kind, namespace and name. */
export interface ObjectName {
  kind: string;
  namespace: string;
  name: string;
}

export interface FluxCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface FluxObject extends KubernetesObject {
  spec?: Record<string, any>;
  status?: {
    conditions?: FluxCondition[];
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    /** A HelmRelease's failed install attempts since its last success. */
    installFailures?: number;
  };
}

/** Admin access to the local stack's cluster. */
export class TestCluster {
  readonly config: KubeConfig;
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly rbac: RbacAuthorizationV1Api;

  constructor(env: StackEnv) {
    this.config = new KubeConfig();
    this.config.loadFromFile(env.KUBECONFIG);
    this.objects = KubernetesObjectApi.makeApiClient(this.config);
    this.core = this.config.makeApiClient(CoreV1Api);
    this.apps = this.config.makeApiClient(AppsV1Api);
    this.rbac = this.config.makeApiClient(RbacAuthorizationV1Api);
  }

  /**
   * A fresh namespace per test, so runs never see each other's objects.
   * It stands for a platform team's namespace: the stack runs Flux with
   * `--default-service-account=default`, so the fixtures' Kustomizations
   * and HelmReleases, which name no ServiceAccount, apply as its `default`
   * one, bound here to cluster-admin as the controllers' own rights were
   * (the binding belongs to the namespace and goes with it).
   */
  async createNamespace(prefix: string): Promise<string> {
    const name = `${prefix}-${Date.now().toString(36)}${Math.floor(
      Math.random() * 1000,
    )}`.slice(0, 63);
    const created = await this.core.createNamespace({
      body: { metadata: { name } },
    });
    await this.rbac.createClusterRoleBinding({
      body: {
        metadata: {
          name: `e2e-platform-${name}`,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Namespace',
              name,
              uid: created.metadata!.uid!,
            },
          ],
        },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'cluster-admin',
        },
        subjects: [
          { kind: 'ServiceAccount', name: 'default', namespace: name },
        ],
      },
    });
    return name;
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.core.deleteNamespace({ name }).catch(() => undefined);
  }

  /** The Kubernetes Events the portal wrote on one object. */
  async portalEvents(object: ObjectName): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: object.namespace,
      fieldSelector: `involvedObject.name=${object.name},involvedObject.kind=${object.kind}`,
    });
    return list.items.filter(e => e.reportingComponent === 'backstage-gitops');
  }

  /** Waits for the portal's Event with this reason on one object. */
  portalEvent(object: ObjectName, reason: string): Promise<CoreV1Event> {
    return waitFor(
      `a ${reason} Event on ${object.kind} ${object.namespace}/${object.name}`,
      async () =>
        (await this.portalEvents(object)).find(e => e.reason === reason),
    );
  }

  /** Server-side apply, as `fieldManager` (the tests' own by default). */
  async apply<T extends KubernetesObject>(
    object: T,
    fieldManager = 'e2e-tests',
  ): Promise<T> {
    return this.objects.patch(
      object,
      undefined,
      undefined,
      fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  async read<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<T> {
    return this.objects.read<T>({
      apiVersion,
      kind,
      metadata: { name, namespace },
    });
  }

  /** Waits until the Flux object's Ready condition has `status`. */
  async waitForReady(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    status: 'True' | 'False' = 'True',
    timeoutMs?: number,
  ): Promise<FluxObject> {
    return waitFor(
      `${kind} ${namespace}/${name} Ready=${status}`,
      async () => {
        const o = await this.read<FluxObject>(
          apiVersion,
          kind,
          namespace,
          name,
        );
        return condition(o, 'Ready')?.status === status ? o : undefined;
      },
      timeoutMs,
    );
  }

  async mergePatch(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    patch: { metadata?: Record<string, unknown>; spec?: unknown },
  ): Promise<void> {
    await this.objects.patch(
      {
        ...patch,
        apiVersion,
        kind,
        metadata: { ...patch.metadata, name, namespace },
      },
      undefined,
      undefined,
      'e2e-tests',
      undefined,
      PatchStrategy.MergePatch,
    );
  }

  /**
   * Asks Flux to reconcile a GitRepository and the Kustomization of the
   * same name now (as `flux reconcile kustomization --with-source`), for a
   * commit pushed outside the portal.
   */
  async requestReconcile(namespace: string, name: string): Promise<void> {
    const requestedAt = new Date().toISOString();
    for (const [apiVersion, kind] of [
      ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
      ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
    ]) {
      await this.mergePatch(apiVersion, kind, namespace, name, {
        metadata: {
          annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
        },
      });
    }
  }
}

export function condition(
  object: FluxObject,
  type: string,
): FluxCondition | undefined {
  return object.status?.conditions?.find(c => c.type === type);
}

/**
 * A failure no wait retries: a server answered 5xx. Waiting on would pass a
 * test over a route that failed, as if it were only not ready yet.
 */
export class ServerFailure extends Error {
  override name = 'ServerFailure';
}

/**
 * Polls until `check` returns a value; the error names what was awaited.
 * Errors of `check` are retried until the deadline, except ServerFailure,
 * which ends the wait at once.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined) {
        return result;
      }
    } catch (error) {
      if (error instanceof ServerFailure) {
        throw new ServerFailure(`waiting for ${what}: ${error.message}`);
      }
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          lastError ? `: ${lastError}` : ''
        }`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}
