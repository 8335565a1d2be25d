import { mockCredentials } from '@backstage/backend-test-utils';
import { EntityLookupCache } from './EntityLookupCache';

describe('EntityLookupCache', () => {
  const entity = {
    apiVersion: 'v1',
    kind: 'Component',
    metadata: { name: 'shop' },
  };

  it('asks the catalog once per caller and entity within a few seconds', async () => {
    const getEntityByRef = jest.fn(async () => entity);
    const cache = new EntityLookupCache({ getEntityByRef } as any);
    const alice = mockCredentials.user('user:default/alice');
    const bob = mockCredentials.user('user:default/bob');
    await cache.getEntity('component:default/shop', alice);
    await cache.getEntity('component:default/shop', alice);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    // Another caller is asked with their own rights.
    await cache.getEntity('component:default/shop', bob);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    expect(getEntityByRef).toHaveBeenLastCalledWith('component:default/shop', {
      credentials: bob,
    });
  });

  it('never remembers an entity the catalog did not return', async () => {
    const getEntityByRef = jest.fn(async () => undefined);
    const cache = new EntityLookupCache({ getEntityByRef } as any);
    const alice = mockCredentials.user('user:default/alice');
    expect(await cache.getEntity('component:default/x', alice)).toBeUndefined();
    await cache.getEntity('component:default/x', alice);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
  });
});
