import { DiagnosisReference, Diagnosis } from './diagnosis';
import { GitOpsErrorCode } from './errorCodes';

/**
 * The checks of a cluster health check, in the order they run.
 *
 * @public
 */
export const HEALTH_CHECK_IDS = [
  'api',
  'flux',
  'permissions',
  'git',
  'sync',
  'network',
  'dependencies',
  'staleness',
] as const;

/** @public */
export type HealthCheckId = (typeof HEALTH_CHECK_IDS)[number];

/** @public */
export type FindingSeverity = 'critical' | 'error' | 'warning';

/**
 * A Kubernetes object a finding is about.
 *
 * @public
 */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * The kinds of repair the portal can plan and apply.
 *
 * @public
 */
export const REPAIR_TYPES = [
  'restart-controller',
  'refresh-git-credentials',
  'remove-zombies',
  'resync',
] as const;

/** @public */
export type RepairType = (typeof REPAIR_TYPES)[number];

/**
 * A repair a finding offers: what it is and the object it acts on.
 *
 * @public
 */
export interface RepairOffer {
  type: RepairType;
  title: string;
  target?: ObjectRef;
}

/**
 * One problem a health check found.
 *
 * @public
 */
export interface HealthFinding {
  code: GitOpsErrorCode;
  severity: FindingSeverity;
  check: HealthCheckId;
  cluster: string;
  object?: ObjectRef;
  /** `backstage.io/kubernetes-id` of the object, when it has one. */
  kubernetesId?: string;
  /** What proves it: the condition, reason and message, or the policy. */
  evidence: string;
  /** The cause in plain words. */
  cause: string;
  /** The commands a person would run. */
  fix: string[];
  repair?: RepairOffer;
  /** What the object refers to that is broken (a Secret, a dependency, a workload, a Git ref). */
  reference?: DiagnosisReference;
  /** What a sync finding's code stands on; `unrecognised` marks a gap in the rules. */
  basis?: Diagnosis['basis'];
}

/**
 * The outcome of one check.
 *
 * @public
 */
export interface CheckResult {
  id: HealthCheckId;
  title: string;
  status: 'passed' | 'warning' | 'failed' | 'skipped';
  summary: string;
  durationMs: number;
}

/**
 * A stored health check of one cluster. `POST /api/gitops/health/run`
 * answers it; `GET /api/gitops/health` answers the latest per cluster as
 * `{ items }`.
 *
 * @public
 */
export interface HealthReport {
  id: string;
  cluster: string;
  trigger: 'manual' | 'schedule';
  triggeredBy?: string;
  startedAt: string;
  finishedAt: string;
  status: 'passed' | 'warning' | 'failed';
  checks: CheckResult[];
  findings: HealthFinding[];
  /** Counts of the cluster's Flux objects by sync state. */
  syncSummary: Record<string, number>;
}

/**
 * One change a repair will make.
 *
 * @public
 */
export interface RepairStep {
  action: 'patch' | 'apply' | 'delete' | 'reconcile';
  object: ObjectRef;
  description: string;
}

/**
 * `POST /api/gitops/health/repairs/plan` answers what a repair would do;
 * `POST /api/gitops/health/repairs` applies it (same body) and answers the
 * audit record.
 *
 * @public
 */
export interface RepairRequest {
  cluster: string;
  type: RepairType;
  target?: ObjectRef;
  /**
   * Applying: the `digest` of the plan the user saw. Required by
   * `POST /health/repairs`, which refuses (409) if the plan changed since.
   */
  planDigest?: string;
}

/** @public */
export interface RepairPlan extends RepairRequest {
  summary: string;
  steps: RepairStep[];
  warnings: string[];
  /**
   * Names this plan: a hash of its steps and of the objects (uid and
   * generation) it was computed from.
   */
  digest: string;
}

/**
 * A repair as the audit log records it.
 *
 * @public
 */
export interface RepairRecord {
  id: string;
  cluster: string;
  type: RepairType;
  target?: ObjectRef;
  actor: string;
  at: string;
  plan: RepairPlan;
  outcome: 'applied' | 'failed';
  error?: string;
}
