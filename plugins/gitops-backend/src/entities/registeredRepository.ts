import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';

/**
 * The repository an entity was registered from: `host/owner/name` of its
 * catalog origin location. Unlike a field manager's name or anything else
 * on the cluster, a tenant cannot rewrite it, so the portal uses its Git
 * credentials for an entity only in this repository.
 */
export function registeredRepository(entity: Entity): string | undefined {
  const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
  try {
    const { type, target } = parseLocationRef(origin ?? '');
    return type === 'url' ? repositoryOfUrl(target) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `host/owner/name` of an http(s) URL into a repository (a clone URL, or a
 * file's URL on the host's web UI); a `file:` repository is its path.
 */
export function repositoryOfUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') {
      return `file:${parsed.pathname.replace(/\.git$/, '')}`;
    }
    const [owner, name] = parsed.pathname.split('/').filter(Boolean);
    return owner && name
      ? `${parsed.host}/${owner}/${name.replace(/\.git$/, '')}`
      : undefined;
  } catch {
    return undefined;
  }
}
