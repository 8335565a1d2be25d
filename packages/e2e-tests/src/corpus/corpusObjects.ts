import { KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';
import { CorpusContext, HELM_API } from './scenario';

// The objects a scenario applies in its namespace: defaults that reconcile,
// so a scenario names only the field it breaks.

export const apply = (ctx: CorpusContext, object: Record<string, unknown>) =>
  ctx.cluster.apply(object as any);

export function kustomization(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: KUSTOMIZE_API,
    kind: 'Kustomization',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      sourceRef: { kind: 'GitRepository', name: ctx.source },
      path: './deploy',
      prune: true,
      interval: '1h',
      retryInterval: '1h',
      targetNamespace: ctx.namespace,
      namePrefix: `${name}-`,
      timeout: '30s',
      ...spec,
    },
  });
}

export function helmRelease(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: HELM_API,
    kind: 'HelmRelease',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      interval: '1h',
      timeout: '20s',
      chart: {
        spec: {
          chart: './charts/hello',
          sourceRef: { kind: 'GitRepository', name: ctx.source },
        },
      },
      ...spec,
    },
  });
}

export function gitRepository(
  ctx: CorpusContext,
  name: string,
  spec: Record<string, unknown> = {},
) {
  return apply(ctx, {
    apiVersion: SOURCE_API,
    kind: 'GitRepository',
    metadata: { name, namespace: ctx.namespace },
    spec: {
      url: ctx.git.repoUrl(ctx.repo),
      ref: { branch: 'main' },
      interval: '1h',
      secretRef: { name: ctx.gitSecret },
      ...spec,
    },
  });
}

export function source(
  ctx: CorpusContext,
  kind: string,
  name: string,
  spec: Record<string, unknown>,
) {
  return apply(ctx, {
    apiVersion: SOURCE_API,
    kind,
    metadata: { name, namespace: ctx.namespace },
    spec: { interval: '1h', ...spec },
  });
}

export function secret(
  ctx: CorpusContext,
  name: string,
  stringData: Record<string, string>,
  type?: string,
) {
  return apply(ctx, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ctx.namespace },
    type,
    stringData,
  });
}
