import {
  DeployRecord,
  fluxProgress,
  FluxResource,
  revisionSha,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { DeployStore } from './DeployStore';
import { SourceCommits, sourceOf } from './SourceCommits';

/** pending → progressing → succeeded / failed, from Flux's status. */
export class DeployProgress {
  constructor(
    private readonly options: {
      store: DeployStore;
      commits: SourceCommits;
      /** A deploy Flux has not applied within this time failed. */
      timeoutMs?: number;
    },
  ) {}

  /** Moves one open deploy on, if its cluster says it has moved. */
  async advance(watcher: ClusterWatcher, deploy: DeployRecord) {
    const resource = watcher.get(
      'Kustomization',
      deploy.namespace,
      deploy.kustomization,
    );
    if (deploy.method === 'manual') {
      await this.advanceManual(watcher, deploy);
      return;
    }
    if (resource) {
      await this.advanceGitDeploy(watcher, resource, deploy);
    }
    await this.failIfTimedOut(deploy);
  }

  private async advanceGitDeploy(
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
      (later && (await this.options.commits.isAncestor(source, sha, later)))
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

  private async advanceManual(watcher: ClusterWatcher, deploy: DeployRecord) {
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
}
