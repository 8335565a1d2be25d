import { ApiException, KubernetesObject } from '@kubernetes/client-node';
import { foreignObjectsMessage, readExistingObjects } from './existingObjects';

const ENTITY = 'component:default/shop';
const BINDING = {
  entityRef: ENTITY,
  entityRepository: 'git.example.com/acme/shop',
};
const CLAIM = 'gitops.backstage.io/entity-ref';
const BOUND = 'gitops.backstage.io/entity-repository';

function claimed(
  name: string,
  entityRef: string,
  manager = 'backstage-gitops',
  entityRepository?: string,
): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      annotations: {
        [CLAIM]: entityRef,
        ...(entityRepository ? { [BOUND]: entityRepository } : {}),
      },
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
      BINDING,
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
      BINDING,
    );
    expect(result.foreign).toEqual([
      "Namespace project-shop-development claims component:default/shop, but the claim was written by 'kubectl', not by the portal",
    ]);
  });

  it('recognizes a re-run of the same entity', async () => {
    const result = await readExistingObjects(
      cluster([claimed('project-shop-development', ENTITY)]),
      [wanted('project-shop-development'), wanted('project-shop-staging')],
      BINDING,
    );
    expect(result).toMatchObject({ foreign: [], claimedByEntity: true });
    expect([...result.found.keys()]).toEqual([
      'Namespace//project-shop-development',
    ]);
  });

  it('refuses an object bound to the name as registered from another repository', async () => {
    // The entity was deleted and its name registered again elsewhere.
    const result = await readExistingObjects(
      cluster([
        claimed(
          'project-shop-development',
          ENTITY,
          undefined,
          'git.example.com/acme/shop-earlier',
        ),
        claimed(
          'project-shop-staging',
          ENTITY,
          undefined,
          'git.example.com/acme/shop',
        ),
      ]),
      [wanted('project-shop-development'), wanted('project-shop-staging')],
      BINDING,
    );
    expect(result.foreign).toEqual([
      'Namespace project-shop-development belongs to component:default/shop as registered from git.example.com/acme/shop-earlier, not from git.example.com/acme/shop',
    ]);
  });

  it('refuses an object without a claim instead of adopting it', async () => {
    // A namespace made by hand, or by a run for an entity that was not
    // registered then: whoever registers the name must not inherit it.
    const result = await readExistingObjects(
      cluster([
        claimed('project-shop-development', ENTITY),
        wanted('project-shop-staging'),
      ]),
      [wanted('project-shop-development'), wanted('project-shop-staging')],
      BINDING,
    );
    expect(result.foreign).toEqual([
      'Namespace project-shop-staging exists without a claim',
    ]);
    expect(
      foreignObjectsMessage(
        'shop',
        ENTITY,
        result.foreign,
        'nothing was applied',
      ),
    ).toBe(
      "id: project 'shop' would take over objects that are not component:default/shop's: Namespace project-shop-staging exists without a claim. Choose another id, delete what is a leftover, or have the platform team claim it for component:default/shop (annotation gitops.backstage.io/entity-ref: component:default/shop, written with field manager backstage-gitops); nothing was applied",
    );
  });
});
