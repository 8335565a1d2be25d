import type {
  HealthFinding,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import type { Page } from 'playwright-core';
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

/**
 * Clicks "Run health check" on the health page and waits for the check to
 * answer: a check of the whole cluster, beside the other e2e files'
 * objects, takes minutes on two busy cores.
 */
export async function runHealthCheckInPage(page: Page): Promise<void> {
  const ran = page.waitForResponse(
    r =>
      r.url().endsWith('/api/gitops/health/run') &&
      r.request().method() === 'POST',
    { timeout: 240_000 },
  );
  await page.getByRole('button', { name: 'Run health check' }).click();
  const response = await ran;
  if (response.status() !== 200) {
    throw new Error(`health/run answered ${response.status()}`);
  }
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
