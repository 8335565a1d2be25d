import {
  ApiextensionsV1Api,
  ApisApi,
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CoreV1Event,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import {
  ClusterDetails,
  isKubernetesRequestTimeout,
  KUBERNETES_REQUEST_TIMEOUT_MS,
  kubeConfigForCluster,
  serverSideApply,
} from '@gitops-backstage/plugin-gitops-node';
import {
  AccessQuestion,
  ClusterClient,
  ListPage,
  ObjectAddress,
  WatchPhase,
} from './ClusterClient';

/** A call the API server has not answered within this time failed. */
export const CLUSTER_CALL_TIMEOUT_MS = KUBERNETES_REQUEST_TIMEOUT_MS;

/** An API call that took longer than its timeout. */
export class ClusterTimeoutError extends Error {
  constructor(what: string, ms: number, cause?: unknown) {
    super(`${what}: no answer from the Kubernetes API within ${ms / 1000}s`, {
      cause,
    });
    this.name = 'ClusterTimeoutError';
  }
}

/** The API server of one configured cluster, through @kubernetes/client-node. */
export class KubernetesClusterClient implements ClusterClient {
  private readonly config: KubeConfig;
  private readonly objects: KubernetesObjectApi;

  constructor(
    readonly cluster: ClusterDetails,
    private readonly timeoutMs = CLUSTER_CALL_TIMEOUT_MS,
  ) {
    // Its requests abort after timeoutMs; watches are not bounded.
    this.config = kubeConfigForCluster(cluster, {
      requestTimeoutMs: timeoutMs,
    });
    this.objects = KubernetesObjectApi.makeApiClient(this.config);
  }

  async apiGroups() {
    const { groups } = await this.bounded(
      'listing API groups',
      this.config.makeApiClient(ApisApi).getAPIVersions(),
    );
    return groups;
  }

  async listPage(
    apiVersion: string,
    kind: string,
    options: { limit: number; continueToken?: string },
  ): Promise<ListPage> {
    const page = await this.bounded(
      `listing ${kind}`,
      this.objects.list<any>(
        apiVersion,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        options.limit,
        options.continueToken,
      ),
    );
    return {
      items: page.items,
      continueToken: page.metadata?._continue,
      resourceVersion: page.metadata?.resourceVersion ?? '',
    };
  }

  watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    onEvent: (phase: WatchPhase, object: any) => void,
    done: (error?: any) => void,
  ): Promise<AbortController> {
    // The stream itself is long-lived; the server ends it (timeoutSeconds).
    return new Watch(this.config).watch(
      path,
      params,
      (phase, object) => onEvent(phase as WatchPhase, object),
      done,
    );
  }

  mergePatch(
    address: ObjectAddress,
    patch: Record<string, unknown>,
    fieldManager?: string,
  ) {
    return this.bounded(
      `patching ${address.kind} ${address.namespace}/${address.name}`,
      this.objects.patch(
        {
          apiVersion: address.apiVersion,
          kind: address.kind,
          ...patch,
          metadata: {
            ...(patch.metadata as object | undefined),
            name: address.name,
            namespace: address.namespace,
          },
        },
        undefined,
        undefined,
        fieldManager,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
  }

  serverSideApply(
    object: { apiVersion: string; kind: string; metadata: any },
    fieldManager: string,
    force: boolean,
  ) {
    return this.bounded(
      `applying ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`,
      serverSideApply(this.objects, object, { fieldManager, force }),
    );
  }

  create(object: { apiVersion: string; kind: string; metadata: any }) {
    return this.bounded(
      `creating ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`,
      this.objects.create(object),
    );
  }

  async delete(address: ObjectAddress, preconditions?: { uid?: string }) {
    await this.bounded(
      `deleting ${address.kind} ${address.namespace}/${address.name}`,
      this.objects.delete(
        {
          apiVersion: address.apiVersion,
          kind: address.kind,
          metadata: { name: address.name, namespace: address.namespace },
        },
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        preconditions ? { preconditions } : undefined,
      ),
    );
  }

  read(address: ObjectAddress) {
    return this.bounded(
      `reading ${address.kind} ${address.namespace}/${address.name}`,
      this.objects.read({
        apiVersion: address.apiVersion,
        kind: address.kind,
        metadata: { name: address.name, namespace: address.namespace },
      }),
    );
  }

  readDeployment(namespace: string, name: string) {
    return this.bounded(
      `reading Deployment ${namespace}/${name}`,
      this.config
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ namespace, name }),
    );
  }

  async listDeployments(namespace: string) {
    const list = await this.bounded(
      `listing Deployments in ${namespace}`,
      this.config
        .makeApiClient(AppsV1Api)
        .listNamespacedDeployment({ namespace }),
    );
    return list.items;
  }

  readSecret(namespace: string, name: string) {
    return this.bounded(
      `reading Secret ${namespace}/${name}`,
      this.config
        .makeApiClient(CoreV1Api)
        .readNamespacedSecret({ namespace, name }),
    );
  }

  readNamespace(name: string) {
    return this.bounded(
      `reading Namespace ${name}`,
      this.config.makeApiClient(CoreV1Api).readNamespace({ name }),
    );
  }

  async listNetworkPolicies(namespace: string) {
    const list = await this.bounded(
      `listing NetworkPolicies in ${namespace}`,
      this.config
        .makeApiClient(NetworkingV1Api)
        .listNamespacedNetworkPolicy({ namespace }),
    );
    return list.items;
  }

  async listCustomResourceDefinitions() {
    const list = await this.bounded(
      'listing CustomResourceDefinitions',
      this.config
        .makeApiClient(ApiextensionsV1Api)
        .listCustomResourceDefinition(),
    );
    return list.items;
  }

  async listEvents(
    namespace: string,
    involved: { kind: string; name: string },
  ) {
    const list = await this.bounded(
      `listing events of ${involved.kind} ${namespace}/${involved.name}`,
      this.config.makeApiClient(CoreV1Api).listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.kind=${involved.kind},involvedObject.name=${involved.name}`,
      }),
    );
    return list.items;
  }

  async createEvent(event: CoreV1Event) {
    const namespace = event.metadata.namespace ?? 'default';
    await this.bounded(
      `writing event ${event.reason} on ${event.involvedObject.kind} ${namespace}/${event.involvedObject.name}`,
      this.config
        .makeApiClient(CoreV1Api)
        .createNamespacedEvent({ namespace, body: event }),
    );
  }

  async version() {
    return this.bounded(
      'GET /version',
      this.config.makeApiClient(VersionApi).getCode(),
    );
  }

  async canI(question: AccessQuestion) {
    const review = await this.bounded(
      `SelfSubjectAccessReview of ${question.verb} ${question.resource}`,
      this.config
        .makeApiClient(AuthorizationV1Api)
        .createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { ...question } },
          },
        }),
    );
    return Boolean(review.status?.allowed);
  }

  async whoAmI() {
    const review = await this.bounded(
      'SelfSubjectReview',
      this.config.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'SelfSubjectReview',
        },
      }),
    );
    return review.status?.userInfo?.username;
  }

  /**
   * The call's answer. Each request is bounded by the config's abort signal;
   * its abort becomes a ClusterTimeoutError naming what was asked.
   */
  private async bounded<T>(what: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (isKubernetesRequestTimeout(error)) {
        throw new ClusterTimeoutError(what, this.timeoutMs, error);
      }
      throw error;
    }
  }
}
