import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  FluxResource,
  GITOPS_SIGNAL_CHANNEL,
  GitOpsChangeSignal,
  LABEL_KUBERNETES_ID,
} from '@gitops-backstage/plugin-gitops-common';

// Changes arriving together (a reconcile touches several objects) go out
// as one signal.
const SIGNAL_BATCH_MS = 150;

/**
 * Tells open GitOps tabs which kubernetes-ids changed, so they reload: one
 * broadcast per batch of changes, naming each change so that a page hearing
 * it from several replicas answers it once.
 */
export class ChangeSignals {
  private pending = new Set<string>();
  private pendingChanges = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
    private readonly batchMs = SIGNAL_BATCH_MS,
  ) {}

  /**
   * Notes a changed object; it goes out with the next batch, for the
   * entity of `about` (a workload's change is its applier's).
   */
  announce(resource: FluxResource, about: FluxResource = resource): void {
    const id = about.metadata.labels?.[LABEL_KUBERNETES_ID];
    if (id) {
      this.pending.add(id);
      const { uid, resourceVersion } = resource.metadata;
      if (uid && resourceVersion) {
        this.pendingChanges.add(`${uid}@${resourceVersion}`);
      }
      this.timer ??= setTimeout(() => this.flush(), this.batchMs);
    }
  }

  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
  }

  private flush() {
    this.timer = undefined;
    const message: GitOpsChangeSignal = {
      kubernetesIds: [...this.pending],
      changes: [...this.pendingChanges],
    };
    this.pending = new Set();
    this.pendingChanges = new Set();
    this.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: GITOPS_SIGNAL_CHANNEL,
        message: message as any,
      })
      .catch(error =>
        this.logger.warn(`publishing GitOps signal failed: ${error}`),
      );
  }
}
