import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { FluxActions } from '../actions/FluxActions';
import { FluxStatusService } from '../status/FluxStatusService';
import {
  apiError,
  FakeClusterClient,
  fakeClients,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import { FLUX_NAMESPACE, fluxInstallation } from '../__testUtils__/fluxInstall';
import {
  appWith,
  auditWith,
  ownerHeader,
  permissions,
  serviceHeader,
  strangerHeader,
} from '../__testUtils__/routerFixture';
import { migratedDatabase } from '../__testUtils__/localStores';
import { DiagnosticsService, readHealthOptions } from './DiagnosticsService';
import { DiagnosticsStore } from './DiagnosticsStore';
import { RepairService } from './RepairService';
import type { RepairRecord } from '@gitops-backstage/plugin-gitops-common';
import { createDiagnosticsRouter } from './router';

describe('repairs and the /health routes', () => {
  async function setup(autoRepair: string[] = [], gitHostFetch?: typeof fetch) {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(
        ...fluxInstallation({ unavailable: ['helm-controller'] }),
        flux.gitRepository('app', 'apps', {
          url: 'https://git.example.com/team/app.git',
          secret: 'app-auth',
        }),
        flux.gitRepository('public', 'apps'),
        flux.kustomization('app', 'apps', { source: 'app' }),
        {
          ...flux.kustomization('orphan', 'apps', {
            extraSpec: { prune: true },
          }),
          metadata: {
            name: 'orphan',
            namespace: 'apps',
            uid: 'uid-orphan',
            labels: { 'app.kubernetes.io/managed-by': 'backstage-gitops' },
            annotations: {
              'gitops.backstage.io/entity-ref': 'component:default/gone',
            },
          },
        },
        {
          ...flux.kustomization('kept', 'apps'),
          metadata: {
            name: 'kept',
            namespace: 'apps',
            labels: { 'app.kubernetes.io/managed-by': 'backstage-gitops' },
            annotations: {
              'gitops.backstage.io/entity-ref': 'component:default/shop',
            },
          },
        },
      ),
    );
    const store = new DiagnosticsStore(await migratedDatabase());
    const status = new FluxStatusService([watcher]);
    const clients = fakeClients(client);
    const auth = mockServices.auth();
    const logger = mockServices.logger.mock();
    const config = new ConfigReader({
      gitops: { health: { autoRepair } },
      integrations: {
        gitea: [
          { host: 'git.example.com', username: 'bot', password: 'secret-pw' },
        ],
      },
    });
    const repairs = new RepairService({
      status,
      clients,
      actions: new FluxActions(status, clients),
      store,
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'shop',
              namespace: 'default',
              // Registered from its repository, as project initialization does.
              annotations: {
                'backstage.io/managed-by-origin-location':
                  'url:http://git.example.com/team/shop/src/branch/main/catalog-info.yaml',
              },
            },
          },
        ],
      }),
      auth,
      integrations: ScmIntegrations.fromConfig(config),
      deployKeyHosts: [
        {
          host: 'git.example.com',
          sshUrl: 'ssh://git@git.example.com',
          knownHosts: 'git.example.com ssh-ed25519 AAAA',
        },
      ],
      logger,
      fluxNamespace: FLUX_NAMESPACE,
      fetch: gitHostFetch,
    });
    const diagnostics = new DiagnosticsService({
      status,
      clients,
      store,
      repairs,
      auth,
      logger,
      options: readHealthOptions(config),
    });
    const app = appWith(
      createDiagnosticsRouter({
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.none(),
        }),
        permissions,
        diagnostics,
        audit: auditWith(clients).audit,
      }),
    );
    return { client, watcher, app, diagnostics, repairs, logger };
  }

  it('plans and applies a controller restart, logging it in the audit log', async () => {
    const { client, watcher, app } = await setup();
    try {
      const body = {
        cluster: 'local',
        type: 'restart-controller',
        target: {
          kind: 'Deployment',
          namespace: FLUX_NAMESPACE,
          name: 'helm-controller',
        },
      };
      const refusedPlan = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', strangerHeader)
        .send(body);
      expect(refusedPlan.status).toBe(403);
      const plan = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(plan.status).toBe(200);
      expect(plan.body.summary).toContain('Restart helm-controller');
      expect(plan.body.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(client.callsOf('mergePatch')).toEqual([]);
      const planDigest = plan.body.digest;

      const refused = await request(app)
        .post('/health/repairs')
        .set('Authorization', strangerHeader)
        .send({ ...body, planDigest });
      expect(refused.status).toBe(403);
      const unseen = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(unseen.status).toBe(400);
      expect(unseen.body.error.message).toContain('planDigest');
      expect(client.callsOf('mergePatch')).toEqual([]);

      const applied = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        .send({ ...body, planDigest });
      expect(applied.body).toMatchObject({
        outcome: 'applied',
        actor: 'user:default/owner',
      });
      const [[address, patch, manager]] = client.callsOf('mergePatch');
      expect(address).toMatchObject({
        kind: 'Deployment',
        apiVersion: 'apps/v1',
      });
      expect(
        patch.spec.template.metadata.annotations[
          'kubectl.kubernetes.io/restartedAt'
        ],
      ).toBeDefined();
      // Like kubectl rollout restart: no field manager of ours.
      expect(manager).toBeUndefined();
      expect(client.callsOf('createEvent').map(([e]) => e)).toEqual([
        expect.objectContaining({
          involvedObject: expect.objectContaining({
            kind: 'Deployment',
            namespace: FLUX_NAMESPACE,
            name: 'helm-controller',
          }),
          reason: 'GitOpsPortalRepair',
          message: 'repair by user:default/owner: restart-controller',
        }),
      ]);

      const log = await request(app)
        .get('/health/repairs')
        .set('Authorization', serviceHeader);
      expect(log.body.items).toHaveLength(1);

      const other = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send({ ...body, target: { ...body.target, name: 'coredns' } });
      expect(other.status).toBe(400);
      expect(other.body.error.message).toContain("only the Flux controllers'");
    } finally {
      watcher.stop();
    }
  });

  it('never copies the integration credential: an HTTP source, a foreign URL writer or no Secret is refused', async () => {
    const { client, watcher, app } = await setup();
    try {
      const body = {
        cluster: 'local',
        type: 'refresh-git-credentials',
        target: { kind: 'GitRepository', namespace: 'apps', name: 'app' },
      };
      const secretBefore = JSON.stringify(
        client.get('Secret', 'apps', 'app-auth') ?? null,
      );
      const http = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(http.status).toBe(400);
      expect(http.body.error.message).toContain('is not an SSH URL');
      expect(JSON.stringify(http.body)).not.toContain('secret-pw');
      const applied = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        // A well-formed digest: what refuses is the re-plan.
        .send({ ...body, planDigest: 'a'.repeat(64) });
      expect(applied.status).toBe(400);
      expect(applied.body.error.message).toContain('is not an SSH URL');
      expect(
        JSON.stringify(client.get('Secret', 'apps', 'app-auth') ?? null),
      ).toBe(secretBefore);

      // An SSH URL that someone else wrote gets no deploy key.
      const repo = client.get('GitRepository', 'apps', 'app');
      repo.spec.url = 'ssh://git@git.example.com/team/app.git';
      repo.metadata.managedFields = [
        { manager: 'kubectl-edit', fieldsV1: { 'f:spec': { 'f:url': {} } } },
      ];
      client.emit('MODIFIED', repo, 'gitrepositories');
      const foreign = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.message).toContain(
        "written by 'kubectl-edit', not by the portal",
      );

      const publicRepo = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send({ ...body, target: { ...body.target, name: 'public' } });
      expect(publicRepo.body.error.message).toContain('has no spec.secretRef');
    } finally {
      watcher.stop();
    }
  });

  it('refuses (409) a plan whose object was only relabelled since it was shown', async () => {
    const { client, watcher, app } = await setup();
    try {
      const body = {
        cluster: 'local',
        type: 'resync',
        target: { kind: 'Kustomization', namespace: 'apps', name: 'app' },
      };
      const shown = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      // Labels decide, e.g., which deploy key a repair replaces; a label
      // change does not change the generation.
      await client.mergePatch(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'app',
        },
        { metadata: { labels: { 'gitops.backstage.io/environment': 'x' } } },
      );
      const stale = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        .send({ ...body, planDigest: shown.body.digest });
      expect(stale.status).toBe(409);
    } finally {
      watcher.stop();
    }
  });

  it('refuses (409) to apply a plan the cluster moved away from, touching nothing', async () => {
    const { client, watcher, app } = await setup();
    try {
      const body = {
        cluster: 'local',
        type: 'resync',
        target: { kind: 'Kustomization', namespace: 'apps', name: 'app' },
      };
      const shown = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(shown.status).toBe(200);
      // Someone changes the Kustomization's spec after the plan was shown.
      await client.mergePatch(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'app',
        },
        { metadata: { generation: 2 }, spec: { interval: '59m' } },
      );
      const patchesBefore = client.callsOf('mergePatch').length;
      const stale = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        .send({ ...body, planDigest: shown.body.digest });
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toContain('planDigest');
      expect(client.callsOf('mergePatch')).toHaveLength(patchesBefore);
      expect(client.callsOf('createEvent')).toEqual([]);
      const log = await request(app)
        .get('/health/repairs')
        .set('Authorization', ownerHeader);
      expect(log.body.items).toEqual([]);

      const replanned = await request(app)
        .post('/health/repairs/plan')
        .set('Authorization', ownerHeader)
        .send(body);
      expect(replanned.body.digest).not.toBe(shown.body.digest);
      const applied = await request(app)
        .post('/health/repairs')
        .set('Authorization', ownerHeader)
        .send({ ...body, planDigest: replanned.body.digest });
      expect(applied.body.outcome).toBe('applied');
    } finally {
      watcher.stop();
    }
  });

  it('resyncs with the source, and refuses a suspended object', async () => {
    const { client, watcher, repairs } = await setup();
    try {
      const request_ = {
        cluster: 'local',
        type: 'resync' as const,
        target: { kind: 'Kustomization', namespace: 'apps', name: 'app' },
      };
      const record = await repairs.apply(
        request_,
        'user:default/owner',
        {} as any,
      );
      expect(record.outcome).toBe('applied');
      expect(
        client.callsOf('mergePatch').map(([address]) => address.kind),
      ).toEqual(['GitRepository', 'Kustomization']);
      await client.mergePatch(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          namespace: 'apps',
          name: 'app',
        },
        { spec: { suspend: true } },
      );
      await expect(repairs.plan(request_)).rejects.toThrow('is suspended');
      await expect(
        repairs.plan({ ...request_, target: undefined }),
      ).rejects.toThrow('needs a target object');
      await expect(
        repairs.plan({
          ...request_,
          target: { kind: 'Kustomization', name: 'x' },
        }),
      ).rejects.toThrow('not found in cluster local');
    } finally {
      watcher.stop();
    }
  });

  it('deletes only the objects whose entity left the catalog, and records a failure', async () => {
    const { client, watcher, repairs } = await setup();
    try {
      const plan = await repairs.plan({
        cluster: 'local',
        type: 'remove-zombies',
      });
      expect(plan.steps.map(s => s.object.name)).toEqual(['orphan']);
      expect(plan.warnings[0]).toContain('prune: true');
      client.failNext('delete', new Error('admission webhook said no'));
      const failed = await repairs.apply(
        { cluster: 'local', type: 'remove-zombies' },
        'service:ops',
        {} as any,
      );
      expect(failed).toMatchObject({
        outcome: 'failed',
        error: 'admission webhook said no',
      });
      // Re-created under its name since the watch saw it: not the listed one.
      const listed = client.get('Kustomization', 'apps', 'orphan');
      client.add({
        ...listed,
        metadata: { ...listed.metadata, uid: 'uid-newcomer' },
      });
      const refused = await repairs.apply(
        { cluster: 'local', type: 'remove-zombies' },
        'service:ops',
        {} as any,
      );
      expect(refused.outcome).toBe('failed');
      expect(client.get('Kustomization', 'apps', 'orphan')).toBeDefined();
      client.add(listed);
      const applied = await repairs.apply(
        { cluster: 'local', type: 'remove-zombies' },
        'service:ops',
        {} as any,
      );
      expect(applied.outcome).toBe('applied');
      expect(client.callsOf('delete').at(-1)?.[1]).toEqual({
        uid: 'uid-orphan',
      });
      expect(client.get('Kustomization', 'apps', 'orphan')).toBeUndefined();
      expect(client.get('Kustomization', 'apps', 'kept')).toBeDefined();
    } finally {
      watcher.stop();
    }
  });

  it('runs checks on demand with the permission, keeps reports, and repairs unattended only what config allows', async () => {
    const { client, watcher, app, diagnostics } = await setup([
      'restart-controller',
    ]);
    try {
      expect(
        (
          await request(app)
            .post('/health/run')
            .set('Authorization', strangerHeader)
            .send({})
        ).status,
      ).toBe(403);
      const run = await request(app)
        .post('/health/run')
        .set('Authorization', ownerHeader)
        .send({ cluster: 'local' });
      expect(run.status).toBe(200);
      expect(run.body.items[0]).toMatchObject({
        cluster: 'local',
        triggeredBy: 'user:default/owner',
      });
      const bad = await request(app)
        .post('/health/run')
        .set('Authorization', ownerHeader)
        .send({ cluster: '' });
      expect(bad.status).toBe(400);
      const unknown = await request(app)
        .post('/health/run')
        .set('Authorization', ownerHeader)
        .send({ cluster: 'mars' });
      expect(unknown.status).toBe(404);

      await diagnostics.runScheduled();
      expect(
        client
          .callsOf('mergePatch')
          .map(([address]) => `${address.kind}/${address.name}`),
      ).toEqual(['Deployment/helm-controller']);

      const latest = await request(app)
        .get('/health')
        .set('Authorization', ownerHeader);
      expect(latest.body.items[0].trigger).toBe('schedule');
      const reports = await request(app)
        .get('/health/clusters/local/reports?limit=5')
        .set('Authorization', ownerHeader);
      expect(reports.body.items).toHaveLength(2);
      expect((await request(app).get('/health')).status).toBe(401);
    } finally {
      watcher.stop();
    }
  });
  describe('a new deploy key for a source that lost its own', () => {
    const title = 'flux shop staging';
    /** The Git host's deploy-key API, the one port this stands on. */
    function gitHost() {
      const keys = [
        { id: 1, title, key: 'ssh-ed25519 AAAAold', read_only: true },
        // Same title, another cluster's environment: never this repair's.
        { id: 2, title, key: 'ssh-ed25519 AAAAother', read_only: true },
      ];
      let next = 3;
      const fetchImpl = (async (url: string, init: RequestInit) => {
        if (init.method === 'POST') {
          const key = { id: next++, ...JSON.parse(String(init.body)) };
          keys.push(key);
          return new Response(JSON.stringify(key), { status: 201 });
        }
        if (init.method === 'DELETE') {
          const id = Number(url.split('/').pop());
          const index = keys.findIndex(k => k.id === id);
          if (index < 0) return new Response('{}', { status: 404 });
          keys.splice(index, 1);
          return new Response(null, { status: 204 });
        }
        return new Response(JSON.stringify(keys), { status: 200 });
      }) as unknown as typeof fetch;
      return { keys, fetch: fetchImpl };
    }

    /** The Secret as project initialization wrote it: the old key. */
    const heldSecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'keyed-auth',
        namespace: 'apps',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
      },
      type: 'Opaque',
      data: {
        identity: 'b2xk',
        'identity.pub': Buffer.from('ssh-ed25519 AAAAold').toString('base64'),
      },
    };
    const storedKey = (client: FakeClusterClient) =>
      Buffer.from(
        client.get('Secret', 'apps', 'keyed-auth').data['identity.pub'],
        'base64',
      ).toString();

    async function withKeyedSource(host: ReturnType<typeof gitHost>) {
      const fixture = await setup([], host.fetch);
      fixture.client.emit(
        'ADDED',
        flux.gitRepository('keyed', 'apps', {
          url: 'ssh://git@git.example.com/team/shop.git',
          entityRef: 'component:default/shop',
          secret: 'keyed-auth',
          labels: {
            'backstage.io/kubernetes-id': 'shop',
            'gitops.backstage.io/environment': 'staging',
          },
        }),
        'gitrepositories',
      );
      fixture.client.add(heldSecret);
      const refresh = {
        cluster: 'local',
        type: 'refresh-git-credentials' as const,
        target: { kind: 'GitRepository', namespace: 'apps', name: 'keyed' },
      };
      return { ...fixture, refresh };
    }

    /** Runs a test on the keyed source, with a repair applied as its owner. */
    async function onKeyedSource(
      test: (
        fixture: Awaited<ReturnType<typeof withKeyedSource>> & {
          host: ReturnType<typeof gitHost>;
          applyAsOwner: () => Promise<RepairRecord>;
        },
      ) => Promise<void>,
    ) {
      const host = gitHost();
      const fixture = await withKeyedSource(host);
      try {
        await test({
          ...fixture,
          host,
          applyAsOwner: () =>
            fixture.repairs.apply(
              fixture.refresh,
              'user:default/owner',
              mockCredentials.user(),
            ),
        });
      } finally {
        fixture.watcher.stop();
      }
    }

    it('removes the key the Secret held once it holds the new one, written as project initialization writes it', async () => {
      await onKeyedSource(async ({ client, host, applyAsOwner }) => {
        const record = await applyAsOwner();
        expect(record.outcome).toBe('applied');
        expect(host.keys.map(k => k.key)).toEqual([
          'ssh-ed25519 AAAAother',
          storedKey(client),
        ]);
        const [[written, manager, force]] = client.callsOf('serverSideApply');
        expect([manager, force]).toEqual(['backstage-gitops', true]);
        expect(written.metadata.labels).toEqual(heldSecret.metadata.labels);
      });
    });

    it('withdraws the new key and keeps the previous one when the Secret cannot be written', async () => {
      await onKeyedSource(async ({ client, host, applyAsOwner }) => {
        client.failNext('serverSideApply', apiError(500, 'InternalError'));
        const record = await applyAsOwner();
        expect(record.outcome).toBe('failed');
        expect(host.keys.map(k => k.key)).toEqual([
          'ssh-ed25519 AAAAold',
          'ssh-ed25519 AAAAother',
        ]);
        expect(client.get('Secret', 'apps', 'keyed-auth').data).toEqual(
          heldSecret.data,
        );
      });
    });

    it('keeps the new key when a write that answered an error landed after all', async () => {
      await onKeyedSource(async ({ client, host, applyAsOwner }) => {
        const apply = client.serverSideApply.bind(client);
        client.serverSideApply = async (...args) => {
          await apply(...args);
          throw new Error('patching Secret apps/keyed-auth: timed out');
        };
        const record = await applyAsOwner();
        expect(record.outcome).toBe('applied');
        expect(host.keys.map(k => k.key)).toEqual([
          'ssh-ed25519 AAAAother',
          storedKey(client),
        ]);
      });
    });

    it('issues no key for a repository the entity was not registered from, though the URL names the portal as its writer', async () => {
      await onKeyedSource(async ({ client, repairs, refresh, host }) => {
        // Anyone may call a field manager backstage-gitops.
        const repo = client.get('GitRepository', 'apps', 'keyed');
        repo.spec.url = 'ssh://git@git.example.com/team/payments.git';
        client.emit('MODIFIED', repo, 'gitrepositories');
        await expect(
          repairs.apply(
            refresh,
            'service:scheduler',
            mockCredentials.service(),
          ),
        ).rejects.toThrow(
          'team/payments.git is not the repository component:default/shop was registered from (git.example.com/team/shop)',
        );
        expect(host.keys).toHaveLength(2);
        expect(client.callsOf('serverSideApply')).toEqual([]);
      });
    });
  });
});
