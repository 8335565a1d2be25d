import fs from 'node:fs';
import {
  FailureFacts,
  FluxResource,
  referencesOf,
} from '@gitops-backstage/plugin-gitops-common';
import { FluxObject, TestCluster } from '../stack/kube';
import { repoPath } from '../stack/stackEnv';
import { apiVersionOf } from './scenarios';

const coreKinds: Record<string, string> = {
  Secret: 'v1',
  ConfigMap: 'v1',
  ServiceAccount: 'v1',
};

/**
 * Checks each object the Flux object refers to against the cluster, reads
 * the Flux controllers' Deployments and the object's Events: the facts the
 * classifier is given besides the object itself.
 */
export async function gatherFacts(
  cluster: TestCluster,
  fluxNamespace: string,
  object: FluxObject,
): Promise<FailureFacts> {
  const resource = object as unknown as FluxResource;
  const references = await Promise.all(
    referencesOf(resource).map(async ref => {
      const apiVersion = coreKinds[ref.kind] ?? apiVersionOf[ref.kind];
      if (!apiVersion) {
        return { ...ref, exists: true };
      }
      try {
        const found = await cluster.read<FluxObject>(
          apiVersion,
          ref.kind,
          ref.namespace,
          ref.name,
        );
        const ready = found.status?.conditions?.find(c => c.type === 'Ready');
        return {
          ...ref,
          exists: true,
          ...(apiVersionOf[ref.kind] && {
            ready: ready
              ? {
                  status: ready.status,
                  reason: ready.reason,
                  message: ready.message,
                }
              : { status: 'Unknown' },
          }),
        };
      } catch (error: any) {
        if (error?.code === 404) {
          return { ...ref, exists: false };
        }
        throw error;
      }
    }),
  );
  const deployments = await cluster.apps.listNamespacedDeployment({
    namespace: fluxNamespace,
  });
  const controllers = deployments.items.map(d => ({
    name: d.metadata!.name!,
    available:
      d.status?.conditions?.some(
        c => c.type === 'Available' && c.status === 'True',
      ) ?? false,
  }));
  const events = await cluster.core.listNamespacedEvent({
    namespace: object.metadata!.namespace!,
    fieldSelector: `involvedObject.kind=${object.kind},involvedObject.name=${
      object.metadata!.name
    }`,
  });
  return {
    references,
    controllers: controllers.sort((a, b) => a.name.localeCompare(b.name)),
    events: events.items
      .map(e => ({
        type: e.type,
        reason: e.reason,
        message: e.message,
        lastTimestamp: isoTime(
          e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp,
        ),
      }))
      .sort((a, b) =>
        (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''),
      ),
  };
}

function isoTime(time: Date | string | undefined): string | undefined {
  return time instanceof Date ? time.toISOString() : time;
}

/** The pinned component versions, as stack/versions.env says them. */
export function pinnedVersions(): Record<string, string> {
  const text = fs.readFileSync(repoPath('stack', 'versions.env'), 'utf8');
  const versions: Record<string, string> = {};
  for (const match of text.matchAll(
    /^((?:FLUX|[A-Z]+_CONTROLLER)_VERSION)=(\S+)$/gm,
  )) {
    versions[match[1]] = match[2];
  }
  return versions;
}

/** The object as the controllers left it, without server bookkeeping. */
export function withoutBookkeeping(object: FluxObject): FluxObject {
  const {
    managedFields,
    uid,
    resourceVersion,
    creationTimestamp,
    ...metadata
  } = object.metadata as any;
  return { ...object, metadata };
}
