import { Entity } from '@backstage/catalog-model';
import { entityLabelSelector, isGitOpsAvailable } from './labels';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop', annotations },
    spec: {},
  };
}

describe('entity linking', () => {
  it('is unavailable without annotations', () => {
    expect(isGitOpsAvailable(entity({}))).toBe(false);
    expect(entityLabelSelector(entity({}))).toBeUndefined();
  });

  it('selects by the Kubernetes plugin id', () => {
    const e = entity({ 'backstage.io/kubernetes-id': 'shop' });
    expect(isGitOpsAvailable(e)).toBe(true);
    expect(entityLabelSelector(e)).toBe('backstage.io/kubernetes-id=shop');
  });

  it('prefers an explicit label selector', () => {
    const e = entity({
      'backstage.io/kubernetes-id': 'shop',
      'gitops.backstage.io/label-selector': 'app=shop,tier!=db',
    });
    expect(entityLabelSelector(e)).toBe('app=shop,tier!=db');
  });
});
