import { stringify } from 'yaml';
import type {
  DeployRecord,
  EntityGitOpsStatus,
} from '@gitops-backstage/plugin-gitops-common';
import {
  callPortal,
  finishedDeploy,
  pollPortal,
  runTemplate,
} from './portal/portalApi';
import { registerComponent } from './portal/gitopsEntity';
import { adminToken } from './portal/users';
import { applyFluxPair, KUSTOMIZE_API, SOURCE_API } from './stack/fluxPair';
import { TestGitServer } from './stack/gitea';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(600_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const ANNOTATION = 'gitops.backstage.io/entity-ref';

const victim = `e2e-own-${Date.now().toString(36).slice(-5)}`;
const victimRef = `component:default/${victim}`;
const victimNamespace = `project-${victim}-development`;
const victimKustomization = `${victim}-development`;
const victimSource = `${victim}-repo`;
/** Entities anyone could register; all owned by the guests, like the victim. */
const thief = `${victim}-thief`;
const broad = `${victim}-broad`;
const sharer = `${victim}-sharer`;
const claimA = `${victim}-claim-a`;
const claimB = `${victim}-claim-b`;
const legacyId = `${victim}-legacy`;

const entityPath = (name: string) =>
  `/api/gitops/entities/component/default/${name}`;
const objectPath = (
  name: string,
  kind: string,
  namespace: string,
  object: string,
) => `${entityPath(name)}/objects/local/${kind}/${namespace}/${object}`;

function component(name: string, annotations: Record<string, string>) {
  return stringify({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: {
      type: 'service',
      owner: 'group:default/guests',
      lifecycle: 'experimental',
    },
  });
}

async function post(path: string, body: unknown) {
  const response = await callPortal(path, { method: 'POST', body });
  const text = await response.text();
  let message = text;
  try {
    message = JSON.parse(text).error?.message ?? text;
  } catch {
    // not JSON: keep the text
  }
  return { path, status: response.status, message };
}

async function statusOf(name: string): Promise<EntityGitOpsStatus> {
  const response = await callPortal(`${entityPath(name)}/status`);
  expect(response.status).toBe(200);
  return response.json();
}

const objectNames = (status: EntityGitOpsStatus) =>
  status.environments.flatMap(e =>
    e.objects.map(o => `${o.kind}/${o.namespace}/${o.name}`),
  );

/**
 * Two-sided ownership on the real stack: a project made by project
 * initialization (its objects carry the entity-ref annotation), and entities
 * that claim it by a kubernetes-id, a `!x` selector or a shared source; an
 * object made outside the portal that two entities claim. Every refused
 * action must leave the cluster, Git and the deploy history as they were.
 */
describe('Ownership needs the cluster side to agree, on the real stack', () => {
  let sharerNamespace: string;
  let legacyNamespace: string;
  let ownerDeploy: DeployRecord;

  const read = (
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ) => cluster.read<FluxObject>(apiVersion, kind, namespace, name);

  /** What must not change: resourceVersions, the Git head, the history. */
  async function snapshot() {
    const versions = await Promise.all(
      [
        [KUSTOMIZE_API, 'Kustomization', victimNamespace, victimKustomization],
        [SOURCE_API, 'GitRepository', victimNamespace, victimSource],
        [KUSTOMIZE_API, 'Kustomization', legacyNamespace, 'legacy'],
        [SOURCE_API, 'GitRepository', legacyNamespace, 'legacy'],
      ].map(
        async ([apiVersion, kind, namespace, name]) =>
          `${kind}/${namespace}/${name}@${
            (
              await read(apiVersion, kind, namespace, name)
            ).metadata?.resourceVersion
          }`,
      ),
    );
    const [head] = await git.log(victim);
    const history = await callPortal(`${entityPath(victim)}/deploys?limit=50`);
    expect(history.status).toBe(200);
    const deploys = ((await history.json()).items as DeployRecord[]).map(
      d => `${d.id}:${d.status}`,
    );
    return { versions, head: head.sha, deploys };
  }

  /** A snapshot taken twice 3 s apart with the same answer: Flux is idle. */
  async function settledSnapshot() {
    return waitFor(
      'the cluster, Git and the history at rest',
      async () => {
        const first = await snapshot();
        await new Promise(resolve => setTimeout(resolve, 3000));
        const second = await snapshot();
        return JSON.stringify(first) === JSON.stringify(second)
          ? second
          : undefined;
      },
      180_000,
    );
  }

  /** Every action on the victim's objects, as `name`: all refused. */
  async function attackVictim(name: string) {
    const refusals = [];
    for (const [kind, object] of [
      ['Kustomization', victimKustomization],
      ['GitRepository', victimSource],
    ]) {
      const path = objectPath(name, kind, victimNamespace, object);
      refusals.push(
        await post(`${path}/reconcile`, { withSource: true }),
        await post(`${path}/suspend`, { reason: 'e2e: not mine' }),
        await post(`${path}/resume`, {}),
      );
    }
    const deploys = `${entityPath(name)}/deploys`;
    refusals.push(
      await post(`${deploys}/preview`, {
        environment: 'development',
        changes: { replicas: 3 },
      }),
      await post(deploys, {
        environment: 'development',
        changes: { replicas: 3 },
        message: 'e2e: not mine',
      }),
      await post(`${deploys}/manual`, {
        environment: 'development',
        image: 'nginx:1.28',
        reason: 'e2e: not mine',
      }),
    );
    for (const refusal of refusals) {
      expect({ path: refusal.path, status: refusal.status }).toEqual({
        path: refusal.path,
        status: 403,
      });
      expect(refusal.message).toContain(ANNOTATION);
    }
    // The owner's deploy is not the claimant's: not found, nothing rolled back.
    for (const body of [{ dryRun: true }, {}]) {
      const rollback = await post(
        `${deploys}/${ownerDeploy.id}/rollback`,
        body,
      );
      expect(rollback.status).toBe(404);
    }
  }

  beforeAll(async () => {
    const run = await runTemplate('gitops-service', {
      name: victim,
      owner: 'group:default/guests',
      description: 'ownership e2e: the victim',
      environments: ['development'],
      image: 'nginx:1.27',
      replicas: 1,
      repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
        env.GITEA_ORG
      }&repo=${victim}`,
    });
    if (run.status !== 'completed') {
      throw new Error(
        `creating ${victim} failed:\n${run.log.slice(-10).join('\n')}`,
      );
    }

    const repo = await git.createRepo('e2e-own-claims');
    await git.commit(
      repo,
      {
        'catalog-info.yaml': [
          component(thief, { 'backstage.io/kubernetes-id': victim }),
          component(broad, { 'gitops.backstage.io/label-selector': '!x' }),
          component(sharer, { 'backstage.io/kubernetes-id': sharer }),
          component(claimA, { 'backstage.io/kubernetes-id': legacyId }),
          component(claimB, {
            'gitops.backstage.io/label-selector': `backstage.io/kubernetes-id=${legacyId}`,
          }),
        ].join('---\n'),
      },
      'entities that claim what is not theirs',
    );
    // Registers the location (once Gitea serves the file) and waits for
    // the first entity; the others come from the same file.
    await registerComponent(env, repo, thief);
    for (const name of [broad, sharer, claimA, claimB]) {
      await waitFor(
        `${name} in the catalog`,
        async () =>
          (
            await pollPortal(
              `/api/catalog/entities/by-name/component/default/${name}`,
            )
          ).ok || undefined,
        120_000,
      );
    }

    // The sharer's own Kustomization (annotated for it) uses the victim's
    // source across namespaces.
    sharerNamespace = await cluster.createNamespace('e2e-own-sharer');
    await cluster.apply({
      apiVersion: KUSTOMIZE_API,
      kind: 'Kustomization',
      metadata: {
        name: 'sharer',
        namespace: sharerNamespace,
        labels: {
          'backstage.io/kubernetes-id': sharer,
          'gitops.backstage.io/environment': 'development',
        },
        annotations: { [ANNOTATION]: `component:default/${sharer}` },
      },
      spec: {
        sourceRef: {
          kind: 'GitRepository',
          name: victimSource,
          namespace: victimNamespace,
        },
        path: './deploy',
        prune: false,
        interval: '1h',
        retryInterval: '1h',
        targetNamespace: sharerNamespace,
      },
    } as FluxObject);

    // Made outside the portal, no annotation, claimed by two entities.
    // Suspended, so Flux leaves it alone and its resourceVersion is ours.
    legacyNamespace = await cluster.createNamespace('e2e-own-legacy');
    await applyFluxPair(cluster, git, {
      namespace: legacyNamespace,
      name: 'legacy',
      repo,
      labels: {
        'backstage.io/kubernetes-id': legacyId,
        'gitops.backstage.io/environment': 'legacy',
      },
      kustomization: { suspend: true },
    });

    await waitFor(
      'the victim applied by Flux',
      async () => {
        const applied = await read(
          KUSTOMIZE_API,
          'Kustomization',
          victimNamespace,
          victimKustomization,
        );
        return condition(applied, 'Ready')?.status === 'True' || undefined;
      },
      240_000,
    );
  });

  afterAll(async () => {
    // The claimants leave the catalog: a `!x` selector would otherwise
    // claim every unannotated object of later tests.
    const location = await callPortal(
      `/api/catalog/locations/by-entity/component/default/${thief}`,
    );
    if (location.ok) {
      await callPortal(`/api/catalog/locations/${(await location.json()).id}`, {
        method: 'DELETE',
        token: adminToken(env),
      });
    }
    for (const name of [thief, broad, sharer, claimA, claimB]) {
      const entity = await callPortal(
        `/api/catalog/entities/by-name/component/default/${name}`,
      );
      if (entity.ok) {
        const uid = (await entity.json()).metadata.uid;
        await callPortal(`/api/catalog/entities/by-uid/${uid}`, {
          method: 'DELETE',
          token: adminToken(env),
        });
      }
    }
    for (const namespace of [
      victimNamespace,
      sharerNamespace,
      legacyNamespace,
    ]) {
      if (namespace) {
        await cluster.deleteNamespace(namespace);
      }
    }
  });

  it('lets the real owner act: reconcile, suspend, resume, preview and deploy', async () => {
    const kustomization = objectPath(
      victim,
      'Kustomization',
      victimNamespace,
      victimKustomization,
    );
    for (const [verb, body] of [
      ['reconcile', { withSource: true }],
      ['suspend', { reason: 'e2e: the owner may' }],
      ['resume', {}],
    ] as const) {
      const answer = await post(`${kustomization}/${verb}`, body);
      expect({ verb, status: answer.status }).toEqual({ verb, status: 200 });
    }
    const deploys = `${entityPath(victim)}/deploys`;
    const preview = await post(`${deploys}/preview`, {
      environment: 'development',
      changes: { replicas: 2 },
    });
    expect(preview.status).toBe(200);
    const deployed = await callPortal(deploys, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { replicas: 2 },
        message: 'e2e: the owner deploys',
      },
    });
    expect(deployed.status).toBe(201);
    ownerDeploy = (await deployed.json()).deploy;
    // Applied by Flux before anyone else tries: the snapshots compare a
    // cluster at rest.
    const settled = await finishedDeploy(
      `${deploys}/${ownerDeploy.id}`,
      240_000,
    );
    expect(settled.status).toBe('succeeded');
    const status = await statusOf(victim);
    expect(status.warnings ?? []).toEqual([]);
  });

  it('gives an entity that claims the foreign kubernetes-id a warning, not the objects, and refuses every action', async () => {
    const before = await settledSnapshot();
    const status = await statusOf(thief);
    expect(objectNames(status)).toEqual([]);
    expect(status.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\d+ objects? matched by this entity's selector belongs? to ${victimRef} \\(annotation ${ANNOTATION}\\) and (is|are) not shown$`,
        ),
      ),
    ]);
    await attackVictim(thief);
    expect(await snapshot()).toEqual(before);
  });

  it('narrows a `!x` selector to what is not another entity’s, and refuses every action on the foreign objects', async () => {
    const before = await settledSnapshot();
    const status = await statusOf(broad);
    const names = objectNames(status);
    expect(names.filter(n => n.includes(`/${victimNamespace}/`))).toEqual([]);
    expect(names.filter(n => n.includes(`/${sharerNamespace}/`))).toEqual([]);
    // What it does see has no annotation: listed read-only.
    expect(names).toContain(`Kustomization/${legacyNamespace}/legacy`);
    expect(status.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^\\d+ objects? matched by this entity's selector belongs? to ${victimRef} \\(annotation ${ANNOTATION}\\) and (is|are) not shown$`,
          ),
        ),
        expect.stringContaining(
          `matched by this entity's selector belongs to component:default/${sharer}`,
        ),
      ]),
    );
    await attackVictim(broad);
    const legacy = await post(
      `${objectPath(broad, 'Kustomization', legacyNamespace, 'legacy')}/resume`,
      {},
    );
    expect(legacy.status).toBe(403);
    expect(legacy.message).toContain(`has no ${ANNOTATION} annotation`);
    expect(await snapshot()).toEqual(before);
  });

  it('shows a shared source of another entity read-only: it may not be suspended, synced with or deployed from', async () => {
    const before = await settledSnapshot();
    const status = await statusOf(sharer);
    expect(objectNames(status)).toEqual(
      expect.arrayContaining([
        `Kustomization/${sharerNamespace}/sharer`,
        `GitRepository/${victimNamespace}/${victimSource}`,
      ]),
    );
    expect(status.warnings).toContain(
      `Shared sources of other entities are shown read-only: GitRepository ${victimNamespace}/${victimSource} (${victimRef})`,
    );
    const source = objectPath(
      sharer,
      'GitRepository',
      victimNamespace,
      victimSource,
    );
    const own = objectPath(sharer, 'Kustomization', sharerNamespace, 'sharer');
    for (const refusal of [
      await post(`${source}/suspend`, { reason: 'e2e: shared' }),
      await post(`${source}/reconcile`, {}),
      await post(`${own}/reconcile`, { withSource: true }),
      await post(`${entityPath(sharer)}/deploys`, {
        environment: 'development',
        changes: { replicas: 3 },
        message: 'e2e: into the victim’s repository',
      }),
    ]) {
      expect({ path: refusal.path, status: refusal.status }).toEqual({
        path: refusal.path,
        status: 403,
      });
      expect(refusal.message).toContain(
        `GitRepository ${victimNamespace}/${victimSource} belongs to ${victimRef} (annotation ${ANNOTATION})`,
      );
    }
    expect(await snapshot()).toEqual(before);
    // Its own Kustomization stays its own to suspend.
    const suspended = await post(`${own}/suspend`, { reason: 'e2e: mine' });
    expect(suspended.status).toBe(200);
    const sharerKustomization = await read(
      KUSTOMIZE_API,
      'Kustomization',
      sharerNamespace,
      'sharer',
    );
    expect(sharerKustomization.spec?.suspend).toBe(true);
    const source_ = await read(
      SOURCE_API,
      'GitRepository',
      victimNamespace,
      victimSource,
    );
    expect(source_.spec?.suspend).toBeFalsy();
  });

  it('warns both entities that claim one unannotated object, and lets neither act on it', async () => {
    const before = await settledSnapshot();
    for (const [claimant, other] of [
      [claimA, claimB],
      [claimB, claimA],
    ]) {
      const status = await statusOf(claimant);
      expect(objectNames(status)).toEqual(
        expect.arrayContaining([`Kustomization/${legacyNamespace}/legacy`]),
      );
      const contested = `Kustomization ${legacyNamespace}/legacy is also claimed by`;
      const warning = (status.warnings ?? []).find(w =>
        w.startsWith(contested),
      );
      expect(warning).toContain(`component:default/${other}`);
      expect(warning).toContain(
        `neither entity may act on it until the annotation names one of them`,
      );
      for (const [kind, verb, body] of [
        ['Kustomization', 'resume', {}],
        ['Kustomization', 'suspend', { reason: 'e2e: contested' }],
        ['GitRepository', 'reconcile', {}],
        ['GitRepository', 'suspend', { reason: 'e2e: contested' }],
      ] as const) {
        const refusal = await post(
          `${objectPath(claimant, kind, legacyNamespace, 'legacy')}/${verb}`,
          body,
        );
        expect({ kind, verb, status: refusal.status }).toEqual({
          kind,
          verb,
          status: 403,
        });
        expect(refusal.message).toContain(
          `${kind} ${legacyNamespace}/legacy has no ${ANNOTATION} annotation`,
        );
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});
