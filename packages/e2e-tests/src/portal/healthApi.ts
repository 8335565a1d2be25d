import type {
  HealthFinding,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import { waitFor } from '../stack/kube';
import { callPortal } from './portalApi';

/** POST /api/gitops/health/run for the local cluster; its report. */
export async function runHealthCheck(): Promise<HealthReport> {
  const response = await callPortal('/api/gitops/health/run', {
    method: 'POST',
    body: { cluster: 'local' },
  });
  if (response.status !== 200) {
    throw new Error(`health/run answered ${response.status}`);
  }
  const { items } = await response.json();
  return items[0];
}

/** GET /api/gitops/health: the stored latest report of the local cluster. */
export async function latestReport(): Promise<HealthReport> {
  const response = await callPortal('/api/gitops/health');
  if (response.status !== 200) {
    throw new Error(`GET health answered ${response.status}`);
  }
  const { items } = await response.json();
  return items.find((r: HealthReport) => r.cluster === 'local');
}

/** Runs health checks until one has a matching finding. */
export async function findingFor(
  description: string,
  match: (f: HealthFinding) => boolean,
  timeoutMs = 150_000,
): Promise<HealthFinding> {
  return waitFor(
    `a finding: ${description}`,
    async () => (await runHealthCheck()).findings.find(match),
    timeoutMs,
  );
}
