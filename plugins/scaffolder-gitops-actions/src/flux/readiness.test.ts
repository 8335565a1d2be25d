import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { assessReadiness } from './readiness';

const sha = '4f0c2b1e9a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b';

function kustomization(
  status: FluxResource['status'],
  generation = 1,
): FluxResource {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'app', namespace: 'ns', generation },
    spec: { sourceRef: { kind: 'GitRepository', name: 'app' } },
    status,
  };
}

describe('assessReadiness', () => {
  it('is ready when Ready=True at the wanted revision', () => {
    const k = kustomization({
      observedGeneration: 1,
      lastAppliedRevision: `main@sha1:${sha}`,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: main@sha1:${sha}`,
        },
      ],
    });
    expect(assessReadiness(k, undefined, sha.slice(0, 7)).state).toBe('ready');
    expect(assessReadiness(k, undefined, 'abcdef0').state).toBe('waiting');
  });

  it('fails at once on a build failure of the wanted revision', () => {
    const k = kustomization({
      observedGeneration: 1,
      lastAttemptedRevision: `main@sha1:${sha}`,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'BuildFailed',
          message:
            'kustomize build failed: yaml: line 3: mapping values are not allowed in this context',
        },
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'ProgressingWithRetry',
          message: '',
        },
      ],
    });
    expect(assessReadiness(k, undefined, sha)).toMatchObject({
      state: 'failed',
      reason: 'BuildFailed',
      code: 'YAML_INVALID',
    });
  });

  it('reports the source when the Git fetch fails', () => {
    const k = kustomization({
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ArtifactFailed',
          message: 'Source artifact not found, retrying in 30s',
        },
      ],
    });
    const source: FluxResource = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'app', namespace: 'ns' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'GitOperationFailed',
            message:
              "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:3300/gitops/app.git': authentication required: Failed to authenticate user\n",
          },
        ],
      },
    };
    expect(assessReadiness(k, source, sha)).toMatchObject({
      state: 'failed',
      kind: 'GitRepository',
      name: 'ns/app',
      code: 'GIT_AUTH_FAILED',
    });
  });

  it('keeps waiting for a dependency and for a new generation', () => {
    expect(
      assessReadiness(
        kustomization({
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'DependencyNotReady',
              message: "dependency 'ns/db' is not ready",
            },
          ],
        }),
        undefined,
        sha,
      ).state,
    ).toBe('waiting');
    expect(
      assessReadiness(
        kustomization(
          {
            observedGeneration: 1,
            lastAppliedRevision: `main@sha1:${sha}`,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ReconciliationSucceeded',
              },
            ],
          },
          2,
        ),
        undefined,
        sha,
      ).state,
    ).toBe('waiting');
  });
});
