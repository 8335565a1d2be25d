import { FluxObjectStatus, SyncState } from './status';

/**
 * A configured cluster (never its credentials) and whether the backend can
 * read it right now. `GET /api/gitops/clusters` answers `{ items }`.
 *
 * @public
 */
export interface ClusterState {
  name: string;
  title?: string;
  state: 'starting' | 'ok' | 'unreachable';
  /** Why the cluster cannot be read; its objects are then Stale. */
  error?: string;
  since: string;
}

/**
 * One environment of an entity: its Flux objects and their summary.
 *
 * @public
 */
export interface EnvironmentStatus {
  name: string;
  /** The worst state of its Kustomizations and HelmReleases. */
  state: SyncState;
  revision?: string;
  shortRevision?: string;
  message?: string;
  lastTransitionTime?: string;
  objects: FluxObjectStatus[];
}

/**
 * `GET /api/gitops/entities/:kind/:namespace/:name/status`.
 *
 * @public
 */
export interface EntityGitOpsStatus {
  entityRef: string;
  selector: string;
  /**
   * What the entity's owners must know about which objects are theirs:
   * objects of other entities its selector matched (not shown), objects
   * without the entity-ref annotation (read-only), objects other entities
   * claim too.
   */
  warnings?: string[];
  clusters: ClusterState[];
  environments: EnvironmentStatus[];
}

/**
 * `GET /api/gitops/objects`: every Flux object the caller may see.
 *
 * @public
 */
export interface FluxObjectList {
  clusters: ClusterState[];
  items: FluxObjectStatus[];
}

/**
 * A core/v1 Event of a Flux object or its source.
 *
 * @public
 */
export interface FluxEvent {
  kind: string;
  name: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
}

/**
 * Body of `POST .../reconcile`.
 *
 * @public
 */
export interface ReconcileRequest {
  withSource?: boolean;
}

/**
 * Body of `POST .../suspend` and `.../resume`.
 *
 * @public
 */
export interface SuspendRequest {
  reason?: string;
}

/**
 * Answer of the actions: the object's status once Flux has handled the
 * request.
 *
 * @public
 */
export interface FluxActionResult {
  handled: boolean;
  status: FluxObjectStatus;
}

/**
 * The signal channel on which the backend announces changed Flux objects;
 * the message lists the `backstage.io/kubernetes-id` values affected.
 *
 * @public
 */
export const GITOPS_SIGNAL_CHANNEL = 'gitops:changes';

/** @public */
export interface GitOpsChangeSignal {
  kubernetesIds: string[];
  /**
   * The changes announced, as `<uid>@<resourceVersion>` of each changed
   * object. Every replica watches every cluster and its signals reach every
   * replica's pages through the events bus, so a page hears a change once
   * per replica: these let it answer each change once.
   */
  changes?: string[];
}
