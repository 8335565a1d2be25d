import { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { V1Secret } from '@kubernetes/client-node';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
  RepairPlan,
  RepairRequest,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  deployKeyHostOf,
  ensureDeployKey,
  GITOPS_FIELD_MANAGER,
  kubernetesErrorCode,
  registeredRepositoryOf,
  repositoryOfRepoUrl,
  sshCloneUrl,
} from '@gitops-backstage/plugin-gitops-node';
import { FluxActions } from '../actions/FluxActions';
import { ClusterClient } from '../cluster/ClusterClient';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { describeRef } from './checks/outcome';
import {
  PlannedRepair,
  RepairKind,
  targetOf,
  watchedObject,
} from './RepairKind';

/**
 * A new read-only deploy key for a GitRepository that lost its own: issued
 * on the Git host, written into the source's Secret, the previous key
 * retired. The portal never hands Flux its own integration credential.
 */
export class RefreshGitCredentialsRepair implements RepairKind {
  constructor(
    private readonly deps: {
      clients: ClusterClients;
      actions: FluxActions;
      catalog: CatalogService;
      auth: AuthService;
      integrations: ScmIntegrationRegistry;
      deployKeyHosts: DeployKeyHost[];
      fetch?: typeof fetch;
    },
  ) {}

  async plan(
    request: RepairRequest,
    watcher: ClusterWatcher,
  ): Promise<PlannedRepair> {
    const target = targetOf(request);
    const repo = watchedObject(watcher, target);
    if (repo.kind !== 'GitRepository') {
      throw new InputError(
        'target: refresh-git-credentials applies to a GitRepository',
      );
    }
    const secretName = (repo.spec as any)?.secretRef?.name as
      | string
      | undefined;
    if (!secretName) {
      throw new InputError(
        `target: ${describeRef(
          target,
        )} has no spec.secretRef; it reads a public repository`,
      );
    }
    const { host, repository } = await this.deployKeyTarget(watcher, repo);
    const secret = {
      kind: 'Secret',
      namespace: repo.metadata.namespace,
      name: secretName,
    };
    return {
      ...request,
      target,
      summary: `Issue a new read-only deploy key for ${repository} on ${
        host.host
      } and write it into Secret ${
        secret.namespace
      }/${secretName}, then reconcile ${describeRef(target)}`,
      steps: [
        {
          action: 'patch',
          object: secret,
          description: `set identity, identity.pub and known_hosts of a new read-only deploy key of ${repository} (values not shown); the previous key of this environment is removed from ${host.host} once the Secret holds the new one`,
        },
        {
          action: 'reconcile',
          object: target,
          description:
            'request a reconcile so source-controller fetches with the new key',
        },
      ],
      warnings: [
        `The portal never copies its own ${host.host} credential into a namespace: Flux gets a key that can only read ${repository}.`,
      ],
    };
  }

  /**
   * The repository a refreshed deploy key may open: only a GitRepository
   * whose URL the portal wrote (field manager backstage-gitops), on a
   * deploy-key host. Anyone who can edit the object could otherwise point
   * it at another repository and have the portal hand out a key to it.
   */
  private async deployKeyTarget(
    watcher: ClusterWatcher,
    repo: FluxResource,
  ): Promise<{ host: DeployKeyHost; repository: string }> {
    const url = repo.spec?.url ?? '';
    const host = deployKeyHostOf(url, this.deps.deployKeyHosts);
    if (!host || !/^ssh:\/\//.test(url)) {
      throw new InputError(
        `target: ${url} is not an SSH URL of a deploy-key host (gitops.deployKeys). The portal never copies its integration credential into a namespace; give Flux a read-only credential of that repository yourself`,
      );
    }
    // The watcher's copy has no managedFields: read the object itself.
    const live = await this.deps.clients.get(watcher.cluster.name).read({
      apiVersion: repo.apiVersion,
      kind: repo.kind,
      name: repo.metadata.name,
      namespace: repo.metadata.namespace,
    });
    if ((live as FluxResource).spec?.url !== url) {
      throw new InputError(
        `target: the URL of ${repo.metadata.namespace}/${repo.metadata.name} changed while the repair was planned; plan again`,
      );
    }
    const urlWriter = (live.metadata?.managedFields ?? []).find(
      (entry: any) => entry.fieldsV1?.['f:spec']?.['f:url'] !== undefined,
    )?.manager;
    if (urlWriter !== GITOPS_FIELD_MANAGER) {
      throw new InputError(
        `target: the URL of this GitRepository was written by '${
          urlWriter ?? 'unknown'
        }', not by the portal; a deploy key is only issued for a repository project initialization set up`,
      );
    }
    const repository = sshCloneUrl(url, host).slice(host.sshUrl.length + 1);
    await this.requireEntityRepository(repo, url, repository);
    return { host, repository };
  }

