import { isResourcePermission } from '@backstage/plugin-permission-common';
import { gitopsPermissions } from './permissions';

describe('gitopsPermissions', () => {
  it('names each permission once, under the gitops prefix', () => {
    const names = gitopsPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^gitops(\.[a-z-]+){2,3}$/);
    }
  });

  it('rules entity actions by the catalog entity, so policies can check ownership', () => {
    const entityScoped = gitopsPermissions.filter(p =>
      isResourcePermission(p, 'catalog-entity'),
    );
    expect(entityScoped.map(p => p.name).sort()).toEqual([
      'gitops.deploy.create',
      'gitops.deploy.manual',
      'gitops.deploy.rollback',
      'gitops.flux.reconcile',
      'gitops.flux.suspend',
    ]);
  });
});
