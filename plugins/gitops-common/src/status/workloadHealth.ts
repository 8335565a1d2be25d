import { conditionOfType } from './conditions';

/**
 * How a workload from a Flux inventory is doing.
 *
 * @public
 */
export type WorkloadHealth = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/**
 * The parts of a Deployment, StatefulSet or DaemonSet the health reads.
 *
 * @public
 */
export interface WorkloadResource {
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
}

/**
 * Health and "ready/desired" of a workload, the way
 * `kubectl rollout status` judges it.
 *
 * @public
 */
export function workloadHealth(workload: WorkloadResource): {
  health: WorkloadHealth;
  ready: string;
} {
  const status = workload.status ?? {};
  const daemon = workload.kind === 'DaemonSet';
  const desired = daemon
    ? status.desiredNumberScheduled ?? 0
    : workload.spec?.replicas ?? 1;
  const ready = daemon ? status.numberReady ?? 0 : status.readyReplicas ?? 0;
  const summary = `${ready}/${desired}`;
  if (
    conditionOfType(workload, 'Progressing')?.reason ===
      'ProgressDeadlineExceeded' ||
    conditionOfType(workload, 'ReplicaFailure')?.status === 'True'
  ) {
    return { health: 'Degraded', ready: summary };
  }
  if (
    workload.metadata.generation !== undefined &&
    (status.observedGeneration ?? 0) < workload.metadata.generation
  ) {
    return { health: 'Progressing', ready: summary };
  }
  const updated = daemon ? ready : status.updatedReplicas ?? 0;
  if (ready >= desired && updated >= desired) {
    return { health: 'Healthy', ready: summary };
  }
  if (conditionOfType(workload, 'Available')?.status === 'False') {
    return { health: 'Degraded', ready: summary };
  }
  return { health: 'Progressing', ready: summary };
}

/**
 * Why a workload is not Healthy, from its conditions: a replica failure,
 * a rollout past its deadline, or too few available replicas.
 *
 * @public
 */
export function workloadProblem(
  workload: WorkloadResource,
): string | undefined {
  const conditions = workload.status?.conditions ?? [];
  const failing =
    conditions.find(c => c.type === 'ReplicaFailure' && c.status === 'True') ??
    conditions.find(c => c.reason === 'ProgressDeadlineExceeded') ??
    conditions.find(c => c.type === 'Available' && c.status === 'False');
  return failing?.reason ?? failing?.type;
}
