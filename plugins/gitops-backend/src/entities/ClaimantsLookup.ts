import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_LABEL_SELECTOR,
  entityLabelSelector,
} from '@gitops-backstage/plugin-gitops-common';
import { callerOf } from './caller';
import { compileLabelSelector } from './labelSelector';

const TTL_MS = 5000;

type Claimant = {
  entityRef: string;
  matches: (labels?: Record<string, string>) => boolean;
};

/**
 * Which catalog entities claim objects by their labels: every entity with a
 * `backstage.io/kubernetes-id` or `gitops.backstage.io/label-selector`
 * annotation. Read with the caller's rights (an entity the caller may not
 * see is not named to them) and kept a few seconds per caller: the GitOps
 * tab asks on every change signal.
 */
export class ClaimantsLookup {
  private readonly cache = new Map<
    string,
    { at: number; claimants: Promise<Claimant[]> }
  >();

  constructor(private readonly catalog: CatalogService) {}

  /** The entities (other than `self`) whose selector matches the labels. */
  async claimantsOf(
    labels: Array<Record<string, string> | undefined>,
    self: string,
    credentials: BackstageCredentials,
  ): Promise<string[][]> {
    const claimants = await this.claimants(credentials);
    return labels.map(l =>
      claimants
        .filter(c => c.entityRef !== self && c.matches(l))
        .map(c => c.entityRef),
    );
  }

  private claimants(credentials: BackstageCredentials): Promise<Claimant[]> {
    const key = callerOf(credentials).ref;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < TTL_MS) {
      return hit.claimants;
    }
    const claimants = this.read(credentials);
    this.cache.set(key, { at: now, claimants });
    // Failed reads are not remembered.
    claimants.catch(() => this.cache.delete(key));
    for (const [k, v] of this.cache) {
      if (now - v.at >= TTL_MS) {
        this.cache.delete(k);
      }
    }
    return claimants;
  }

  private async read(credentials: BackstageCredentials): Promise<Claimant[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: [
          {
            [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]:
              CATALOG_FILTER_EXISTS,
          },
          {
            [`metadata.annotations.${ANNOTATION_LABEL_SELECTOR}`]:
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    return items.flatMap((entity: Entity) => {
      const selector = entityLabelSelector(entity);
      if (!selector) {
        return [];
      }
      try {
        return [
          {
            entityRef: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
            matches: compileLabelSelector(selector),
          },
        ];
      } catch {
        // Another entity's broken selector claims nothing.
        return [];
      }
    });
  }
}
