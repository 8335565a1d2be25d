import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { ServerFailure, waitFor } from '../stack/kube';
/** The running portal's backend, called as the guest user. */
export const backendUrl = process.env.BACKEND_URL ?? 'http://localhost:7007';

export interface TaskRun {
  id: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** Step log lines, each prefixed with its step id. */
  log: string[];
  output?: Record<string, unknown>;
}

let cachedToken: string | undefined;

export async function guestToken(): Promise<string> {
  if (!cachedToken) {
    const response = await fetch(
      `${backendUrl}/api/auth/guest/refresh?env=development`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    if (!response.ok) {
      throw new Error(`guest sign-in failed: ${response.status}`);
    }
    cachedToken = (await response.json()).backstageIdentity.token;
  }
  return cachedToken!;
}

/** Calls the backend as the guest, or with `init.token` (a user token). */
export async function callPortal(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<Response> {
  return fetch(`${backendUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${init.token ?? (await guestToken())}`,
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
}

/**
 * callPortal for a polling wait: a 5xx answer throws ServerFailure, which
 * ends the wait with the portal's message instead of retrying past it.
 */
export async function pollPortal(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<Response> {
  const response = await callPortal(path, init);
  if (response.status >= 500) {
    const body = (await response.text()).slice(0, 1000);
    throw new ServerFailure(
      `${init.method ?? 'GET'} ${path} answered ${response.status}: ${body}`,
    );
  }
  return response;
}

// Strips the colour codes the scaffolder's logger writes.
const ESCAPE = String.fromCharCode(27);
const plain = (text: string) =>
  text.replace(new RegExp(`${ESCAPE}\\[[0-9;]*m`, 'g'), '');

/**
 * Runs a template through the scaffolder's HTTP API until it ends, as the
 * guest or as the user of `token` (only they may read the task).
 */
export async function runTemplate(
  templateName: string,
  values: Record<string, unknown>,
  timeoutMs = 240_000,
  token?: string,
): Promise<TaskRun> {
  const created = await callPortal('/api/scaffolder/v2/tasks', {
    method: 'POST',
    body: { templateRef: `template:default/${templateName}`, values },
    token,
  });
  if (created.status !== 201) {
    throw new Error(
      `creating the task failed: ${created.status} ${await created.text()}`,
    );
  }
  const { id } = await created.json();
  const deadline = Date.now() + timeoutMs;
  let task: { status: string };
  for (;;) {
    task = await (
      await callPortal(`/api/scaffolder/v2/tasks/${id}`, { token })
    ).json();
    if (['completed', 'failed', 'cancelled'].includes(task.status)) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`task ${id} still ${task.status} after ${timeoutMs} ms`);
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  const events: Array<{
    type: string;
    body: {
      stepId?: string;
      message?: string;
      output?: Record<string, unknown>;
    };
  }> = await (
    await callPortal(`/api/scaffolder/v2/tasks/${id}/events`, { token })
  ).json();
  return {
    id,
    status: task.status as TaskRun['status'],
    log: events
      .filter(e => e.type === 'log')
      .map(e => `${e.body.stepId ?? ''} ${plain(e.body.message ?? '')}`),
    output: events.find(e => e.type === 'completion')?.body.output,
  };
}

/**
 * Waits until a deploy of the history is succeeded or failed; on timeout the
 * error gives its last status and message (what the tracker last saw).
 */
export async function finishedDeploy(
  deployUrl: string,
  timeoutMs: number,
): Promise<DeployRecord> {
  return waitFor(
    `${deployUrl} to finish`,
    async () => {
      const response = await pollPortal(deployUrl);
      if (!response.ok) {
        throw new Error(`GET answered ${response.status}`);
      }
      const deploy: DeployRecord = await response.json();
      if (['succeeded', 'failed'].includes(deploy.status)) {
        return deploy;
      }
      throw new Error(`still ${deploy.status}: ${deploy.message ?? ''}`);
    },
    timeoutMs,
  );
}
