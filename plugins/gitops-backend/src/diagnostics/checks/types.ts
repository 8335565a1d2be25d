import {
  CheckResult,
  FluxResource,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';

/** What a check answers: its outcome and the problems it found. */
export interface CheckOutcome {
  status: CheckResult['status'];
  summary: string;
  findings: HealthFinding[];
}

export function refOf(resource: FluxResource) {
  return {
    kind: resource.kind,
    namespace: resource.metadata.namespace,
    name: resource.metadata.name,
  };
}

export function describeRef(ref: {
  kind: string;
  namespace?: string;
  name: string;
}): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function outcome(
  findings: HealthFinding[],
  passedSummary: string,
  failedSummary?: string,
): CheckOutcome {
  const serious = findings.some(
    f => f.severity === 'critical' || f.severity === 'error',
  );
  let worst: CheckOutcome['status'] = 'passed';
  if (serious) {
    worst = 'failed';
  } else if (findings.length > 0) {
    worst = 'warning';
  }
  return {
    status: worst,
    summary:
      worst === 'passed'
        ? passedSummary
        : failedSummary ?? `${findings.length} problem(s) found`,
    findings,
  };
}
