import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { waitFor } from '../stack/kube';
import { callPortal } from './portalApi';

/** Waits until a deploy of an entity has finished, succeeded or failed. */
export function finishedDeploy(
  entityPath: string,
  id: number,
  timeoutMs: number,
  what = `deploy ${id} to finish`,
): Promise<DeployRecord> {
  return waitFor(
    what,
    async () => {
      const deploy: DeployRecord = await (
        await callPortal(`${entityPath}/deploys/${id}`)
      ).json();
      return ['succeeded', 'failed'].includes(deploy.status)
        ? deploy
        : undefined;
    },
    timeoutMs,
  );
}

/** Waits until an entity's deploy history has a row for a commit. */
export function deployOfCommit(
  entityPath: string,
  sha: string,
  what: string,
  timeoutMs = 120_000,
): Promise<DeployRecord> {
  return waitFor(
    what,
    async () => {
      const items: DeployRecord[] = (
        await (await callPortal(`${entityPath}/deploys`)).json()
      ).items;
      return items?.find(d => d.commitSha === sha);
    },
    timeoutMs,
  );
}
