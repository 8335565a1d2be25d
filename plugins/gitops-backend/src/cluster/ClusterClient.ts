import {
  CoreV1Event,
  V1APIGroup,
  V1CustomResourceDefinition,
  V1Deployment,
  V1Namespace,
  V1NetworkPolicy,
  V1Secret,
} from '@kubernetes/client-node';
import {
  AppliedObject,
  ClusterDetails,
} from '@gitops-backstage/plugin-gitops-node';

/** An object the API server is asked about by apiVersion, kind and name. */
export interface ObjectAddress {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** One page of a list call, with where to go on and where to watch from. */
export interface ListPage {
  items: any[];
  continueToken?: string;
  resourceVersion: string;
}

export type WatchPhase =
  | 'ADDED'
  | 'MODIFIED'
  | 'DELETED'
  | 'BOOKMARK'
  | 'ERROR';

/** What a SelfSubjectAccessReview asks. */
export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/**
 * The one door to a cluster's API server: every read, patch, apply, delete,
 * event list, access review and watch of the backend goes through it. Each
 * call is bounded by a timeout; API errors keep their HTTP status so callers
 * can tell a 404 from a 403 (`kubernetesErrorCode`, `describeKubernetesError`).
 * Unit tests fake this interface.
 */
export interface ClusterClient {
  readonly cluster: ClusterDetails;

  /** The API groups and versions the server serves. */
  apiGroups(): Promise<V1APIGroup[]>;
  /** One page of objects of a kind, across namespaces. */
  listPage(
    apiVersion: string,
    kind: string,
    options: { limit: number; continueToken?: string },
  ): Promise<ListPage>;
  /**
   * Watches a REST path until the stream ends; `done` gets the error that
   * ended it, if any. Resolves with the means to stop it.
   */
  watch(
    path: string,
    params: Record<string, unknown>,
    onEvent: (phase: WatchPhase, object: any) => void,
    done: (error?: any) => void,
  ): Promise<AbortController>;

  /** A JSON merge patch; fieldManager only when the caller names one. */
  mergePatch(
    address: ObjectAddress,
    patch: Record<string, unknown>,
    fieldManager?: string,
  ): Promise<any>;
  /**
   * Server-side apply of a partial object, forcing ownership when asked;
   * what the apply did to it.
   */
  serverSideApply(
    object: { apiVersion: string; kind: string; metadata: any } & Record<
      string,
      unknown
    >,
    fieldManager: string,
    force: boolean,
  ): Promise<AppliedObject>;
  create(
    object: { apiVersion: string; kind: string; metadata: any } & Record<
      string,
      unknown
    >,
  ): Promise<any>;
  /** With `uid`, deletes only that object, not one re-created under its name. */
  delete(
    address: ObjectAddress,
    preconditions?: { uid?: string },
  ): Promise<void>;
  /** The live object, with its managedFields (the watch cache drops them). */
  read(address: ObjectAddress): Promise<any>;

  readDeployment(namespace: string, name: string): Promise<V1Deployment>;
  listDeployments(namespace: string): Promise<V1Deployment[]>;
  readSecret(namespace: string, name: string): Promise<V1Secret>;
  readNamespace(name: string): Promise<V1Namespace>;
  listNetworkPolicies(namespace: string): Promise<V1NetworkPolicy[]>;
  listCustomResourceDefinitions(): Promise<V1CustomResourceDefinition[]>;
  /** Events about one object, by kind and name, in its namespace. */
  listEvents(
    namespace: string,
    involved: { kind: string; name: string },
  ): Promise<CoreV1Event[]>;
  /** Writes an Event (core/v1) in the namespace of its involved object. */
  createEvent(event: CoreV1Event): Promise<void>;
  /** The server's version, as `GET /version` tells it. */
  version(): Promise<{ gitVersion: string }>;
  /** Whether the backend's own identity may do something. */
  canI(question: AccessQuestion): Promise<boolean>;
  /** The backend's own user name, where the server can say it. */
  whoAmI(): Promise<string | undefined>;
}
