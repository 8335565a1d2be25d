import { WorkloadHealth } from './workloadHealth';

/**
 * A user's view of where a Flux object stands.
 *
 * - Ready: applied the latest revision.
 * - Failed: Ready=False and Flux is only retrying, or Stalled.
 * - Reconciling: working on a new generation or revision.
 * - Suspended: spec.suspend is set; Flux does nothing.
 * - Stale: the cluster cannot be read right now; this is the last known state.
 * - Unknown: not reconciled yet.
 *
 * @public
 */
export type SyncState =
  | 'Ready'
  | 'Failed'
  | 'Reconciling'
  | 'Suspended'
  | 'Stale'
  | 'Unknown';

/** @public */
export interface FluxCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  /** The generation of the spec this condition was set for. */
  observedGeneration?: number;
}

/**
 * The parts of a Flux object (any kind, any served version) the status
 * mapping reads.
 *
 * @public
 */
export interface FluxResource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    /**
     * Field managers of the fields the portal trusts to say where it may
     * write (`spec.url`, `spec.path`), from managedFields; backend only.
     */
    fieldOwners?: Record<string, string[]>;
  };
  spec?: {
    suspend?: boolean;
    interval?: string;
    path?: string;
    url?: string;
    ref?: Record<string, string>;
    sourceRef?: { kind: string; name: string; namespace?: string };
    chart?: {
      spec?: {
        chart?: string;
        version?: string;
        sourceRef?: { kind: string; name: string; namespace?: string };
      };
    };
    /** A HelmRelease's chart from an OCIRepository or HelmChart. */
    chartRef?: { kind: string; name: string; namespace?: string };
    dependsOn?: Array<{ name: string; namespace?: string }>;
    /** A HelmRelease's install settings; see {@link fluxRetry}. */
    install?: HelmActionSettings;
    /** A HelmRelease's upgrade settings; see {@link fluxRetry}. */
    upgrade?: HelmActionSettings;
    [key: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    /** The generation helm-controller last attempted a release with. */
    lastAttemptedGeneration?: number;
    conditions?: FluxCondition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    artifact?: { revision?: string; lastUpdateTime?: string };
    inventory?: { entries?: Array<{ id: string; v: string }> };
    history?: Array<{
      chartVersion?: string;
      appVersion?: string;
      status?: string;
      lastDeployed?: string;
      firstDeployed?: string;
    }>;
    /** A HelmRelease's last Helm action: `install` or `upgrade`. */
    lastAttemptedReleaseAction?: string;
    /** A HelmRelease's failed installs at the current desired state. */
    installFailures?: number;
    /** A HelmRelease's failed upgrades at the current desired state. */
    upgradeFailures?: number;
    [key: string]: unknown;
  };
}

/**
 * How a HelmRelease handles a failed install or upgrade
 * (`spec.install`, `spec.upgrade` of helm.toolkit.fluxcd.io/v2).
 *
 * @public
 */
export interface HelmActionSettings {
  /** `RemediateOnFailure` (the default) or `RetryOnFailure`. */
  strategy?: { name?: string; retryInterval?: string };
  /**
   * Retries before helm-controller stalls, under `RemediateOnFailure`;
   * unset is 0, negative is unlimited.
   */
  remediation?: { retries?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * A Failed object that Flux will try again on its own.
 *
 * @public
 */
export interface FluxRetry {
  /**
   * Failed attempts at the current desired state, where Flux counts them:
   * a HelmRelease's `status.installFailures` or `status.upgradeFailures`.
   */
  failures?: number;
  /**
   * Retries Flux allows before it stalls: a HelmRelease's
   * `spec.install.remediation.retries` or `spec.upgrade.remediation.retries`.
   * Absent when unset, 0 or unlimited.
   */
  maxRetries?: number;
}

/**
 * What the portal shows for one Flux object.
 *
 * @public
 */
export interface FluxObjectStatus {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  environment?: string;
  state: SyncState;
  /** The Flux CLI's READY column: True, False, Unknown. */
  ready: string;
  reason?: string;
  message: string;
  suspended: boolean;
  /** Full revision as Flux reports it, e.g. `main@sha1:<40 hex>`. */
  revision?: string;
  /** Branch or tag plus short sha, e.g. `main@1a2b3c4`. */
  shortRevision?: string;
  lastAttemptedRevision?: string;
  /** When Ready last changed, ISO time. */
  lastTransitionTime?: string;
  lastHandledReconcileAt?: string;
  /**
   * Present when the state is Failed and Flux will try again on its own
   * (not Stalled); read it only with state Failed.
   */
  retrying?: FluxRetry;
  source?: { kind: string; namespace: string; name: string };
  /** A source's URL (spec.url), e.g. the Git repository. */
  url?: string;
  /** A source's web URL when spec.url is not one (SSH), for commit links. */
  webUrl?: string;
  /** Objects this one waits for, with their state when the backend sees them. */
  dependsOn: Array<{ namespace: string; name: string; state?: SyncState }>;
  /**
   * In an entity's status: why the portal will not act on this object for
   * the entity (it belongs to another entity, or carries no entity-ref
   * annotation). Absent when the entity may act on it.
   */
  readOnly?: string;
  /** Workloads from the inventory (Deployments, StatefulSets, DaemonSets). */
  workloads: Array<{
    kind: string;
    namespace: string;
    name: string;
    /** Absent when the backend does not watch workloads of that cluster. */
    health?: WorkloadHealth;
    /** Ready replicas over desired, e.g. 2/3. */
    ready?: string;
  }>;
}
