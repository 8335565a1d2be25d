import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ENTITY_REPOSITORY,
  conditionOfType,
  DeployRecord,
  fluxProgress,
  FluxResource,
  LABEL_ENVIRONMENT,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';
import { GITOPS_FIELD_MANAGER } from '@gitops-backstage/plugin-gitops-node';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { WatchedWorkload } from '../cluster/projection';
import { FluxEntityResolver } from '../entities/FluxEntityResolver';
import { FluxStatusService } from '../status/FluxStatusService';
import { DeployStore } from './DeployStore';
import { setByPortal } from './environmentContext';
import { CommitInfo, LocalRepo } from './GitWorkspace';
import { OverlayRepos } from './overlayRepo';
import { MANUAL_FIELD_MANAGER } from './ManualDeployService';

/** Field managers that are Flux, Kubernetes itself, or us. */
const KNOWN_MANAGERS = new Set([
  'kustomize-controller',
  'helm-controller',
  'kube-controller-manager',
  'kube-scheduler',
  GITOPS_FIELD_MANAGER,
  MANUAL_FIELD_MANAGER,
]);

/** The tracker asks again next run rather than wait behind deploys. */
class RepositoryBusyError extends Error {
  constructor(repoUrl: string) {
    super(`${repoUrl} is busy with deploys`);
  }
}

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
}

/**
 * Background work of the deploy history, run by the scheduler on every
 * replica: moves deploys from pending to succeeded or failed as Flux
 * reports, records revisions Flux applied that no one reported (gitops-git),
 * and spec changes by other field managers (manual). Every write is
 * conditional or unique, so replicas running it at once agree.
 */
export class DeployTracker {
  private readonly seenRevisions = new Set<string>();
  private readonly seenEdits = new Set<string>();
  private readonly ancestry = new Map<string, boolean>();

  constructor(private readonly options: DeployTrackerOptions) {}

