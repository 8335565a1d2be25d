import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { DeployStore, NEVER_PUSHED, PushInFlight } from './DeployStore';
import { SourceCommits, sourceOf } from './SourceCommits';

/**
 * Deploys a replica recorded and began to push, and then stopped before
 * the push ended (killed, its node lost): no request is left to answer and
 * the row would wait for the tracker's timeout, which blames Flux. The
 * tracker, on whichever replica runs it, looks the commit up on the
 * branch: if it is there the deploy is tracked as usual, if not it failed
 * and nothing was deployed.
 */
export class StoppedPushes {
  /** Each replica's heartbeat as first seen unchanged, on this clock. */
  private seen = new Map<string, { heartbeat?: string; since: number }>();

  constructor(
    private readonly options: {
      store: DeployStore;
      commits: SourceCommits;
      /** This process: its own pushes are never settled here. */
      replicaId: string;
      /** A replica whose heartbeat has not changed for this long stopped. */
      silentMs: number;
    },
  ) {}

  /**
   * Pushes whose replica left (its row is gone) or whose heartbeat this
   * process has seen unchanged for `silentMs`: silence is measured on one
   * clock, never by comparing this clock with the writer's.
   */
  async stopped(): Promise<PushInFlight[]> {
    const { store, replicaId, silentMs } = this.options;
    const now = Date.now();
    const seen = new Map<string, { heartbeat?: string; since: number }>();
    const stopped: PushInFlight[] = [];
    for (const push of await store.pushesInFlight()) {
      if (push.replica === replicaId) {
        continue;
      }
      let beat = seen.get(push.replica);
      if (!beat) {
        const before = this.seen.get(push.replica);
        beat =
          before && before.heartbeat === push.heartbeat
            ? before
            : { heartbeat: push.heartbeat, since: now };
        seen.set(push.replica, beat);
      }
      if (push.heartbeat === undefined || now - beat.since >= silentMs) {
        stopped.push(push);
      }
    }
    this.seen = seen;
    return stopped;
  }

  async settle(watcher: ClusterWatcher, push: PushInFlight): Promise<void> {
    const { store, commits } = this.options;
    const { deploy } = push;
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
    const mark = { replica: push.replica, commitSha: sha };
    if (await commits.isPushed(source, sha, branchOf(deploy.revision))) {
      await store.updatePushInFlight(deploy.id, mark, { pushingReplica: null });
      return;
    }
    await store.updatePushInFlight(deploy.id, mark, {
      status: 'failed',
      reason: NEVER_PUSHED,
      message: `the portal replica that committed ${sha.slice(
        0,
        7,
      )} stopped before its push ended; nothing was pushed, deploy again`,
      finishedAt: new Date().toISOString(),
      pushingReplica: null,
    });
  }
}

/** The branch of a `<branch>@sha1:<sha>` revision. */
function branchOf(revision: string | undefined): string | undefined {
  const at = revision?.lastIndexOf('@sha1:') ?? -1;
  return at > 0 ? revision!.slice(0, at) : undefined;
}
