import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_ENTITY_REPOSITORY,
  FluxResource,
} from '@gitops-backstage/plugin-gitops-common';
import { GITOPS_FIELD_MANAGER } from '@gitops-backstage/plugin-gitops-node';

const entityRefAnnotation = (entityRef?: string, entityRepository?: string) =>
  entityRef
    ? {
        annotations: {
          [ANNOTATION_ENTITY_REF]: entityRef,
          ...(entityRepository
            ? { [ANNOTATION_ENTITY_REPOSITORY]: entityRepository }
            : {}),
        },
      }
    : {};

/** managedFields naming who set a spec field, as the API server writes them. */
const managedBy = (
  manager: string,
  field: string,
): Record<string, unknown> => ({
  managedFields: [
    {
      manager,
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { [`f:${field}`]: {} } },
    },
  ],
});

/** Flux objects in the shape the controllers write them. */
export const flux = {
  kustomization(
    name: string,
    namespace: string,
    options: {
      labels?: Record<string, string>;
      /** The entity-ref annotation: the entity the object belongs to. */
      entityRef?: string;
      /** The entity-repository annotation beside it. */
      entityRepository?: string;
      ready?: 'True' | 'False';
      reason?: string;
      message?: string;
      revision?: string;
      source?: string;
      sourceNamespace?: string;
      suspend?: boolean;
      deployments?: string[];
      extraSpec?: Record<string, unknown>;
      extraStatus?: Record<string, unknown>;
      /** Who set spec.path; project initialization by default. */
      pathSetBy?: string;
    } = {},
  ): FluxResource {
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name,
        namespace,
        generation: 1,
        labels: options.labels,
        ...entityRefAnnotation(options.entityRef, options.entityRepository),
        ...managedBy(options.pathSetBy ?? GITOPS_FIELD_MANAGER, 'path'),
      },
      spec: {
        interval: '1m',
        path: `./deploy/overlays/${name}`,
        suspend: options.suspend,
        sourceRef: {
          kind: 'GitRepository',
          name: options.source ?? `${name}-repo`,
          ...(options.sourceNamespace
            ? { namespace: options.sourceNamespace }
            : {}),
        },
        ...options.extraSpec,
      },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: options.revision,
        lastAttemptedRevision: options.revision,
        conditions: [
          {
            type: 'Ready',
            status: options.ready ?? 'True',
            reason: options.reason ?? 'ReconciliationSucceeded',
            message: options.message ?? `Applied revision: ${options.revision}`,
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
        inventory: {
          entries: (options.deployments ?? []).map(d => ({
            id: `${namespace}_${d}_apps_Deployment`,
            v: 'v1',
          })),
        },
        ...options.extraStatus,
      },
    } as FluxResource;
  },

  gitRepository(
    name: string,
    namespace: string,
    options: {
      url?: string;
      branch?: string;
      labels?: Record<string, string>;
      /** The entity-ref annotation: the entity the object belongs to. */
      entityRef?: string;
      /** The entity-repository annotation beside it. */
      entityRepository?: string;
      secret?: string;
      ready?: 'True' | 'False';
      reason?: string;
      revision?: string;
      /** Who set spec.url; project initialization by default. */
      urlSetBy?: string;
    } = {},
  ): FluxResource {
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {
        name,
        namespace,
        generation: 1,
        labels: options.labels,
        ...entityRefAnnotation(options.entityRef, options.entityRepository),
        ...managedBy(options.urlSetBy ?? GITOPS_FIELD_MANAGER, 'url'),
      },
      spec: {
        interval: '1m',
        url: options.url ?? 'https://git.example.com/team/app.git',
        ref: { branch: options.branch ?? 'main' },
        ...(options.secret ? { secretRef: { name: options.secret } } : {}),
      },
      status: {
        observedGeneration: 1,
        artifact: { revision: options.revision },
        conditions: [
          {
            type: 'Ready',
            status: options.ready ?? 'True',
            reason: options.reason ?? 'Succeeded',
            message: 'stored artifact',
          },
        ],
      },
    } as FluxResource;
  },

  deployment(
    name: string,
    namespace: string,
    options: {
      containers?: Array<{ name: string; image: string; args?: string[] }>;
      labels?: Record<string, string>;
      managedFields?: any[];
      status?: Record<string, unknown>;
      replicas?: number;
      generation?: number;
    } = {},
  ) {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace,
        uid: `uid-${name}`,
        generation: options.generation ?? 1,
        labels: options.labels ?? {},
        managedFields: options.managedFields,
      },
      spec: {
        replicas: options.replicas ?? 1,
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: options.containers ?? [
              { name: 'app', image: `registry.example.com/${name}:1.0.0` },
            ],
          },
        },
      },
      status: options.status ?? {
        observedGeneration: options.generation ?? 1,
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        updatedReplicas: 1,
        conditions: [{ type: 'Available', status: 'True' }],
      },
    };
  },
};
