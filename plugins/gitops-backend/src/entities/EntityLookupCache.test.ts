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

  it('asks the catalog again once the few seconds are over', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z') });
    try {
      const getEntityByRef = jest.fn(async () => entity);
      const cache = new EntityLookupCache({ getEntityByRef } as any);
      const alice = mockCredentials.user('user:default/alice');
      await cache.getEntity('component:default/shop', alice);
      jest.advanceTimersByTime(4999);
      await cache.getEntity('component:default/shop', alice);
      expect(getEntityByRef).toHaveBeenCalledTimes(1);
      // A caller who lost read access keeps it for at most 5 s.
      jest.advanceTimersByTime(1);
      await cache.getEntity('component:default/shop', alice);
      expect(getEntityByRef).toHaveBeenCalledTimes(2);
      // The fresh answer starts a new 5 s.
      jest.advanceTimersByTime(4999);
      await cache.getEntity('component:default/shop', alice);
      expect(getEntityByRef).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
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
