import { createHash, randomUUID } from 'node:crypto';
import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FluxResource,
  RepairPlan,
  RepairRecord,
  RepairRequest,
  RepairType,
} from '@gitops-backstage/plugin-gitops-common';
import {
  DeployKeyHost,
  describeKubernetesError,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxActions } from '../actions/FluxActions';
import { FluxStatusService } from '../status/FluxStatusService';
import { describeRef } from './checks/outcome';
import { DiagnosticsStore } from './DiagnosticsStore';
import { RefreshGitCredentialsRepair } from './RefreshGitCredentialsRepair';
import { RemoveZombiesRepair } from './RemoveZombiesRepair';
import { PlannedRepair, RepairKind } from './RepairKind';
import { ResyncRepair } from './ResyncRepair';
import { RestartControllerRepair } from './RestartControllerRepair';

/**
 * The portal's repairs. Each is planned first (what will change, nothing
 * touched), then applied and written to the audit log.
 */
export class RepairService {
  private readonly zombies: RemoveZombiesRepair;
  /** Every repair type has its kind: a new type does not compile without one. */
  private readonly kinds: Record<RepairType, RepairKind>;

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
  ) {
    this.zombies = new RemoveZombiesRepair(deps);
    this.kinds = {
      'restart-controller': new RestartControllerRepair(deps.fluxNamespace),
      'refresh-git-credentials': new RefreshGitCredentialsRepair(deps),
      'remove-zombies': this.zombies,
      resync: new ResyncRepair(deps.actions),
    };
  }

  /** What a repair would change, named by a digest that apply checks. */
  async plan(request: RepairRequest): Promise<RepairPlan> {
    const { planDigest: _seen, ...wanted } = request;
    const watcher = this.deps.status.watcher(wanted.cluster);
    const plan = await this.kindOf(wanted.type).plan(wanted, watcher);
    return { ...plan, digest: this.digestOf(watcher, plan) };
  }

  /**
   * A hash of the plan's steps and of the objects they act on as the watch
   * cache holds them (uid, generation, labels and annotations: a spec or
   * metadata change or a re-created object changes the plan; the
   * controllers' status writes do not).
   */
  private digestOf(watcher: ClusterWatcher, plan: PlannedRepair): string {
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

  /** Objects carrying our labels whose entity the catalog no longer has. */
  findZombies(
    watcher: ClusterWatcher,
  ): Promise<Array<{ resource: FluxResource; entityRef: string }>> {
    return this.zombies.findZombies(watcher);
  }

  private kindOf(type: string): RepairKind {
    if (!Object.hasOwn(this.kinds, type)) {
      throw new InputError(`type: unknown repair '${type}'`);
    }
    return this.kinds[type as RepairType];
  }

  private async execute(
    watcher: ClusterWatcher,
    plan: RepairPlan,
    _credentials: BackstageCredentials,
  ): Promise<void> {
    const client = this.deps.clients.get(watcher.cluster.name);
    await this.kindOf(plan.type).execute(plan, watcher, client);
  }
}
