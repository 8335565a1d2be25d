import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ApiException, KubernetesObject } from '@kubernetes/client-node';
import { clusterClient } from '../flux/clusterClient';

const CLAIM = 'gitops.backstage.io/entity-ref';

const keyOf = (object: KubernetesObject) =>
  `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;

/**
 * The one port the actions stand on in the cluster: objects read and
 * applied with server-side apply, kept in memory. `applied` lists every
 * apply, so a test can say nothing was written.
 */
export function fakeCluster(initial: KubernetesObject[] = []) {
  const objects = new Map<string, KubernetesObject>();
  const applied: string[] = [];
  const reads: string[] = [];
  let version = 1;
  for (const object of initial) {
    objects.set(keyOf(object), {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(version++) },
    });
  }
  const api = {
    async read(ref: KubernetesObject) {
      reads.push(keyOf(ref));
      const found = objects.get(keyOf(ref));
      if (!found) {
        throw new ApiException(404, 'not found', {}, {});
      }
      return structuredClone(found);
    },
    async patch(
      object: KubernetesObject,
      _pretty?: string,
      _dryRun?: string,
      fieldManager?: string,
    ) {
      const key = keyOf(object);
      applied.push(key);
      const before = objects.get(key);
      const annotations = object.metadata?.annotations ?? {};
      const next: KubernetesObject = {
        ...before,
        ...object,
        metadata: {
          ...before?.metadata,
          ...object.metadata,
          managedFields: [
            {
              manager: fieldManager,
              operation: 'Apply',
              fieldsV1: {
                'f:metadata': {
                  'f:annotations': Object.fromEntries(
                    Object.keys(annotations).map(a => [`f:${a}`, {}]),
                  ),
                },
              },
            },
          ],
        },
      };
      const comparable = (o?: KubernetesObject) =>
        JSON.stringify({
          ...o,
          metadata: { ...o?.metadata, resourceVersion: undefined },
        });
      next.metadata!.resourceVersion =
        before && comparable(before) === comparable(next)
          ? before.metadata?.resourceVersion
          : String(version++);
      objects.set(key, next);
      return structuredClone(next);
    },
  };
  return {
    objects,
    applied,
    reads,
    /** Stands in for clusterClient: the configured cluster, these objects. */
    clusterClient: (config: Config, name: string | undefined) => ({
      cluster: clusterClient(config, name).cluster,
      objects: api as any,
    }),
  };
}

/** An object as the portal applied it for `entityRef` (or someone else). */
export function claimedObject(
  object: KubernetesObject,
  entityRef?: string,
  manager = 'backstage-gitops',
): KubernetesObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      ...(entityRef
        ? {
            annotations: { [CLAIM]: entityRef },
            managedFields: [
              {
                manager,
                operation: 'Apply',
                fieldsV1: {
                  'f:metadata': { 'f:annotations': { [`f:${CLAIM}`]: {} } },
                },
              },
            ],
          }
        : {}),
    },
  };
}

export const namespace = (name: string, entityRef?: string) =>
  claimedObject(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    entityRef,
  );

/** The Git host's deploy-key API (Gitea's shape), in memory. */
export function fakeGitHost() {
  const keys: Array<{
    id: number;
    key: string;
    title: string;
    read_only: boolean;
    repo: string;
  }> = [];
  const requests: Array<{ method: string; url: string }> = [];
  let next = 1;
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({ method: init.method!, url });
    const repo = /\/repos\/([^/]+\/[^/]+)\/keys/.exec(url)?.[1] ?? '';
    if (init.method === 'GET') {
      return new Response(JSON.stringify(keys.filter(k => k.repo === repo)), {
        status: 200,
      });
    }
    if (init.method === 'POST') {
      const body = JSON.parse(String(init.body));
      const key = { id: next++, ...body, repo };
      keys.push(key);
      return new Response(JSON.stringify(key), { status: 201 });
    }
    const index = keys.findIndex(k => k.id === Number(url.split('/').pop()));
    if (index < 0) {
      return new Response('{"message":"not found"}', { status: 404 });
    }
    keys.splice(index, 1);
    return new Response(null, { status: 204 });
  }) as unknown as typeof fetch;
  return { keys, requests, fetch: fetchImpl };
}

/** A component as the catalog serves it once registered from `origin`. */
export function component(
  name: string,
  options: {
    owner?: string;
    kubernetesId?: string | null;
    origin?: string | null;
  } = {},
): Entity {
  const origin =
    options.origin === undefined
      ? `url:https://git.example.com/acme/${name}/src/branch/main/catalog-info.yaml`
      : options.origin;
  const kubernetesId =
    options.kubernetesId === undefined ? name : options.kubernetesId;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        ...(origin
          ? {
              'backstage.io/managed-by-location': origin,
              'backstage.io/managed-by-origin-location': origin,
            }
          : {}),
        ...(kubernetesId ? { 'backstage.io/kubernetes-id': kubernetesId } : {}),
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: options.owner ?? 'group:default/guests',
    },
  };
}

/**
 * The catalog as the initiator sees it; an entity in `later` shows up
 * after that many lookups (a location the catalog is still processing).
 */
export function fakeCatalog(
  entities: Entity[],
  later: { entity: Entity; afterLookups: number }[] = [],
) {
  const lookups: Array<{ ref: string; credentials: unknown }> = [];
  return {
    lookups,
    getEntityByRef: jest.fn(
      async (ref: any, options?: { credentials: BackstageCredentials }) => {
        lookups.push({ ref: String(ref), credentials: options?.credentials });
        const count = lookups.filter(l => l.ref === String(ref)).length;
        return [
          ...entities,
          ...later.filter(l => count > l.afterLookups).map(l => l.entity),
        ].find(e => stringifyEntityRef(e) === String(ref).toLowerCase());
      },
    ),
  };
}

/**
 * The app's policy for `gitops.deploy.create`: allowed on the entities in
 * `owned`, whoever asks (tests look at who asked).
 */
export function fakePermissions(owned: string[]) {
  const asked: Array<{
    permission: string;
    resourceRef?: string;
    credentials: unknown;
  }> = [];
  return {
    asked,
    authorize: jest.fn(
      async (requests: any[], options: any): Promise<any[]> =>
        requests.map(request => {
          asked.push({
            permission: request.permission.name,
            resourceRef: request.resourceRef,
            credentials: options?.credentials,
          });
          return {
            result: owned.includes(request.resourceRef)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          };
        }),
    ),
  };
}
