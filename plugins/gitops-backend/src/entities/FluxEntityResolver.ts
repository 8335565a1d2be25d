import { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENTITY_REF,
  ANNOTATION_KUBERNETES_ID,
  FluxResource,
  LABEL_KUBERNETES_ID,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * Finds the catalog entity a Flux object belongs to: the entity-ref
 * annotation the scaffolder writes, else the one entity whose
 * `backstage.io/kubernetes-id` matches the object's label.
 */
export class FluxEntityResolver {
  constructor(
    private readonly deps: { catalog: CatalogService; auth: AuthService },
  ) {}

  async entityRefOf(resource: FluxResource): Promise<string | undefined> {
    const annotated = resource.metadata.annotations?.[ANNOTATION_ENTITY_REF];
    if (annotated) {
      return annotated;
    }
    const id = resource.metadata.labels?.[LABEL_KUBERNETES_ID];
    if (!id) {
      return undefined;
    }
    const { items } = await this.deps.catalog.queryEntities(
      {
        filter: { [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]: id },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
        limit: 2,
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    // Two entities claiming one id: neither is the owner for certain.
    return items.length === 1 ? stringifyEntityRef(items[0]) : undefined;
  }
}
