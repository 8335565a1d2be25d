import {
  CheckResult,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';

/** What a check answers: its outcome and the problems it found. */
export interface CheckOutcome {
  status: CheckResult['status'];
  summary: string;
  findings: HealthFinding[];
}