  /**
   * A field manager's name is whatever a client calls itself, so the URL
   * must also name the repository the object's entity was registered from.
   */
  private async requireEntityRepository(
    repo: FluxResource,
    url: string,
    repository: string,
  ): Promise<void> {
    const entityRef = repo.metadata.annotations?.[ANNOTATION_ENTITY_REF];
    const entity = entityRef
      ? await this.deps.catalog.getEntityByRef(entityRef, {
          credentials: await this.deps.auth.getOwnServiceCredentials(),
        })
      : undefined;
    const registered = entity
      ? registeredRepositoryOf(entity)
      : { problem: 'is not in the catalog' };
    const wanted = repositoryOfRepoUrl(url, this.deps.deployKeyHosts);
    if (
      registered.problem !== undefined ||
      wanted.problem !== undefined ||
      registered.repository !== wanted.repository
    ) {
      throw new InputError(
        `target: ${repository} is not the repository ${
          entityRef ?? 'the object’s entity (no gitops.backstage.io/entity-ref)'
        } was registered from (${
          registered.repository ?? `it ${registered.problem}`
        }); a deploy key is only issued for a project's own repository`,
      );
    }
  }

  async execute(
    plan: RepairPlan,
    watcher: ClusterWatcher,
    client: ClusterClient,
  ): Promise<void> {
    const repo = watchedObject(watcher, plan.target!);
    const name = (repo.spec as any).secretRef.name as string;
    const namespace = repo.metadata.namespace!;
    const { host } = await this.deployKeyTarget(watcher, repo);
    const labels = repo.metadata.labels ?? {};
    const id = labels[LABEL_KUBERNETES_ID];
    const environment = labels[LABEL_ENVIRONMENT];
    const previous = await readSecretIfAny(client, namespace, name);
    const key = await ensureDeployKey({
      repoUrl: repo.spec!.url!,
      host,
      title:
        id && environment
          ? `flux ${id} ${environment}`
          : `flux ${namespace}/${name}`,
      // Retired by this public key once the new one is stored.
      previousPublicKey: decoded(previous?.data?.['identity.pub']),
      integrations: this.deps.integrations,
      fetch: this.deps.fetch,
    });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace,
        labels: previous?.metadata?.labels,
        annotations: previous?.metadata?.annotations,
      },
      type: previous?.type ?? 'Opaque',
      data: Object.fromEntries(
        Object.entries(key.data).map(([k, v]) => [
          k,
          Buffer.from(v).toString('base64'),
        ]),
      ),
    };
    try {
      // As project initialization writes it, so a later run owns it.
      await client.serverSideApply(secret, GITOPS_FIELD_MANAGER, true);
    } catch (error) {
      // A write that timed out may still have landed: look before
      // taking the new key back.
      const now = await readSecretIfAny(client, namespace, name).catch(
        () => undefined,
      );
      if (decoded(now?.data?.['identity.pub']) !== key.data['identity.pub']) {
        // The environment keeps the key it has; the new one goes again.
        await key.withdraw();
        throw error;
      }
    }
    try {
      await this.deps.actions.requestReconcile(watcher, repo);
    } finally {
      // The Secret holds the new key: the old one goes either way.
      await key.retirePrevious();
    }
  }
}

/** A base64 value of a Secret as text. */
function decoded(base64?: string): string | undefined {
  return base64 ? Buffer.from(base64, 'base64').toString() : undefined;
}

/** A Secret, or undefined when there is none. */
async function readSecretIfAny(
  client: ClusterClient,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await client.readSecret(namespace, name);
  } catch (error) {
    if (kubernetesErrorCode(error) === 404) return undefined;
    throw error;
  }
}
