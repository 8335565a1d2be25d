import { referencesOf } from './references';

describe('referencesOf', () => {
  it('lists what a Kustomization refers to, source first, optional ones marked', () => {
    const refs = referencesOf({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'shop', namespace: 'apps' },
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'shop', namespace: 'flux' },
        decryption: { provider: 'sops', secretRef: { name: 'sops-age' } },
        postBuild: {
          substituteFrom: [
            { kind: 'ConfigMap', name: 'vars' },
            { kind: 'Secret', name: 'secret-vars', optional: true },
          ],
        },
        kubeConfig: { secretRef: { name: 'remote' } },
        serviceAccountName: 'deployer',
        dependsOn: [{ name: 'infra', namespace: 'platform' }],
      },
    });
    expect(
      refs.map(
        r =>
          `${r.field} ${r.kind} ${r.namespace}/${r.name}${
            r.optional ? ' optional' : ''
          }`,
      ),
    ).toEqual([
      'spec.sourceRef GitRepository flux/shop',
      'spec.decryption.secretRef Secret apps/sops-age',
      'spec.postBuild.substituteFrom[0] ConfigMap apps/vars',
      'spec.postBuild.substituteFrom[1] Secret apps/secret-vars optional',
      'spec.kubeConfig.secretRef Secret apps/remote',
      'spec.serviceAccountName ServiceAccount apps/deployer',
      'spec.dependsOn[0] Kustomization platform/infra',
    ]);
  });

  it('lists a HelmRelease chart source and values, and a source’s Secrets', () => {
    expect(
      referencesOf({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'web', namespace: 'apps' },
        spec: {
          chart: {
            spec: {
              chart: 'web',
              sourceRef: { kind: 'HelmRepository', name: 'charts' },
            },
          },
          valuesFrom: [{ kind: 'Secret', name: 'web-values' }],
        },
      }).map(r => `${r.field} ${r.kind}/${r.name}`),
    ).toEqual([
      'spec.chart.spec.sourceRef HelmRepository/charts',
      'spec.valuesFrom[0] Secret/web-values',
    ]);
    expect(
      referencesOf({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: { name: 'app', namespace: 'apps' },
        spec: { secretRef: { name: 'pull' }, certSecretRef: { name: 'ca' } },
      }).map(r => `${r.field} ${r.kind}/${r.name}`),
    ).toEqual(['spec.secretRef Secret/pull', 'spec.certSecretRef Secret/ca']);
  });
});
