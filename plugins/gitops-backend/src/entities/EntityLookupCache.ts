import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { callerOf } from './caller';

const TTL_MS = 5000;
const MAX_ENTRIES = 2000;

/**
 * Remembers, per caller and entity, what the catalog answered for a few
 * seconds: an open GitOps tab asks on every signal, and the catalog round
 * trip costs far more than reading the watch cache. A caller who loses read
 * access keeps it for at most TTL_MS.
 */
export class EntityLookupCache {
  private readonly entries = new Map<string, { at: number; entity: Entity }>();

  constructor(private readonly catalog: CatalogService) {}

  async getEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    const key = `${callerOf(credentials).ref}|${entityRef}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < TTL_MS) {
      return hit.entity;
    }
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    this.entries.delete(key);
    if (entity) {
      this.entries.set(key, { at: now, entity });
      if (this.entries.size > MAX_ENTRIES) {
        // Maps iterate in insertion order: drop the oldest.
        this.entries.delete(this.entries.keys().next().value!);
      }
    }
    return entity;
  }
}
