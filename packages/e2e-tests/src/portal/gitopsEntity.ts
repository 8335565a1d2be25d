import { stringify } from 'yaml';
import type { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { StackEnv } from '../stack/stackEnv';
import { waitFor } from '../stack/kube';
import { callPortal, pollPortal } from './portalApi';

/**
 * catalog-info.yaml of a component linked by kubernetes-id, owned by the
 * guests unless `owner` says otherwise.
 */
export function catalogInfo(
  id: string,
  owner = 'group:default/guests',
): string {
  return stringify({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: id,
      annotations: { 'backstage.io/kubernetes-id': id },
    },
    spec: {
      type: 'service',
      owner,
      lifecycle: 'experimental',
    },
  });
}

/**
 * Registers the repository's catalog-info.yaml (as the guest, or as the
 * user of `token`) and waits until the catalog serves the component.
 */
export async function registerComponent(
  env: StackEnv,
  repo: string,
  id: string,
  token?: string,
): Promise<void> {
  // Gitea can fail reading a file right after the first push; register
  // once it serves it.
  await waitFor(
    'catalog-info.yaml readable through the Gitea API',
    async () => {
      const response = await fetch(
        `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${repo}/contents/catalog-info.yaml?ref=main`,
        { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
      );
      return response.ok ? true : undefined;
    },
  );
  const registered = await callPortal('/api/catalog/locations', {
    method: 'POST',
    token,
    body: {
      type: 'url',
      target: `${env.GITEA_URL}/${env.GITEA_ORG}/${repo}/src/branch/main/catalog-info.yaml`,
    },
  });
  if (registered.status !== 201) {
    throw new Error(`registering the entity failed: ${registered.status}`);
  }
  await waitFor(
    'entity in the catalog',
    async () =>
      (
        await pollPortal(
          `/api/catalog/entities/by-name/component/default/${id}`,
        )
      ).ok
        ? true
        : undefined,
    120_000,
  );
}

/**
 * Waits until the entity's deploy history lists the commit (the portal saw
 * Flux apply it) and answers that row.
 */
export async function commitInHistory(
  entityPath: string,
  sha: string,
  timeoutMs = 120_000,
): Promise<DeployRecord> {
  return waitFor(
    `commit ${sha.slice(0, 7)} in the history`,
    async () => {
      const items: DeployRecord[] | undefined = (
        await (await pollPortal(`${entityPath}/deploys`)).json()
      ).items;
      return items?.find(d => d.commitSha === sha);
    },
    timeoutMs,
  );
}
