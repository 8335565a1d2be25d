import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ENTITY_REPOSITORY,
  conditionOfType,
  FluxResource,
  LABEL_ENVIRONMENT,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';
import { GITOPS_FIELD_MANAGER } from '@gitops-backstage/plugin-gitops-node';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { WatchedWorkload } from '../cluster/projection';
import { FluxEntityResolver } from '../entities/FluxEntityResolver';
import { FluxStatusService } from '../status/FluxStatusService';
import { DeployProgress } from './DeployProgress';
import { DeployStore } from './DeployStore';
import { OverlayRepos } from './overlayRepo';
import { MANUAL_FIELD_MANAGER } from './ManualDeployService';
import { RepositoryBusyError, SourceCommits, sourceOf } from './SourceCommits';
import { StoppedPushes } from './StoppedPushes';

/** Field managers that are Flux, Kubernetes itself, or us. */
const KNOWN_MANAGERS = new Set([
  'kustomize-controller',
  'helm-controller',
  'kube-controller-manager',
  'kube-scheduler',
  GITOPS_FIELD_MANAGER,
  MANUAL_FIELD_MANAGER,
]);

/** A run longer than this is logged: deploys wait for the tracker. */
const SLOW_RUN_MS = 10_000;

export interface DeployTrackerOptions {
  status: FluxStatusService;
  /** Rows keep their entity even after its Flux objects are gone. */
  entities: FluxEntityResolver;
  store: DeployStore;
  repos: OverlayRepos;
  logger: LoggerService;
  /** A deploy Flux has not applied within this time failed. */
  timeoutMs?: number;
  /** This process, as it marks the deploys it pushes. */
  replicaId: string;
  /** A replica silent this long stopped: its unfinished pushes are settled. */
  replicaSilentMs: number;
}

/**
 * Background work of the deploy history, run by the scheduler on one
 * replica at a time: settles deploys whose replica stopped while pushing,
 * moves deploys from pending to succeeded or failed as Flux reports,
 * records revisions Flux applied that no one reported (gitops-git), and
 * spec changes by other field managers (manual). Every write is
 * conditional or unique, so runs that overlap (a lock that timed out)
 * still agree.
 */
export class DeployTracker {
  private readonly seenRevisions = new Set<string>();
  private readonly seenEdits = new Set<string>();
  private readonly commits: SourceCommits;
  private readonly progress: DeployProgress;
  private readonly stoppedPushes: StoppedPushes;

  constructor(private readonly options: DeployTrackerOptions) {
    this.commits = new SourceCommits(options);
    this.progress = new DeployProgress({ ...options, commits: this.commits });
    this.stoppedPushes = new StoppedPushes({
      store: options.store,
      commits: this.commits,
      replicaId: options.replicaId,
      silentMs: options.replicaSilentMs,
    });
  }

  async run(): Promise<void> {
    const { status, logger } = this.options;
    const started = Date.now();
    await this.settleStoppedPushes();
    // Open deploys first: someone is watching them.
    await this.progressOpenDeploys();
    const progressed = Date.now();
    for (const watcher of status.watchers) {
      if (watcher.health().state !== 'ok') {
        continue;
      }
      try {
        await this.recordAppliedRevisions(watcher);
        await this.recordManualEdits(watcher);
      } catch (error) {
        logger.warn(
          `deploy history of cluster ${watcher.cluster.name}: ${error}`,
        );
      }
    }
    const took = Date.now() - started;
    if (took > SLOW_RUN_MS) {
      logger.warn(
        `deploy tracker run took ${took} ms (open deploys ${
          progressed - started
        } ms, applied revisions and edits ${Date.now() - progressed} ms)`,
      );
    }
  }

