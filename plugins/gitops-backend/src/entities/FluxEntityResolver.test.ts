import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { FluxEntityResolver } from './FluxEntityResolver';

function component(name: string, kubernetesId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': kubernetesId },
    },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  };
}

function kustomization(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): FluxResource {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'development', namespace: 'apps', labels, annotations },
  } as FluxResource;
}

describe('FluxEntityResolver', () => {
  const resolver = new FluxEntityResolver({
    catalog: catalogServiceMock({
      entities: [
        component('shop', 'shop'),
        component('twin-a', 'twin'),
        component('twin-b', 'twin'),
      ],
    }),
    auth: mockServices.auth(),
  });

  it('prefers the entity-ref annotation the scaffolder writes', async () => {
    await expect(
      resolver.entityRefOf(
        kustomization(
          { 'backstage.io/kubernetes-id': 'shop' },
          { 'gitops.backstage.io/entity-ref': 'component:default/checkout' },
        ),
      ),
    ).resolves.toBe('component:default/checkout');
  });

  it('finds the one entity with the kubernetes-id of the label', async () => {
    await expect(
      resolver.entityRefOf(
        kustomization({ 'backstage.io/kubernetes-id': 'shop' }),
      ),
    ).resolves.toBe('component:default/shop');
  });

  it('names no entity when none or several claim the id', async () => {
    await expect(
      resolver.entityRefOf(
        kustomization({ 'backstage.io/kubernetes-id': 'nobody' }),
      ),
    ).resolves.toBeUndefined();
    await expect(
      resolver.entityRefOf(
        kustomization({ 'backstage.io/kubernetes-id': 'twin' }),
      ),
    ).resolves.toBeUndefined();
    await expect(resolver.entityRefOf(kustomization({}))).resolves.toBe(
      undefined,
    );
  });
});
