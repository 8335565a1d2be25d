import { createHash, randomUUID } from 'node:crypto';
import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { V1Secret } from '@kubernetes/client-node';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENTITY_REF,
  FluxResource,
  LABEL_ENVIRONMENT,
  LABEL_KUBERNETES_ID,
  MANAGED_BY_VALUE,
  ObjectRef,
  RepairPlan,
  RepairRecord,
  RepairRequest,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  deployKeyHostOf,
  describeKubernetesError,
  ensureDeployKey,
  GITOPS_FIELD_MANAGER,
  kubernetesErrorCode,
  registeredRepositoryOf,
  repositoryOfRepoUrl,
  sshCloneUrl,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClient } from '../cluster/ClusterClient';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxActions } from '../actions/FluxActions';
import { FluxStatusService } from '../status/FluxStatusService';
import { FLUX_CONTROLLERS } from './checks/clusterChecks';
import { describeRef, refOf } from './checks/outcome';
import { DiagnosticsStore } from './DiagnosticsStore';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * The portal's repairs. Each is planned first (what will change, nothing
 * touched), then applied and written to the audit log.
 */
export class RepairService {
  constructor(
    private readonly deps: {
      status: FluxStatusService;
      clients: ClusterClients;
      actions: FluxActions;
      store: DiagnosticsStore;
      catalog: CatalogService;
      auth: AuthService;
      integrations: ScmIntegrationRegistry;
      /** Hosts where Flux gets read-only deploy keys (gitops.deployKeys). */
      deployKeyHosts: DeployKeyHost[];
      /** Calls the Git host's deploy-key API; global fetch by default. */
      fetch?: typeof fetch;
      logger: LoggerService;
      fluxNamespace: string;
    },
  ) {}

  /** What a repair would change, named by a digest that apply checks. */
  async plan(request: RepairRequest): Promise<RepairPlan> {
    const { planDigest: _seen, ...wanted } = request;
    const watcher = this.deps.status.watcher(wanted.cluster);
    const plan = await this.planOf(watcher, wanted);
    return { ...plan, digest: this.digestOf(watcher, plan) };
  }

  private async planOf(
    watcher: ClusterWatcher,
    request: RepairRequest,
  ): Promise<Omit<RepairPlan, 'digest'>> {
    switch (request.type) {
      case 'restart-controller':
        return this.planRestart(request, this.required(request));
      case 'refresh-git-credentials':
        return this.planRefresh(watcher, request, this.required(request));
      case 'resync':
        return this.planResync(watcher, request, this.required(request));
      case 'remove-zombies':
        return this.planZombies(watcher, request);
      default:
        throw new InputError(`type: unknown repair '${request.type}'`);
    }
  }

  /**
   * A hash of the plan's steps and of the objects they act on as the watch
   * cache holds them (uid, generation, labels and annotations: a spec or
   * metadata change or a re-created object changes the plan; the
   * controllers' status writes do not).
   */
  private digestOf(
    watcher: ClusterWatcher,
    plan: Omit<RepairPlan, 'digest'>,
  ): string {
    const basis = plan.steps.map(step => {
      const object = watcher.get(
        step.object.kind,
        step.object.namespace ?? '',
        step.object.name,
      );
      return object
        ? [
            object.metadata.uid ?? '',
            object.metadata.generation ?? '',
            object.metadata.labels ?? {},
            object.metadata.annotations ?? {},
          ]
        : null;
    });
    return createHash('sha256')
      .update(JSON.stringify({ plan, basis }))
      .digest('hex');
  }

  /**
   * Re-plans and applies; when the request names the digest of the plan the
   * user saw, refuses (409) unless re-planning gives the same plan. The
   * unattended schedule applies its own fresh plan.
   */
  async apply(
    request: RepairRequest,
    actor: string,
    credentials: BackstageCredentials,
  ): Promise<RepairRecord> {
    const plan = await this.plan(request);
    if (
      request.planDigest !== undefined &&
      request.planDigest !== plan.digest
    ) {
      throw new ConflictError(
        'planDigest: the cluster changed since this repair was planned; review the new plan and apply again',
      );
    }
    const watcher = this.deps.status.watcher(request.cluster);
    const record: RepairRecord = {
      id: randomUUID(),
      cluster: request.cluster,
      type: request.type,
      target: request.target,
      actor,
      at: new Date().toISOString(),
      plan,
      outcome: 'applied',
    };
    try {
      await this.execute(watcher, plan, credentials);
    } catch (error) {
      record.outcome = 'failed';
      record.error = describeKubernetesError(error);
    }
    await this.deps.store.addRepair(record);
    this.deps.logger.info(
      `repair ${plan.type} on ${request.cluster}${
        plan.target ? ` ${describeRef(plan.target)}` : ''
      } by ${actor}: ${record.outcome}${
        record.error ? ` (${record.error})` : ''
      }`,
    );
    return record;
  }

  private required(request: RepairRequest): ObjectRef {
    if (!request.target?.name || !request.target.kind) {
      throw new InputError(
        `target: the ${request.type} repair needs a target object`,
      );
    }
    return request.target;
  }

  private planRestart(
    request: RepairRequest,
    target: ObjectRef,
  ): Omit<RepairPlan, 'digest'> {
    const { fluxNamespace } = this.deps;
    if (
      target.kind !== 'Deployment' ||
      target.namespace !== fluxNamespace ||
      !FLUX_CONTROLLERS.includes(target.name)
    ) {
      throw new InputError(
        `target: only the Flux controllers' Deployments in ${fluxNamespace} can be restarted (${FLUX_CONTROLLERS.join(
          ', ',
        )})`,
      );
    }
    return {
      ...request,
      target,
      summary: `Restart ${target.name}: a rollout restart replaces its pods`,
      steps: [
        {
          action: 'patch',
          object: target,
          description: `set spec.template.metadata.annotations["${RESTARTED_AT}"] to the current time (like kubectl rollout restart)`,
        },
      ],
      warnings: [
        `While ${target.name} restarts, the objects it reconciles are not updated (usually seconds).`,
      ],
    };
  }

