import { Config } from '@backstage/config';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';

/** What one pipeline's service principal may report deploys for. */
export interface PipelineGrant {
  subject: string;
  entities: string[];
  owners: string[];
}

/**
 * Which service principals may report pipeline deploys, and for which
 * entities or owners (`gitops.pipelines`). Service principals skip the
 * permission policy, so this list is the only thing that limits them.
 */
export class PipelineGrants {
  constructor(private readonly grants: PipelineGrant[]) {}

  static fromConfig(config: Config): PipelineGrants {
    const normalize = (refs: string[], defaultKind: string) =>
      refs.map(ref =>
        stringifyEntityRef(
          parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
        ),
      );
    return new PipelineGrants(
      (config.getOptionalConfigArray('gitops.pipelines') ?? []).map(c => ({
        subject: c.getString('subject'),
        entities: normalize(
          c.getOptionalStringArray('entities') ?? [],
          'component',
        ),
        owners: normalize(c.getOptionalStringArray('owners') ?? [], 'group'),
      })),
    );
  }

  /** Refuses (403) a service principal no pipeline grant names. */
  requireKnown(subject: string): void {
    if (!this.grants.some(g => g.subject === subject)) {
      throw new NotAllowedError(
        `service principal ${subject} is not a configured pipeline`,
      );
    }
  }

  /** Refuses (403) unless a grant of the subject covers the entity. */
  requireEntity(subject: string, entityRef: string, entity: Entity): void {
    const owners = ownersOf(entity);
    const allowed = this.grants.some(
      g =>
        g.subject === subject &&
        (g.entities.includes(entityRef) ||
          g.owners.some(owner => owners.includes(owner))),
    );
    if (!allowed) {
      throw new NotAllowedError(
        `pipeline ${subject} may not report deploys of ${entityRef}`,
      );
    }
  }
}

/** The entity's owners, from the catalog's relations or its spec. */
function ownersOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  const fromSpec =
    typeof owner === 'string'
      ? [
          stringifyEntityRef(
            parseEntityRef(owner, {
              defaultKind: 'group',
              defaultNamespace: entity.metadata.namespace ?? 'default',
            }),
          ),
        ]
      : [];
  return [...fromRelations, ...fromSpec];
}
