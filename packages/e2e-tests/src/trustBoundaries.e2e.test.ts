import type { DeployHistory } from '@gitops-backstage/plugin-gitops-common';
import { catalogInfo, registerComponent } from './portal/gitopsEntity';
import { callPortal, pollPortal, runTemplate } from './portal/portalApi';
import { adminToken, userToken } from './portal/users';
import { appManifests } from './stack/fixtures';
import { applyFluxPair, KUSTOMIZE_API, SOURCE_API } from './stack/fluxPair';
import { TestGitServer } from './stack/gitea';
import { FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const CLAIM = 'gitops.backstage.io/entity-ref';
const OTHER_TEAM = 'group:default/e2e-trust-other-team';

/** A repository with a component's catalog file, registered in the catalog. */
async function registeredRepository(prefix: string, owner?: string) {
  const repo = await git.createRepo(prefix);
  await git.commit(
    repo,
    {
      'catalog-info.yaml': catalogInfo(repo, owner),
      'k8s/overlays/development/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
    },
    'a component',
  );
  await registerComponent(env, repo, repo);
  return repo;
}

/** Whether the namespace exists, and the claim it carries. */
async function namespaceClaim(name: string) {
  try {
    const namespace = await cluster.core.readNamespace({ name });
    return { exists: true, claim: namespace.metadata?.annotations?.[CLAIM] };
  } catch {
    return { exists: false, claim: undefined };
  }
}

/**
 * The templates around our routes, tried as an attacker would: each run
 * fails naming what is not theirs, and nothing is created, changed or
 * handed out (no deploy key, no namespace, no claim).
 */
describe('templates claim only what the initiator may claim', () => {
  const namespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(namespaces.map(n => cluster.deleteNamespace(n)));
  });

  it("refuses to point Flux at another team's repository under that team's entity (the confused deputy)", async () => {
    const victim = await registeredRepository('e2e-trust-victim', OTHER_TEAM);
    namespaces.push(`project-${victim}-development`);
    const run = await runTemplate('gitops-onboard', {
      name: victim,
      repoUrl: git.repoUrl(victim),
      environments: ['development'],
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toContain(
      `entityRef: component:default/${victim} is owned by ${OTHER_TEAM}; only its owners may set up GitOps for it (gitops.deploy.create); nothing was applied`,
    );
    expect(await git.deployKeys(victim)).toEqual([]);
    expect(await namespaceClaim(`project-${victim}-development`)).toEqual({
      exists: false,
      claim: undefined,
    });
  });

  it("refuses another team's repository under an entity of one's own", async () => {
    const victim = await registeredRepository('e2e-trust-target', OTHER_TEAM);
    const mine = await registeredRepository('e2e-trust-mine');
    namespaces.push(`project-${mine}-development`);
    const run = await runTemplate('gitops-onboard', {
      name: mine,
      repoUrl: git.repoUrl(victim),
      environments: ['development'],
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toContain(
      `repoUrl: ${new URL(env.GITEA_URL).host}/${
        env.GITEA_ORG
      }/${victim} is not the repository component:default/${mine} was registered from (${
        new URL(env.GITEA_URL).host
      }/${env.GITEA_ORG}/${mine}); nothing was applied`,
    );
    expect(await git.deployKeys(victim)).toEqual([]);
    expect(await git.deployKeys(mine)).toEqual([]);
    expect((await namespaceClaim(`project-${mine}-development`)).exists).toBe(
      false,
    );
  });

  it('refuses, not adopts, a namespace of the project that exists without a claim', async () => {
    const mine = await registeredRepository('e2e-trust-adopt');
    const namespace = `project-${mine}-development`;
    namespaces.push(namespace);
    await cluster.core.createNamespace({
      body: { metadata: { name: namespace } },
    });
    const run = await runTemplate('gitops-onboard', {
      name: mine,
      repoUrl: git.repoUrl(mine),
      environments: ['development'],
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toContain(
      `Namespace ${namespace} exists without a claim`,
    );
    expect(await namespaceClaim(namespace)).toEqual({
      exists: true,
      claim: undefined,
    });
    expect(await git.deployKeys(mine)).toEqual([]);
  });

  it('refuses a project for an entity nobody registered yet: no objects wait in namespaces another team may register later', async () => {
    const repo = await git.createRepo('e2e-trust-unregistered');
    await git.commit(repo, { 'catalog-info.yaml': catalogInfo(repo) }, 'x');
    namespaces.push(`project-${repo}-development`);
    const run = await runTemplate('gitops-onboard', {
      name: repo,
      repoUrl: git.repoUrl(repo),
      environments: ['development'],
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toContain(
      `entityRef: component:default/${repo} is not in the catalog; register it from its repository first`,
    );
    expect(await git.deployKeys(repo)).toEqual([]);
    expect((await namespaceClaim(`project-${repo}-development`)).exists).toBe(
      false,
    );
  });

  it("refuses a service template run for a name another team's entity holds, before anything is published", async () => {
    const taken = await registeredRepository('e2e-trust-taken', OTHER_TEAM);
    const run = await runTemplate('gitops-service', {
      name: taken,
      owner: 'group:default/guests',
      description: 'trust e2e',
      environments: ['development'],
      image: 'nginx:1.27',
      replicas: 1,
      repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
        env.GITEA_ORG
      }&repo=${taken}-copy`,
    });
    expect(run.status).toBe('failed');
    const log = run.log.join('\n');
    expect(log).toContain(
      `entityRef: component:default/${taken} is owned by ${OTHER_TEAM}; only its owners may set up GitOps for it (gitops.deploy.create); nothing was created`,
    );
    // The check is the first step: nothing was published.
    const copy = await fetch(
      `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${taken}-copy`,
      { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
    );
    expect(copy.status).toBe(404);
  });
});

/**
 * A name is not an identity: the objects project initialization made for
 * an entity stay bound to the repository it was registered from, so
 * whoever registers the name again from a repository of theirs, once it
 * was deleted, gets none of them.
 */
describe('a name registered again from another repository', () => {
  const ATTACKERS = 'group:default/e2e-trust-attackers';
  let name: string;
  afterAll(async () => {
    if (name) {
      await cluster.deleteNamespace(`project-${name}-development`);
    }
  });

  const entityPath = () => `/api/gitops/entities/component/default/${name}`;
  const catalogEntity = async () => {
    const response = await callPortal(
      `/api/catalog/entities/by-name/component/default/${name}`,
    );
    return response.ok ? response.json() : undefined;
  };

  /** As the platform team: the entity's location, then the entity. */
  async function removeFromCatalog(entity: any) {
    const token = adminToken(env);
    const location = await (
      await callPortal(
        `/api/catalog/locations/by-entity/component/default/${name}`,
      )
    ).json();
    const removed = await callPortal(`/api/catalog/locations/${location.id}`, {
      method: 'DELETE',
      token,
    });
    expect(removed.status).toBe(204);
    // Orphaned by its location, or gone with it.
    const deleted = await callPortal(
      `/api/catalog/entities/by-uid/${entity.metadata.uid}`,
      { method: 'DELETE', token },
    );
    expect([204, 404]).toContain(deleted.status);
    await waitFor('the entity gone from the catalog', async () =>
      (await catalogEntity())?.metadata.uid === entity.metadata.uid
        ? undefined
        : true,
    );
  }

  it("gets none of the earlier entity's objects, actions or deploy history; the entity registered again from its own repository gets them back", async () => {
    name = await registeredRepository('e2e-trust-bound');
    const run = await runTemplate('gitops-onboard', {
      name,
      repoUrl: git.repoUrl(name),
      environments: ['development'],
    });
    expect([run.status, run.log.slice(-3)]).toEqual([
      'completed',
      expect.anything(),
    ]);
    const earlier = await catalogEntity();
    const namespace = `project-${name}-development`;
    const kustomization = await cluster.read<FluxObject>(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      namespace,
      `${name}-development`,
    );
    const repository = `${new URL(env.GITEA_URL).host}/${
      env.GITEA_ORG
    }/${name}`;
    expect(kustomization.metadata?.annotations).toMatchObject({
      [CLAIM]: `component:default/${name}`,
      'gitops.backstage.io/entity-repository': repository,
    });
    // The earlier entity's history has the applied first commit.
    const history: DeployHistory = await waitFor(
      'the first applied commit in the history',
      async () => {
        const body: DeployHistory = await (
          await pollPortal(`${entityPath()}/deploys`)
        ).json();
        return body.items.length > 0 ? body : undefined;
      },
    );
    expect(history.items[0].entityRepository).toBe(repository);

    // The entity leaves the catalog (the platform team cleans up)...
    await removeFromCatalog(earlier);
    // ...and another team registers the name from a repository of theirs.
    const attacker = userToken(env, 'user:default/e2e-trust-attacker', [
      'user:default/e2e-trust-attacker',
      ATTACKERS,
    ]);
    const theirs = await git.createRepo('e2e-trust-squatter');
    await git.commit(
      theirs,
      { 'catalog-info.yaml': catalogInfo(name, ATTACKERS) },
      'the same name',
    );
    await registerComponent(env, theirs, name, attacker);
    const later = await catalogEntity();
    expect(later.metadata.uid).not.toBe(earlier.metadata.uid);
    expect(later.spec.owner).toBe(ATTACKERS);

    const REQUESTED = 'reconcile.fluxcd.io/requestedAt';
    const before = kustomization.metadata?.annotations?.[REQUESTED];
    for (const [action, body] of [
      ['reconcile', { withSource: true }],
      ['suspend', { reason: 'e2e: squatting' }],
    ] as const) {
      const response = await callPortal(
        `${entityPath()}/objects/local/Kustomization/${namespace}/${name}-development/${action}`,
        { method: 'POST', token: attacker, body },
      );
      expect([action, response.status]).toEqual([action, 403]);
      expect((await response.json()).error.message).toContain(
        `belongs to component:default/${name} as registered from ${repository}`,
      );
    }
    const status = await (
      await callPortal(`${entityPath()}/status`, { token: attacker })
    ).json();
    expect(
      status.environments.flatMap((e: any) =>
        e.objects.map((o: any) => o.kind),
      ),
    ).toEqual([]);
    const theirHistory: DeployHistory = await (
      await callPortal(`${entityPath()}/deploys`, { token: attacker })
    ).json();
    expect(theirHistory.items).toEqual([]);
    const deploy = await callPortal(`${entityPath()}/deploys`, {
      method: 'POST',
      token: attacker,
      body: {
        environment: 'development',
        changes: { image: 'registry.example.com/squatter:1' },
        message: 'e2e: squatting',
      },
    });
    expect(deploy.status).toBe(403);
    const after = await cluster.read<FluxObject>(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      namespace,
      `${name}-development`,
    );
    expect(after.metadata?.annotations?.[REQUESTED]).toBe(before);
    expect((after as any).spec.suspend).toBeFalsy();

    // The catalog rebuilt from the right location: the owners act again.
    await removeFromCatalog(later);
    await registerComponent(env, name, name);
    const reconciled = await callPortal(
      `${entityPath()}/objects/local/Kustomization/${namespace}/${name}-development/reconcile`,
      { method: 'POST', body: { withSource: true } },
    );
    expect(reconciled.status).toBe(200);
    const ownHistory: DeployHistory = await (
      await callPortal(`${entityPath()}/deploys`)
    ).json();
    expect(ownHistory.items.map(d => d.id)).toContain(history.items[0].id);
  });
});

/**
 * A location URL that names one repository and is read from another. The
 * catalog's Gitea reader takes owner, name and branch from the raw path's
 * segments, where two dot segments stand in for `src/branch`: it reads a
 * file of the guests' repository, on a branch named like the host's owner.
 * `new URL()` of the same string resolves the dot segments and names
 * another team's repository. The portal must not take that one for the
 * entity's.
 */
describe('a location URL that names one repository and is read from another', () => {
  const namespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(namespaces.map(n => cluster.deleteNamespace(n)));
  });

  it('gives the entity no deploy into the repository its URL names', async () => {
    // Another team's repository with a Kustomize overlay to deploy.
    const named = await git.createRepo('e2e-trust-named');
    const overlay: Record<string, string> = {};
    for (const [file, content] of Object.entries(appManifests('nginx:1.27'))) {
      overlay[file.replace(/^deploy\//, 'development/')] = content;
    }
    await git.commit(named, overlay, "another team's service");
    // The guests' repository, whose file defines the entity.
    const read = await git.createRepo('e2e-trust-read');
    await git.commit(
      read,
      { [`${named}/src/branch/main/catalog-info.yaml`]: catalogInfo(read) },
      "the guests' entity",
      env.GITEA_ORG,
    );
    // Gitea can fail reading a file right after its first push: register
    // once the API serves the file the reader will ask for.
    await waitFor('the file readable through the Gitea API', async () => {
      const response = await fetch(
        `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${read}/contents/${named}/src/branch/main/catalog-info.yaml?ref=${env.GITEA_ORG}`,
        { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
      );
      return response.ok || undefined;
    });
    const target = `${env.GITEA_URL}/${env.GITEA_ORG}/${read}/../../${env.GITEA_ORG}/${named}/src/branch/main/catalog-info.yaml`;
    expect(new URL(target).pathname.split('/').slice(1, 3)).toEqual([
      env.GITEA_ORG,
      named,
    ]);
    const registered = await callPortal('/api/catalog/locations', {
      method: 'POST',
      body: { type: 'url', target },
    });
    expect(registered.status).toBe(201);
    const entity = await waitFor(
      "the entity, read from the guests' file",
      async () => {
        const response = await pollPortal(
          `/api/catalog/entities/by-name/component/default/${read}`,
        );
        return response.ok ? response.json() : undefined;
      },
      120_000,
    );
    expect(entity.spec.owner).toBe('group:default/guests');

    // The guests' own Flux pair, its source the other team's repository.
    const namespace = await cluster.createNamespace('e2e-trust-url');
    namespaces.push(namespace);
    await applyFluxPair(cluster, git, {
      namespace,
      name: 'development',
      repo: named,
      path: './development',
      entityRef: `component:default/${read}`,
      labels: {
        'backstage.io/kubernetes-id': read,
        'gitops.backstage.io/environment': 'development',
      },
      kustomization: { namePrefix: undefined },
    });
    const entityPath = `/api/gitops/entities/component/default/${read}`;
    await waitFor('the environment in the entity status', async () => {
      const status = await (await pollPortal(`${entityPath}/status`)).json();
      return status.environments?.some((e: any) => e.name === 'development')
        ? true
        : undefined;
    });
    // Applied by Flux: only the repository is left to refuse the deploy for.
    await cluster.waitForReady(
      KUSTOMIZE_API,
      'Kustomization',
      namespace,
      'development',
      'True',
      120_000,
    );
    const [before] = await git.log(named);
    const response = await callPortal(`${entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { image: 'registry.example/not-yours:1' },
        message: 'a deploy into a repository the entity was not read from',
      },
    });
    const body = await response.json();
    expect({ status: response.status, message: body.error?.message }).toEqual({
      status: 403,
      message: expect.stringContaining('has a dot segment'),
    });
    const [after] = await git.log(named);
    expect(after.sha).toBe(before.sha);
  });
});

/**
 * Failure notifications, tried as a tenant would: a failing object in the
 * tenant's own Namespace with the portal's claim annotation for another
 * team's entity, applied under the portal's field manager name. Only the
 * object in a Namespace claimed for the entity (which a tenant cannot edit)
 * reaches the entity's owners.
 */
describe('failure notifications go only to the entity a Namespace is claimed for', () => {
  const namespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(namespaces.map(n => cluster.deleteNamespace(n)));
  });

  it("tells the entity's owners about its Namespace's failure, not about a tenant's object that names the entity", async () => {
    // Owned by the guests' group, whose member the guest is.
    const entity = 'component:default/example-website';
    const repo = await git.createRepo('e2e-trust-notify');
    await git.commit(repo, appManifests('nginx:1.27'), 'manifests');
    const claimed = await cluster.createNamespace('e2e-trust-claimed');
    const forged = await cluster.createNamespace('e2e-trust-forged');
    namespaces.push(claimed, forged);
    await cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: claimed, annotations: { [CLAIM]: entity } },
      },
      'backstage-gitops',
    );
    const titles = async () => {
      const response = await callPortal(
        '/api/notifications/notifications?limit=100',
      );
      expect(response.status).toBe(200);
      const { notifications } = await response.json();
      return notifications.map(
        (n: { payload: { title: string } }) => n.payload.title,
      ) as string[];
    };
    // The tenant's object fails first; the claimed one is made only then,
    // so its notification comes after any the tenant's could have caused.
    await applyFluxPair(cluster, git, {
      namespace: forged,
      name: 'notify',
      repo,
      password: 'not-the-password',
      entityRef: entity,
    });
    await cluster.waitForReady(
      SOURCE_API,
      'GitRepository',
      forged,
      'notify',
      'False',
    );
    await applyFluxPair(cluster, git, {
      namespace: claimed,
      name: 'notify',
      repo,
      password: 'not-the-password',
      entityRef: entity,
    });
    await waitFor(
      "the failure in the entity's Namespace, told to its owners",
      async () =>
        (await titles()).some(t => t.includes(`${claimed}/notify`)) ||
        undefined,
      120_000,
    );
    expect((await titles()).filter(t => t.includes(forged))).toEqual([]);
  });
});
