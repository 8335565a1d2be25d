import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { DeployStore } from './DeployStore';
import { SourceCommits, sourceOf } from './SourceCommits';

/**
 * Deploys a replica recorded and began to push, and then stopped before
 * the push ended (killed, its node lost): no request is left to answer and
 * the row would wait for the tracker's timeout, which blames Flux. The
 * next tracker run, on any replica, looks the commit up on the branch: if
 * it is there the deploy is tracked as usual, if not it failed and nothing
 * was deployed.
 */
export class StoppedPushes {
  constructor(
    private readonly options: { store: DeployStore; commits: SourceCommits },
  ) {}

  /** Deploys to settle: their replica has been silent since `silentSince`. */
  list(silentSince: Date): Promise<DeployRecord[]> {
    return this.options.store.pushesOfStoppedReplicas(silentSince);
  }

  async settle(watcher: ClusterWatcher, deploy: DeployRecord): Promise<void> {
    const { store, commits } = this.options;
    const resource = watcher.get(
      'Kustomization',
      deploy.namespace,
      deploy.kustomization,
    );
    const source = resource && sourceOf(watcher, resource);
    const sha = deploy.commitSha;
    if (!source || !sha) {
      // Nothing to look it up in: the tracker's timeout ends it.
      return;
    }
    if (await commits.isPushed(source, sha)) {
      await store.update(deploy.id, ['pending'], { pushingReplica: null });
      return;
    }
    await store.update(deploy.id, ['pending'], {
      status: 'failed',
      reason: 'PortalStopped',
      message: `the portal replica that committed ${sha.slice(
        0,
        7,
      )} stopped before its push ended; nothing was pushed, deploy again`,
      finishedAt: new Date().toISOString(),
      pushingReplica: null,
    });
  }
}
