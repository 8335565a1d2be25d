import { ApiException, KubernetesObject } from '@kubernetes/client-node';
import { readExistingObjects } from './existingObjects';

const ENTITY = 'component:default/shop';
const CLAIM = 'gitops.backstage.io/entity-ref';

function claimed(
  name: string,
  entityRef: string,
  manager = 'backstage-gitops',
): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      annotations: { [CLAIM]: entityRef },
      managedFields: [
        {
          manager,
          operation: 'Apply',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { [`f:${CLAIM}`]: {} } },
          },
        },
      ],
    },
  };
}

/** The one port: reading objects from the cluster. */
function cluster(objects: KubernetesObject[]) {
  return {
    read: async (ref: KubernetesObject) => {
      const found = objects.find(o => o.metadata?.name === ref.metadata?.name);
      if (!found) {
        throw new ApiException(404, 'not found', {}, {});
      }
      return found;
    },
  } as any;
}

const wanted = (name: string): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

describe('readExistingObjects', () => {
  it('refuses objects of another entity instead of adopting them', async () => {
    const result = await readExistingObjects(
      cluster([claimed('project-shop-development', 'component:default/other')]),
      [wanted('project-shop-development'), wanted('project-shop-staging')],
      ENTITY,
    );
    expect(result.foreign).toEqual([
      'Namespace project-shop-development belongs to component:default/other',
    ]);
    expect(result.claimedByEntity).toBe(false);
  });

  it('does not trust a claim the portal did not write', async () => {
    const result = await readExistingObjects(
      cluster([claimed('project-shop-development', ENTITY, 'kubectl')]),
      [wanted('project-shop-development')],
      ENTITY,
    );
    expect(result.foreign).toEqual([
      "Namespace project-shop-development claims component:default/shop, but the claim was written by 'kubectl', not by the portal",
    ]);
  });

  it('recognizes a re-run of the same entity, and leaves unclaimed objects to server-side apply', async () => {
    const result = await readExistingObjects(
      cluster([
        claimed('project-shop-development', ENTITY),
        wanted('project-shop-staging'),
      ]),
      [wanted('project-shop-development'), wanted('project-shop-staging')],
      ENTITY,
    );
    expect(result).toMatchObject({ foreign: [], claimedByEntity: true });
    expect([...result.found.keys()]).toEqual([
      'Namespace//project-shop-development',
      'Namespace//project-shop-staging',
    ]);
  });

  it('treats every claim as foreign when the run names no entity', async () => {
    const result = await readExistingObjects(
      cluster([claimed('project-shop-development', ENTITY)]),
      [wanted('project-shop-development')],
      undefined,
    );
    expect(result.foreign).toHaveLength(1);
  });
});