  async run(): Promise<void> {
    const { status, logger } = this.options;
    const started = Date.now();
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
      const info = source ? await this.commitInfo(source, sha) : undefined;
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
        this.progressDeploy(watcher, deploy),
      );
    }
  }

  private async progressDeploy(watcher: ClusterWatcher, deploy: DeployRecord) {
    const resource = watcher.get(
      'Kustomization',
      deploy.namespace,
      deploy.kustomization,
    );
    if (deploy.method === 'manual') {
      await this.progressManual(watcher, deploy);
      return;
    }
    if (resource) {
      await this.progressGitDeploy(watcher, resource, deploy);
    }
    await this.failIfTimedOut(deploy);
  }

  private async progressGitDeploy(
    watcher: ClusterWatcher,
    resource: FluxResource,
    deploy: DeployRecord,
  ) {
    const { store } = this.options;
    const sha = deploy.commitSha!;
    const now = new Date().toISOString();
    const source = sourceOf(watcher, resource);
    // The source is not consulted: a fetch Flux tries again is no failure
    // of this deploy until its timeout.
    const progress = fluxProgress(resource, { revision: sha });
    const laterRevision =
      progress.state === 'ready-elsewhere' ? progress.revision : undefined;
    const later = revisionSha(laterRevision);
    if (
      progress.state === 'applied' ||
      (later && (await this.isAncestor(source, sha, later)))
    ) {
      await store.update(deploy.id, ['pending', 'progressing'], {
        status: 'succeeded',
        reason: progress.reason,
        message: later
          ? `applied with ${laterRevision}: ${progress.message}`
          : progress.message,
        finishedAt: now,
      });
      return;
    }
    if (progress.state === 'failed') {
      await store.update(deploy.id, ['pending', 'progressing'], {
        status: 'failed',
        reason: progress.reason,
        message: progress.message,
        finishedAt: now,
      });
      return;
    }
    const attempted = revisionSha(resource.status?.lastAttemptedRevision);
    const fetched = revisionSha(source?.status?.artifact?.revision);
    if (deploy.status === 'pending' && (attempted === sha || fetched === sha)) {
      await store.update(deploy.id, ['pending'], {
        status: 'progressing',
        message: `Flux fetched ${sha.slice(0, 7)} and applies it`,
      });
    }
  }

  private async progressManual(watcher: ClusterWatcher, deploy: DeployRecord) {
    const details = deploy.details as
      | { deployment?: string; namespace?: string }
      | undefined;
    const workload =
      details?.deployment && details.namespace
        ? watcher.workload('Deployment', details.namespace, details.deployment)
        : undefined;
    if (!workload) {
      return;
    }
    const s = workload.status ?? {};
    const desired = workload.spec?.replicas ?? 1;
    const rolledOut =
      (s.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0) &&
      (s.updatedReplicas ?? 0) >= desired &&
      (s.availableReplicas ?? 0) >= desired;
    const stuck = s.conditions?.find(
      c => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    );
    if (rolledOut || stuck) {
      await this.options.store.update(deploy.id, ['progressing', 'pending'], {
        status: stuck ? 'failed' : 'succeeded',
        reason: stuck ? 'ProgressDeadlineExceeded' : 'RolledOut',
        finishedAt: new Date().toISOString(),
      });
    }
  }

  private async failIfTimedOut(deploy: DeployRecord) {
    const timeoutMs = this.options.timeoutMs ?? 10 * 60_000;
    if (Date.now() - Date.parse(deploy.createdAt) > timeoutMs) {
      await this.options.store.update(deploy.id, ['pending', 'progressing'], {
        status: 'failed',
        reason: 'Timeout',
        message: `Flux did not apply ${deploy.commitSha?.slice(
          0,
          7,
        )} within ${Math.round(timeoutMs / 60_000)} minutes`,
        finishedAt: new Date().toISOString(),
      });
    }
  }

  private async isAncestor(
    source: FluxResource | undefined,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const key = `${ancestor}..${descendant}`;
    const known = this.ancestry.get(key);
    if (known !== undefined || !source?.spec?.url) {
      return known ?? false;
    }
    const branch = source.spec.ref?.branch ?? 'master';
    const answer = await this.withRepo(source, async repo =>
      (await repo.ensureCommit(descendant, branch)) &&
      (await repo.ensureCommit(ancestor, branch))
        ? repo.isAncestor(ancestor, descendant)
        : undefined,
    ).catch(() => undefined);
    // Only an answer about two commits at hand is kept: a fetch that failed
    // (a busy clone, the host away) may succeed at the next tick, and a
    // "no" remembered from it would time the deploy out.
    if (answer !== undefined) {
      this.ancestry.set(key, answer);
    }
    return answer ?? false;
  }

  private async commitInfo(
    source: FluxResource,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    const branch = source.spec?.ref?.branch ?? 'master';
    return this.withRepo(source, async repo =>
      (await repo.ensureCommit(sha, branch)) ? repo.commitInfo(sha) : undefined,
    ).catch(error => {
      if (error instanceof RepositoryBusyError) {
        throw error;
      }
      this.options.logger.warn(
        `reading commit ${sha.slice(0, 7)} of ${source.spec?.url}: ${error}`,
      );
      return undefined;
    });
  }

  private async withRepo<T>(
    source: FluxResource,
    work: (repo: LocalRepo) => Promise<T>,
  ): Promise<T> {
    // Read with the portal's credentials only where the portal pointed the
    // source: a URL a tenant rewrote may name another team's repository.
    if (!setByPortal(source, 'spec.url')) {
      throw new Error(
        `the URL of GitRepository ${source.metadata.namespace}/${source.metadata.name} was not set by the portal; not read with its credentials`,
      );
    }
    // A burst of deploys queues on the repository's clone; waiting behind
    // it would hold every other deploy's progress. Asked again next run.
    if (this.options.repos.isBusy(String(source.spec?.url))) {
      throw new RepositoryBusyError(String(source.spec?.url));
    }
    return this.options.repos.withRepo(
      // Commit details for the history only; nothing is written.
      { repoUrl: String(source.spec?.url), registeredRepository: null },
      work,
    );
  }
}

function targetOf(watcher: ClusterWatcher, resource: FluxResource) {
  return {
    cluster: watcher.cluster.name,
    namespace: resource.metadata.namespace ?? '',
    kustomization: resource.metadata.name,
  };
}

/** The GitRepository a Kustomization reads: commits are looked up there. */
function sourceOf(watcher: ClusterWatcher, resource: FluxResource) {
  const source = watcher.sourceOf(resource);
  return source?.kind === 'GitRepository' ? source : undefined;
}

function isReady(resource: FluxResource) {
  return conditionOfType(resource, 'Ready')?.status === 'True';
}

function environmentOf(resource: FluxResource) {
  return (
    resource.metadata.labels?.[LABEL_ENVIRONMENT] ?? resource.metadata.name
  );
}
