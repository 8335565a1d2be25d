import { KUSTOMIZE_API } from '../stack/fluxPair';
import { helmRelease, kustomization } from './corpusObjects';
import { reasonIs, waitReady } from './readiness';
import { Scenario } from './scenario';
import { controlComponent } from './stackControl';

/** Stops a Flux controller; returns what starts it again. */
async function stopComponent(name: string): Promise<() => Promise<void>> {
  await controlComponent('stop', name);
  return () => controlComponent('start', name);
}

/**
 * A Flux controller stopped: each breaks the whole cluster, so they run one
 * at a time, after the others.
 */
export const clusterWideScenarios: Scenario[] = [
  {
    name: 'ks-kustomize-controller-stopped',
    kind: 'Kustomization',
    description:
      'kustomize-controller is stopped: a new Kustomization stays unreconciled',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/kustomize-controller',
    },
    provoke: ctx => kustomization(ctx, 'ks-kustomize-controller-stopped'),
    settled: o => !o.status?.conditions?.length,
    clusterWide: { breakCluster: () => stopComponent('kustomize-controller') },
  },
  {
    name: 'hr-helm-controller-stopped',
    kind: 'HelmRelease',
    description:
      'helm-controller is stopped: a new HelmRelease stays unreconciled',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/helm-controller',
    },
    provoke: ctx => helmRelease(ctx, 'hr-helm-controller-stopped'),
    settled: o => !o.status?.conditions?.length,
    clusterWide: { breakCluster: () => stopComponent('helm-controller') },
  },
  {
    name: 'ks-source-controller-stopped',
    kind: 'Kustomization',
    description:
      'source-controller (the artifact server) is stopped while a Kustomization reconciles',
    expected: {
      code: 'CONTROLLER_UNHEALTHY',
      reference: 'Deployment/source-controller',
    },
    prepare: async ctx => {
      await kustomization(ctx, 'ks-source-controller-stopped');
      await waitReady(ctx, 'Kustomization', 'ks-source-controller-stopped');
    },
    provoke: async ctx => {
      await ctx.cluster.mergePatch(
        KUSTOMIZE_API,
        'Kustomization',
        ctx.namespace,
        'ks-source-controller-stopped',
        {
          metadata: {
            annotations: {
              'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
            },
          },
        },
      );
    },
    settled: reasonIs('ArtifactFailed'),
    clusterWide: { breakCluster: () => stopComponent('source-controller') },
  },
];

/**
 * Captured right after source-controller is back: the Kustomization still
 * shows the failed download while every controller is Available again, as
 * after a passing network fault.
 */
export const artifactAfterRecovery: Omit<Scenario, 'provoke'> = {
  name: 'ks-artifact-download-failed',
  kind: 'Kustomization',
  description:
    'the artifact download failed (source-controller unreachable); the controllers are Available again',
  expected: { code: 'ARTIFACT_UNREACHABLE' },
};