  /**
   * Runs one item's work; a failure (a repository without an integration, a
   * clone that fails, a bad URL) is logged and the others go on.
   */
  private async isolated(what: string, work: () => Promise<void>) {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof RepositoryBusyError)) {
        this.options.logger.warn(`deploy history of ${what}: ${error}`);
      }
    }
  }

  /** gitops-git: revisions applied that no deploy of ours produced. */
  private async recordAppliedRevisions(watcher: ClusterWatcher) {
    for (const resource of watcher.objects()) {
      if (resource.kind !== 'Kustomization' || !isReady(resource)) {
        continue;
      }
      await this.isolated(
        `Kustomization ${resource.metadata.namespace}/${resource.metadata.name} on ${watcher.cluster.name}`,
        () => this.recordAppliedRevision(watcher, resource),
      );
    }
  }

  private async recordAppliedRevision(
    watcher: ClusterWatcher,
    resource: FluxResource,
  ) {
    const { store } = this.options;
    const sha = revisionSha(resource.status?.lastAppliedRevision);
    if (!sha) {
      return;
    }
    const target = targetOf(watcher, resource);
    const key = `${target.cluster}/${target.namespace}/${target.kustomization}/${sha}`;
    if (this.seenRevisions.has(key)) {
      return;
    }
    if (!(await store.findByCommit(target, sha))) {
      const source = sourceOf(watcher, resource);
      const info = source
        ? await this.commits.commitInfo(source, sha)
        : undefined;
      const repoUrl = source?.spec?.url;
      const ready = conditionOfType(resource, 'Ready');
      await store.insert({
        ...target,
        entityRef: await this.options.entities.entityRefOf(resource),
        entityRepository:
          resource.metadata.annotations?.[ANNOTATION_ENTITY_REPOSITORY],
        environment: environmentOf(resource),
        method: 'gitops-git',
        status: 'succeeded',
        reason: ready?.reason,
        message: ready?.message,
        revision: resource.status?.lastAppliedRevision,
        commitSha: sha,
        commitMessage: info?.message,
        commitAuthor: info?.author,
        commitUrl: repoUrl
          ? this.options.repos.commitLink(repoUrl, sha)
          : undefined,
        triggeredBy: info ? `git:${info.author}` : 'git',
        finishedAt: ready?.lastTransitionTime,
      });
    }
    this.seenRevisions.add(key);
  }

  /** manual: spec changes to Flux-applied workloads by other managers. */
  private async recordManualEdits(watcher: ClusterWatcher) {
    for (const workload of watcher.workloads()) {
      const labels = workload.metadata.labels ?? {};
      const owner = labels['kustomize.toolkit.fluxcd.io/name'];
      const ownerNamespace = labels['kustomize.toolkit.fluxcd.io/namespace'];
      if (!owner || !ownerNamespace) {
        continue;
      }
      for (const entry of workload.metadata.specManagers ?? []) {
        if (KNOWN_MANAGERS.has(entry.manager) || !entry.time) {
          continue;
        }
        const key = `${workload.metadata.uid}:${entry.manager}:${entry.time}`;
        if (this.seenEdits.has(key)) {
          continue;
        }
        await this.isolated(
          `${workload.kind} ${workload.metadata.namespace}/${workload.metadata.name} on ${watcher.cluster.name}`,
          async () => {
            await this.recordEdit(
              watcher,
              workload,
              owner,
              ownerNamespace,
              entry,
              key,
            );
            this.seenEdits.add(key);
          },
        );
      }
    }
  }

  private async recordEdit(
    watcher: ClusterWatcher,
    workload: WatchedWorkload,
    owner: string,
    ownerNamespace: string,
    entry: { manager: string; operation: string; time?: string },
    key: string,
  ) {
    const kustomization = watcher.get('Kustomization', ownerNamespace, owner);
    await this.options.store.insert({
      cluster: watcher.cluster.name,
      namespace: ownerNamespace,
      kustomization: owner,
      entityRef: kustomization
        ? await this.options.entities.entityRefOf(kustomization)
        : undefined,
      entityRepository:
        kustomization?.metadata.annotations?.[ANNOTATION_ENTITY_REPOSITORY],
      environment: kustomization ? environmentOf(kustomization) : 'unknown',
      method: 'manual',
      status: 'succeeded',
      triggeredBy: `field manager ${entry.manager}`,
      message: `${workload.kind} ${workload.metadata.namespace}/${workload.metadata.name} changed outside Git (${entry.operation} by ${entry.manager}); Flux reverts it at the next reconcile unless the environment is suspended`,
      details: {
        workload: `${workload.kind}/${workload.metadata.name}`,
        manager: entry.manager,
        images: workload.spec?.images,
      },
      externalKey: key,
      finishedAt: entry.time,
    });
  }

  /** Deploys whose replica stopped in the middle of their push. */
  private async settleStoppedPushes() {
    const { status } = this.options;
    for (const push of await this.stoppedPushes.stopped()) {
      const watcher = status.watchers.find(
        w => w.cluster.name === push.deploy.cluster,
      );
      if (!watcher || watcher.health().state !== 'ok') {
        continue;
      }
      await this.isolated(`deploy ${push.deploy.id}`, () =>
        this.stoppedPushes.settle(watcher, push),
      );
    }
  }

  /** pending → progressing → succeeded / failed, from Flux's status. */
  private async progressOpenDeploys() {
    const { store, status } = this.options;
    const open = await store.list({
      status: ['pending', 'progressing'],
      limit: 500,
    });
    for (const deploy of open) {
      const watcher = status.watchers.find(
        w => w.cluster.name === deploy.cluster,
      );
      if (!watcher || watcher.health().state !== 'ok') {
        continue;
      }
      await this.isolated(`deploy ${deploy.id}`, () =>
        this.progress.advance(watcher, deploy),
      );
    }
  }
}

function targetOf(watcher: ClusterWatcher, resource: FluxResource) {
  return {
    cluster: watcher.cluster.name,
    namespace: resource.metadata.namespace ?? '',
    kustomization: resource.metadata.name,
  };
}

function isReady(resource: FluxResource) {
  return conditionOfType(resource, 'Ready')?.status === 'True';
}

function environmentOf(resource: FluxResource) {
  return (
    resource.metadata.labels?.[LABEL_ENVIRONMENT] ?? resource.metadata.name
  );
}
