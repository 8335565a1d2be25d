import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ClusterWatcher } from '../cluster/ClusterWatcher';
import { environmentContext, gitContext } from '../deploys/environmentContext';
import {
  FakeClusterClient,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import { callerOf } from './caller';
import { ClaimantsLookup } from './ClaimantsLookup';
import { EntityScope } from './EntityScope';
import { FluxStatusService } from '../status/FluxStatusService';

const SHOP = 'component:default/shop';
const VICTIM = 'component:default/victim';
const ID = 'backstage.io/kubernetes-id';
const ENV = 'gitops.backstage.io/environment';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

/**
 * The cluster: the victim's project (annotated for it, as project
 * initialization writes it), shop's own project whose Kustomization uses
 * the victim's source across namespaces, a platform object made outside
 * the portal (no annotation) and one that both shop and `legacy` claim.
 */
function cluster() {
  return new FakeClusterClient().add(
    flux.kustomization('victim-dev', 'victim', {
      labels: { [ID]: 'victim', [ENV]: 'development' },
      entityRef: VICTIM,
      source: 'victim-repo',
    }),
    flux.gitRepository('victim-repo', 'victim', {
      labels: { [ID]: 'victim', [ENV]: 'development' },
      entityRef: VICTIM,
    }),
    flux.kustomization('shop-dev', 'shop', {
      labels: { [ID]: 'shop', [ENV]: 'development' },
      entityRef: 'Component:default/Shop',
      source: 'shop-repo',
    }),
    flux.gitRepository('shop-repo', 'shop', {
      labels: { [ID]: 'shop' },
      entityRef: SHOP,
    }),
    flux.kustomization('shop-shared', 'shop', {
      labels: { [ID]: 'shop', [ENV]: 'staging' },
      entityRef: SHOP,
      source: 'victim-repo',
      sourceNamespace: 'victim',
    }),
    flux.kustomization('shop-legacy', 'shop', {
      labels: { [ID]: 'shop', [ENV]: 'production' },
      source: 'shop-repo',
    }),
    flux.kustomization('platform', 'flux-system', {
      labels: { team: 'platform' },
      source: 'flux-system',
    }),
  );
}

describe('EntityScope: two-sided ownership', () => {
  let watcher: ClusterWatcher;
  let stop: () => void;
  const catalog = catalogServiceMock({
    entities: [
      component('shop', { [ID]: 'shop' }),
      component('victim', { [ID]: 'victim' }),
      component('legacy', {
        'gitops.backstage.io/label-selector': `${ENV}=production`,
      }),
      component('broken', { 'gitops.backstage.io/label-selector': '(((' }),
    ],
  });

  beforeEach(async () => {
    const synced = await syncedWatcher(cluster());
    watcher = synced.watcher;
    stop = () => synced.watcher.stop();
  });
  afterEach(() => stop());

  const scopeOf = (entityRef: string, selector: string) =>
    new EntityScope(
      component(entityRef.split('/')[1], {}),
      entityRef,
      selector,
      callerOf(mockCredentials.user('user:default/someone')),
      [watcher],
      mockServices.permissions(),
      new ClaimantsLookup(catalog),
    );
  const names = (scope: EntityScope) =>
    scope
      .objects()
      .map(o => `${o.resource.kind}/${o.resource.metadata.name}`)
      .sort();
  const shop = () => scopeOf(SHOP, `${ID}=shop`);

  it('lets an entity act on its own annotated objects and its own source', () => {
    const scope = shop();
    const own = scope.actionableObject(
      'local',
      'Kustomization',
      'shop',
      'shop-dev',
    );
    expect(own.resource.metadata.name).toBe('shop-dev');
    expect(() =>
      scope.actionableObject('local', 'GitRepository', 'shop', 'shop-repo'),
    ).not.toThrow();
    expect(() => environmentContext(scope, 'development')).not.toThrow();
  });

  it('never gives an entity that claims a foreign id the foreign objects', async () => {
    const thief = scopeOf('component:default/thief', `${ID}=victim`);
    expect(names(thief)).toEqual([]);
    expect(thief.kustomizations()).toEqual([]);
    expect(
      thief.ownsDeploy({
        cluster: 'local',
        namespace: 'victim',
        kustomization: 'victim-dev',
      }),
    ).toBe(false);
    for (const [kind, name] of [
      ['Kustomization', 'victim-dev'],
      ['GitRepository', 'victim-repo'],
    ]) {
      expect(() => thief.ownedObject('local', kind, 'victim', name)).toThrow(
        NotAllowedError,
      );
      expect(() =>
        thief.actionableObject('local', kind, 'victim', name),
      ).toThrow(
        `${kind} victim/${name} belongs to ${VICTIM} (annotation gitops.backstage.io/entity-ref)`,
      );
    }
    expect(() => environmentContext(thief, 'development')).toThrow(
      `environment: 'development' is deployed by objects of ${VICTIM} (annotation gitops.backstage.io/entity-ref), not of component:default/thief`,
    );
    expect(() => environmentContext(thief, 'nowhere')).toThrow(
      "has no environment 'nowhere'",
    );
    expect(await thief.ownershipWarnings()).toEqual([
      `2 objects matched by this entity's selector belong to ${VICTIM} (annotation gitops.backstage.io/entity-ref) and are not shown`,
    ]);
  });

  it('never gives the objects of an entity to its name registered again from another repository', async () => {
    const synced = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('bound-dev', 'bound', {
          labels: { [ID]: 'bound', [ENV]: 'development' },
          entityRef: 'component:default/bound',
          entityRepository: 'git.example.com/acme/shop-earlier',
          source: 'bound-repo',
        }),
        flux.gitRepository('bound-repo', 'bound', {
          labels: { [ID]: 'bound' },
          entityRef: 'component:default/bound',
          entityRepository: 'git.example.com/acme/shop-earlier',
        }),
      ),
    );
    try {
      const scopeFor = (repository: string) =>
        new EntityScope(
          component('bound', {
            [ID]: 'bound',
            'backstage.io/managed-by-origin-location': `url:https://${repository}/blob/main/catalog-info.yaml`,
          }),
          'component:default/bound',
          `${ID}=bound`,
          callerOf(mockCredentials.user('user:default/someone')),
          [synced.watcher],
          mockServices.permissions(),
        );
      const earlier = scopeFor('git.example.com/acme/shop-earlier');
      expect(() =>
        earlier.actionableObject(
          'local',
          'Kustomization',
          'bound',
          'bound-dev',
        ),
      ).not.toThrow();

      const replaced = scopeFor('git.example.com/squatter/bound');
      expect(replaced.kustomizations()).toEqual([]);
      expect(
        replaced.ownsDeploy({
          cluster: 'local',
          namespace: 'bound',
          kustomization: 'bound-dev',
        }),
      ).toBe(false);
      const recordedForEarlier = {
        entityRef: 'component:default/bound',
        entityRepository: 'git.example.com/acme/shop-earlier',
        cluster: 'local',
        namespace: 'elsewhere',
        kustomization: 'moved',
      };
      expect(earlier.ownsDeploy(recordedForEarlier)).toBe(true);
      expect(replaced.ownsDeploy(recordedForEarlier)).toBe(false);
      expect(() =>
        replaced.actionableObject(
          'local',
          'Kustomization',
          'bound',
          'bound-dev',
        ),
      ).toThrow(
        'Kustomization bound/bound-dev belongs to component:default/bound as registered from git.example.com/acme/shop-earlier (annotation gitops.backstage.io/entity-ref), not to component:default/bound as registered from git.example.com/squatter/bound; only its own entity may act on it',
      );
      expect(() => environmentContext(replaced, 'development')).toThrow(
        "environment: 'development' is deployed by objects of component:default/bound as registered from git.example.com/acme/shop-earlier",
      );
    } finally {
      synced.watcher.stop();
    }
  });

  it('lets a broad selector narrow, never widen: `!x` gets nothing foreign and nothing to act on', async () => {
    const broad = scopeOf('component:default/broad', '!x');
    expect(names(broad)).toEqual([
      'Kustomization/platform',
      'Kustomization/shop-legacy',
    ]);
    // What is left has no annotation: read-only.
    for (const { resource } of broad.objects()) {
      expect(() => broad.requireActionable(resource)).toThrow(NotAllowedError);
    }
    expect((await broad.ownershipWarnings()).sort()).toEqual(
      [
        `3 objects matched by this entity's selector belong to ${SHOP} (annotation gitops.backstage.io/entity-ref) and are not shown`,
        `2 objects matched by this entity's selector belong to ${VICTIM} (annotation gitops.backstage.io/entity-ref) and are not shown`,
        `Kustomization shop/shop-legacy is also claimed by ${SHOP}, component:default/legacy and has no gitops.backstage.io/entity-ref annotation: neither entity may act on it until the annotation names one of them`,
        '1 object has no gitops.backstage.io/entity-ref annotation and is shown read-only (Kustomization flux-system/platform): to act on it from component:default/broad, add the annotation gitops.backstage.io/entity-ref: component:default/broad to it in Git',
      ].sort(),
    );
  });

  it('shows a shared source of another entity read-only and refuses to act on it or deploy from it', async () => {
    const scope = shop();
    expect(names(scope)).toContain('GitRepository/victim-repo');
    const source = scope.ownedObject(
      'local',
      'GitRepository',
      'victim',
      'victim-repo',
    );
    expect(() => scope.requireActionable(source.resource)).toThrow(
      `GitRepository victim/victim-repo belongs to ${VICTIM}`,
    );
    expect(() =>
      scope.actionableObject('local', 'GitRepository', 'victim', 'victim-repo'),
    ).toThrow(NotAllowedError);
    // The portal must not write to another entity's repository.
    expect(() => environmentContext(scope, 'staging')).toThrow(
      `GitRepository victim/victim-repo belongs to ${VICTIM}`,
    );
    expect(await scope.ownershipWarnings()).toContain(
      `Shared sources of other entities are shown read-only: GitRepository victim/victim-repo (${VICTIM})`,
    );
  });

  it('deploys only through a repository URL and overlay path that project initialization set', async () => {
    const rewritten = await syncedWatcher(
      new FakeClusterClient().add(
        flux.kustomization('shop-dev', 'shop', {
          labels: { [ID]: 'shop', [ENV]: 'development' },
          entityRef: SHOP,
          source: 'shop-repo',
        }),
        // The tenant's repository re-applied its own GitRepository with
        // another team's URL: kustomize-controller now manages spec.url.
        flux.gitRepository('shop-repo', 'shop', {
          labels: { [ID]: 'shop' },
          entityRef: SHOP,
          url: 'https://git.example.com/platform/fleet.git',
          urlSetBy: 'kustomize-controller',
        }),
        flux.kustomization('shop-stg', 'shop', {
          labels: { [ID]: 'shop', [ENV]: 'staging' },
          entityRef: SHOP,
          source: 'shop-repo-2',
          pathSetBy: 'kubectl-edit',
        }),
        flux.gitRepository('shop-repo-2', 'shop', {
          labels: { [ID]: 'shop' },
          entityRef: SHOP,
        }),
      ),
    );
    try {
      const scope = new EntityScope(
        component('shop', {}),
        SHOP,
        `${ID}=shop`,
        callerOf(mockCredentials.user('user:default/someone')),
        [rewritten.watcher],
        mockServices.permissions(),
        new ClaimantsLookup(catalog),
      );
      expect(() =>
        gitContext(environmentContext(scope, 'development')),
      ).toThrow(
        "GitRepository shop/shop-repo has its spec.url set by kustomize-controller, not by the portal's project initialization",
      );
      expect(() => gitContext(environmentContext(scope, 'staging'))).toThrow(
        'Kustomization shop/shop-stg has its spec.path set by kubectl-edit',
      );
    } finally {
      rewritten.watcher.stop();
    }
    // Set by project initialization: the same shape deploys.
    expect(() =>
      gitContext(environmentContext(shop(), 'development')),
    ).not.toThrow();
  });

  it("marks in the entity's status which objects it may not act on, and why", async () => {
    const status = await new FluxStatusService([watcher]).entityStatus(shop());
    const readOnly = Object.fromEntries(
      status.environments
        .flatMap(e => e.objects)
        .map(o => [`${o.kind}/${o.name}`, o.readOnly]),
    );
    expect(readOnly['Kustomization/shop-dev']).toBeUndefined();
    expect(readOnly['Kustomization/shop-shared']).toBeUndefined();
    expect(readOnly['GitRepository/victim-repo']).toContain(
      `belongs to ${VICTIM}`,
    );
    expect(readOnly['Kustomization/shop-legacy']).toContain(
      'has no gitops.backstage.io/entity-ref annotation',
    );
  });

  it('shows an object without the annotation read-only and says how to claim it', async () => {
    const platform = scopeOf('component:default/platform', 'team=platform');
    expect(names(platform)).toEqual(['Kustomization/platform']);
    expect(() =>
      platform.actionableObject(
        'local',
        'Kustomization',
        'flux-system',
        'platform',
      ),
    ).toThrow(
      'Kustomization flux-system/platform has no gitops.backstage.io/entity-ref annotation, so it is read-only in the portal: to act on it from component:default/platform, add the annotation gitops.backstage.io/entity-ref: component:default/platform to it in Git',
    );
    expect(await platform.ownershipWarnings()).toEqual([
      '1 object has no gitops.backstage.io/entity-ref annotation and is shown read-only (Kustomization flux-system/platform): to act on it from component:default/platform, add the annotation gitops.backstage.io/entity-ref: component:default/platform to it in Git',
    ]);
  });

  it('warns both entities that claim one unannotated object, and lets neither act', async () => {
    const legacy = scopeOf('component:default/legacy', `${ENV}=production`);
    const scope = shop();
    for (const [claimant, other] of [
      [scope, 'component:default/legacy'],
      [legacy, SHOP],
    ] as const) {
      expect(names(claimant)).toContain('Kustomization/shop-legacy');
      expect(() =>
        claimant.actionableObject(
          'local',
          'Kustomization',
          'shop',
          'shop-legacy',
        ),
      ).toThrow('has no gitops.backstage.io/entity-ref annotation');
      expect(await claimant.ownershipWarnings()).toContain(
        `Kustomization shop/shop-legacy is also claimed by ${other} and has no gitops.backstage.io/entity-ref annotation: neither entity may act on it until the annotation names one of them`,
      );
    }
    expect(() => environmentContext(scope, 'production')).toThrow(
      NotAllowedError,
    );
  });

  it('still finds nothing for objects it does not claim at all', () => {
    expect(() =>
      shop().ownedObject('local', 'Kustomization', 'flux-system', 'platform'),
    ).toThrow(NotFoundError);
    expect(() =>
      shop().ownedObject('local', 'Kustomization', 'shop', 'gone'),
    ).toThrow(NotFoundError);
  });

  it('keeps the objects read-only when the catalog cannot be asked who else claims them', async () => {
    const failing = catalogServiceMock.mock({
      getEntities: async () => {
        throw new Error('catalog down');
      },
    });
    const scope = new EntityScope(
      component('shop', {}),
      SHOP,
      `${ID}=shop`,
      callerOf(mockCredentials.user('user:default/someone')),
      [watcher],
      mockServices.permissions(),
      new ClaimantsLookup(failing),
    );
    const warnings = await scope.ownershipWarnings();
    expect(warnings.join('\n')).toContain(
      '1 object has no gitops.backstage.io/entity-ref annotation and is shown read-only (Kustomization shop/shop-legacy)',
    );
  });
});
