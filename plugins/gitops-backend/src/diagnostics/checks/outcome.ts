import {
  FluxResource,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import { CheckOutcome } from './types';

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

/** A check's outcome from its findings: failed on a critical or error one. */
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