  private async planRefresh(
    watcher: ClusterWatcher,
    request: RepairRequest,
    target: ObjectRef,
  ): Promise<Omit<RepairPlan, 'digest'>> {
    const repo = this.fluxObject(watcher, target);
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

  private planResync(
    watcher: ClusterWatcher,
    request: RepairRequest,
    target: ObjectRef,
  ): Omit<RepairPlan, 'digest'> {
    const resource = this.fluxObject(watcher, target);
    if (resource.spec?.suspend) {
      throw new InputError(
        `target: ${describeRef(target)} is suspended; resume it instead`,
      );
    }
    const withSource =
      resource.kind === 'Kustomization' || resource.kind === 'HelmRelease';
    return {
      ...request,
      target,
      summary: `Reconcile ${describeRef(target)}${
        withSource ? ' with its source' : ''
      }`,
      steps: [
        {
          action: 'reconcile',
          object: target,
          description: `set reconcile.fluxcd.io/requestedAt${
            withSource ? ' on the source, then on the object' : ''
          } and wait until Flux handled it`,
        },
      ],
      warnings: [],
    };
  }

  private async planZombies(
    watcher: ClusterWatcher,
    request: RepairRequest,
  ): Promise<Omit<RepairPlan, 'digest'>> {
    const zombies = await this.findZombies(watcher);
    return {
      ...request,
      target: undefined,
      summary:
        zombies.length === 0
          ? 'No zombie resources: every object the portal created belongs to an entity in the catalog'
          : `Delete ${zombies.length} Flux object(s) created by the portal whose catalog entity no longer exists`,
      steps: zombies.map(({ resource, entityRef }) => ({
        action: 'delete' as const,
        object: refOf(resource),
        description: `its entity ${entityRef} is not in the catalog`,
      })),
      warnings: zombies.some(z => (z.resource.spec as any)?.prune)
        ? [
            'Kustomizations with prune: true delete the workloads they applied when they are deleted.',
          ]
        : [],
    };
  }

  /** Objects carrying our labels whose entity the catalog no longer has. */
  async findZombies(
    watcher: ClusterWatcher,
  ): Promise<Array<{ resource: FluxResource; entityRef: string }>> {
    const ours = watcher
      .objects()
      .filter(
        o =>
          o.metadata.labels?.['app.kubernetes.io/managed-by'] ===
            MANAGED_BY_VALUE && o.metadata.annotations?.[ANNOTATION_ENTITY_REF],
      );
    const refs = [
      ...new Set(ours.map(o => o.metadata.annotations![ANNOTATION_ENTITY_REF])),
    ];
    if (refs.length === 0) {
      return [];
    }
    // Existence is asked with the backend's own rights: an entity the
    // caller may not see is not a zombie.
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      { entityRefs: refs, fields: ['kind', 'metadata.name'] },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const missing = new Set(refs.filter((_, i) => !items[i]));
    return ours
      .filter(o => missing.has(o.metadata.annotations![ANNOTATION_ENTITY_REF]))
      .map(resource => ({
        resource,
        entityRef: resource.metadata.annotations![ANNOTATION_ENTITY_REF],
      }));
  }

  /** What the Backstage integration of a repository's host signs in with. */
  private fluxObject(watcher: ClusterWatcher, target: ObjectRef): FluxResource {
    const resource = watcher.get(
      target.kind,
      target.namespace ?? '',
      target.name,
    );
    if (!resource) {
      throw new NotFoundError(
        `${describeRef(target)} not found in cluster ${watcher.cluster.name}`,
      );
    }
    return resource;
  }

  private async execute(
    watcher: ClusterWatcher,
    plan: RepairPlan,
    _credentials: BackstageCredentials,
  ): Promise<void> {
    const client = this.deps.clients.get(watcher.cluster.name);
    switch (plan.type) {
      case 'restart-controller': {
        const target = plan.target!;
        await client.mergePatch(
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: target.name,
            namespace: target.namespace!,
          },
          {
            spec: {
              template: {
                metadata: {
                  annotations: { [RESTARTED_AT]: new Date().toISOString() },
                },
              },
            },
          },
        );
        return;
      }
      case 'refresh-git-credentials': {
        const repo = this.fluxObject(watcher, plan.target!);
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
          if (
            decoded(now?.data?.['identity.pub']) !== key.data['identity.pub']
          ) {
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
        return;
      }
      case 'resync': {
        const resource = this.fluxObject(watcher, plan.target!);
        await this.deps.actions.reconcile(watcher, resource, {
          withSource:
            resource.kind === 'Kustomization' ||
            resource.kind === 'HelmRelease',
        });
        return;
      }
      case 'remove-zombies': {
        for (const step of plan.steps) {
          const resource = watcher.get(
            step.object.kind,
            step.object.namespace ?? '',
            step.object.name,
          );
          if (!resource) continue;
          // The object the plan listed, not one re-created under its name.
          await client.delete(
            {
              apiVersion: resource.apiVersion,
              kind: resource.kind,
              name: resource.metadata.name,
              namespace: resource.metadata.namespace,
            },
            { uid: resource.metadata.uid },
          );
        }
        return;
      }
      default:
        throw new InputError(`type: unknown repair '${plan.type}'`);
    }
  }
}

export function isFailing(resource: FluxResource): boolean {
  return syncState(resource) === 'Failed';
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
