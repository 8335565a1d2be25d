import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Caller } from '../entities/caller';
import { GitIdentity } from './GitWorkspace';

/** Who asked: a user entity ref and the identity their commits carry. */
export interface Requester {
  ref: string;
  identity: GitIdentity;
}

/**
 * The Git author of a caller's deploy: the display name and email of the
 * user's catalog profile, else a no-reply address from the entity name.
 */
export async function requesterOf(
  catalog: CatalogService,
  caller: Caller,
): Promise<Requester> {
  const name = caller.ref.includes('/')
    ? parseEntityRef(caller.ref).name
    : 'backstage';
  const user = caller.userEntityRef?.startsWith('user:')
    ? await catalog
        .getEntityByRef(caller.userEntityRef, {
          credentials: caller.credentials,
        })
        .catch(() => undefined)
    : undefined;
  const profile = (user?.spec as any)?.profile ?? {};
  return {
    ref: caller.ref,
    identity: {
      name: profile.displayName ?? name,
      email: profile.email ?? `${name}@users.noreply.backstage`,
    },
  };
}
