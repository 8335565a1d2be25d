import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  classifyFluxFailure,
  FluxResource,
  syncState,
} from '@gitops-backstage/plugin-gitops-common';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { FluxEntityResolver } from '../entities/FluxEntityResolver';

/**
 * Tells an entity's owners when one of its Flux objects starts failing and
 * when it recovers. Driven by the watch; objects that were already failing
 * when the backend started are not announced.
 */
export class FailureNotifier {
  /** Failing objects, and whether their owners were told. */
  private readonly failing = new Map<string, boolean>();

  constructor(
    private readonly deps: {
      notifications: NotificationService;
      entities: FluxEntityResolver;
      logger: LoggerService;
    },
  ) {}

  watch(watcher: ClusterWatcher): () => void {
    return watcher.onChange(resource => {
      const announce = watcher.health().state === 'ok';
      this.observe(watcher.cluster.name, resource, announce).catch(error =>
        this.deps.logger.warn(`GitOps failure notification failed: ${error}`),
      );
    });
  }

  /** Exposed for tests: one change of one object. */
  async observe(
    cluster: string,
    resource: FluxResource,
    announce: boolean,
  ): Promise<void> {
    if (
      ![
        'Kustomization',
        'HelmRelease',
        'GitRepository',
        'OCIRepository',
        'HelmRepository',
      ].includes(resource.kind)
    ) {
      return;
    }
    const key = `${cluster}/${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
    const state = syncState(resource);
    if (state === 'Failed' && !this.failing.has(key)) {
      this.failing.set(key, announce);
      if (announce) {
        await this.send(cluster, resource, key, 'failed');
      }
    } else if (state === 'Ready' && this.failing.has(key)) {
      const told = this.failing.get(key);
      this.failing.delete(key);
      if (announce && told) {
        await this.send(cluster, resource, key, 'recovered');
      }
    } else if (state === 'Suspended') {
      this.failing.delete(key);
    }
  }

  private async send(
    cluster: string,
    resource: FluxResource,
    key: string,
    change: 'failed' | 'recovered',
  ) {
    const entityRef = await this.deps.entities.entityRefOf(resource);
    if (!entityRef) {
      return;
    }
    const ready = resource.status?.conditions?.find(c => c.type === 'Ready');
    const name = `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
    const { kind, namespace, name: entityName } = parseEntityRef(entityRef);
    const link = `/catalog/${namespace}/${kind.toLocaleLowerCase(
      'en-US',
    )}/${entityName}/gitops`;
    if (change === 'failed') {
      const { code, cause } = classifyFluxFailure({
        kind: resource.kind,
        reason: ready?.reason,
        message: ready?.message,
      });
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: `${code}: ${name} is failing in ${cluster}`,
          description: `${cause} Flux says: ${ready?.reason ?? ''} ${(
            ready?.message ?? ''
          ).trim()}`.slice(0, 1000),
          link,
          severity: 'high',
          topic: 'gitops',
          scope: `gitops:${key}`,
        },
      });
    } else {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef },
        payload: {
          title: `Recovered: ${name} is Ready in ${cluster}`,
          description: (ready?.message ?? '').trim().slice(0, 1000),
          link,
          severity: 'normal',
          topic: 'gitops',
          scope: `gitops:${key}`,
        },
      });
    }
  }
}
