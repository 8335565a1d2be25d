import { stringify } from 'yaml';
import { pollPortal } from '../portal/portalApi';
import {
  catalogInfo,
  commitInHistory,
  registerComponent,
} from '../portal/gitopsEntity';
import { OTHER_TEAM } from '../portal/users';
import { appManifests } from '../stack/fixtures';
import { applyFluxPair, KUSTOMIZE_API } from '../stack/fluxPair';
import { TestGitServer } from '../stack/gitea';
import { condition, FluxObject, TestCluster, waitFor } from '../stack/kube';
import { StackEnv } from '../stack/stackEnv';
import { StateTarget } from './stackState';

/** An entity of the guests' with one environment on the stack. */
export interface EntityFixture extends StateTarget {
  id: string;
  /** Another team's entity in the same catalog file. */
  otherId: string;
  objectPath: string;
  firstSha: string;
  /** The deploy the tracker recorded for the first revision. */
  firstDeployId: number;
}

/**
 * Registers a component the guest owns (and one of another team), applies
 * its GitRepository and Kustomization `development` (Deployment `hello`),
 * and waits until its first revision is in the deploy history.
 */
export async function createEntityFixture(
  env: StackEnv,
  cluster: TestCluster,
  git: TestGitServer,
  prefix: string,
): Promise<EntityFixture> {
  const id = `${prefix}-${Date.now().toString(36).slice(-5)}`;
  const otherId = `${id}-other`;
  const namespace = await cluster.createNamespace(prefix);
  const repo = await git.createRepo(prefix);
  const otherEntity = stringify({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: otherId,
      annotations: { 'backstage.io/kubernetes-id': otherId },
    },
    spec: { type: 'service', owner: OTHER_TEAM, lifecycle: 'experimental' },
  });
  const firstSha = await git.commit(
    repo,
    {
      ...appManifests('nginx:1.27'),
      'catalog-info.yaml': `${catalogInfo(id)}---\n${otherEntity}`,
    },
    'first',
  );
  await registerComponent(env, repo, id);
  await waitFor('the other entity in the catalog', async () =>
    (
      await pollPortal(
        `/api/catalog/entities/by-name/component/default/${otherId}`,
      )
    ).ok
      ? true
      : undefined,
  );
  await applyFluxPair(cluster, git, {
    namespace,
    name: 'development',
    repo,
    labels: {
      'backstage.io/kubernetes-id': id,
      'gitops.backstage.io/environment': 'development',
    },
    // Annotated as project initialization annotates: the cluster side's
    // half of the ownership proof (the owner's row expects to act).
    entityRef: `component:default/${id}`,
    kustomization: { namePrefix: undefined },
  });
  const entityPath = `/api/gitops/entities/component/default/${id}`;
  await waitFor(
    'the Kustomization Ready',
    async () =>
      condition(
        await cluster.read<FluxObject>(
          KUSTOMIZE_API,
          'Kustomization',
          namespace,
          'development',
        ),
        'Ready',
      )?.status === 'True'
        ? true
        : undefined,
    120_000,
  );
  const first = await commitInHistory(entityPath, firstSha);
  return {
    id,
    otherId,
    namespace,
    repo,
    fluxName: 'development',
    entityPath,
    objectPath: `${entityPath}/objects/local/Kustomization/${namespace}/development`,
    firstSha,
    firstDeployId: first.id,
  };
}
