import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  FluxActionResult,
  FluxResource,
  RECONCILE_REQUESTED_AT_ANNOTATION,
} from '@gitops-backstage/plugin-gitops-common';
import {
  describeKubernetesError,
  isClusterUnreachable,
  GITOPS_FIELD_MANAGER,
} from '@gitops-backstage/plugin-gitops-node';
import { ClusterClients } from '../cluster/ClusterClients';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxStatusService } from '../status/FluxStatusService';

const REQUESTED_AT = RECONCILE_REQUESTED_AT_ANNOTATION;
export const ANNOTATION_SUSPENDED_BY = 'gitops.backstage.io/suspended-by';
export const ANNOTATION_SUSPEND_REASON = 'gitops.backstage.io/suspend-reason';
export const ANNOTATION_SUSPENDED_AT = 'gitops.backstage.io/suspended-at';
export const ANNOTATION_RESUMED_BY = 'gitops.backstage.io/resumed-by';

/**
 * Reconcile, suspend and resume with the Flux CLI's protocol: merge patches
 * of the requestedAt annotation and of spec.suspend.
 */
export class FluxActions {
  constructor(
    private readonly status: FluxStatusService,
    private readonly clients: ClusterClients,
    private readonly options: { handleTimeoutMs?: number } = {},
  ) {}

  async reconcile(
    watcher: ClusterWatcher,
    resource: FluxResource,
    options: { withSource?: boolean },
  ): Promise<FluxActionResult> {
    if (resource.spec?.suspend) {
      throw new ConflictError(
        `${describe(resource)} is suspended; resume it before reconciling`,
      );
    }
    if (options.withSource) {
      const source = watcher.sourceOf(resource);
      if (!source) {
        throw new InputError(
          `${describe(resource)} has no source to reconcile`,
        );
      }
      const handled = await this.requestAndWait(watcher, source);
      if (!handled) {
        return {
          handled,
          status: this.status.status(watcher, this.current(watcher, source)),
        };
      }
    }
    const handled = await this.requestAndWait(watcher, resource);
    return {
      handled,
      status: this.status.status(watcher, this.current(watcher, resource)),
    };
  }

  async setSuspended(
    watcher: ClusterWatcher,
    resource: FluxResource,
    suspend: boolean,
    who: string,
    reason?: string,
  ): Promise<FluxActionResult> {
    const annotations = suspend
      ? {
          [ANNOTATION_SUSPENDED_BY]: who,
          [ANNOTATION_SUSPEND_REASON]: reason ?? '',
          [ANNOTATION_SUSPENDED_AT]: new Date().toISOString(),
          [ANNOTATION_RESUMED_BY]: null,
        }
      : {
          [ANNOTATION_SUSPENDED_BY]: null,
          [ANNOTATION_SUSPEND_REASON]: null,
          [ANNOTATION_SUSPENDED_AT]: null,
          [ANNOTATION_RESUMED_BY]: who,
          // Like `flux resume`: reconcile right away.
          [REQUESTED_AT]: new Date().toISOString(),
        };
    const patched = await this.patch(watcher, resource, {
      metadata: { annotations },
      spec: { suspend },
    });
    // Answer with the object as patched, without waiting for the watch.
    return { handled: true, status: this.status.status(watcher, patched) };
  }

  private current(
    watcher: ClusterWatcher,
    resource: FluxResource,
  ): FluxResource {
    return (
      watcher.get(
        resource.kind,
        resource.metadata.namespace ?? '',
        resource.metadata.name,
      ) ?? resource
    );
  }

  /** Asks Flux to reconcile without waiting for it. */
  async requestReconcile(
    watcher: ClusterWatcher,
    resource: FluxResource,
  ): Promise<void> {
    await this.patch(watcher, resource, {
      metadata: { annotations: { [REQUESTED_AT]: new Date().toISOString() } },
    });
  }

  /** Sets requestedAt and waits until Flux reports it handled. */
  private async requestAndWait(
    watcher: ClusterWatcher,
    resource: FluxResource,
  ): Promise<boolean> {
    const requestedAt = new Date().toISOString();
    await this.patch(watcher, resource, {
      metadata: { annotations: { [REQUESTED_AT]: requestedAt } },
    });
    const deadline = Date.now() + (this.options.handleTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const current = this.current(watcher, resource);
      if (current.status?.lastHandledReconcileAt === requestedAt) {
        return true;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return false;
  }

  private async patch(
    watcher: ClusterWatcher,
    resource: FluxResource,
    patch: {
      metadata?: Record<string, unknown>;
      spec?: Record<string, unknown>;
    },
  ): Promise<FluxResource> {
    try {
      return (await this.clients.get(watcher.cluster.name).mergePatch(
        {
          apiVersion: resource.apiVersion,
          kind: resource.kind,
          name: resource.metadata.name,
          namespace: resource.metadata.namespace,
        },
        patch,
        GITOPS_FIELD_MANAGER,
      )) as FluxResource;
    } catch (error) {
      const message = `patching ${describe(resource)} on cluster ${
        watcher.cluster.name
      }: ${describeKubernetesError(error)}`;
      // Not the portal's fault: the client may try again later.
      throw isClusterUnreachable(error)
        ? new ServiceUnavailableError(message)
        : new Error(message);
    }
  }
}

function describe(resource: FluxResource): string {
  return `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
}
