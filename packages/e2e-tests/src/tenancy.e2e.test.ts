import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import type {
  DeployPreview,
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import {
  callPortal,
  pollPortal,
  runTemplate,
  TaskRun,
} from './portal/portalApi';
import { userToken } from './portal/users';
import {
  catalogInfo,
  commitInHistory,
  registerComponent,
} from './portal/gitopsEntity';
import { appManifests } from './stack/fixtures';
import { applyFluxPair } from './stack/fluxPair';
import { loseDeployKey } from './stack/deployKeyLoss';
import { TestGitServer } from './stack/gitea';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

const run = promisify(execFile);
jest.setTimeout(600_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const ENVIRONMENTS = ['development', 'staging', 'production'];
const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';

/** A Kustomization as the cluster has it, with its Ready condition. */
async function kustomizationAt(namespace: string, name: string) {
  const object = await cluster.read<FluxObject>(
    KUSTOMIZE_API,
    'Kustomization',
    namespace,
    name,
  );
  return { object, ready: condition(object, 'Ready') };
}

const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36).slice(-5)}`;

/**
 * A tree that tries every way we know to make git run a command on the
 * backend: git config where HOME or XDG_CONFIG_HOME would find it (hooks
 * path, fsmonitor, pager, filter/diff/merge drivers), executable hooks and
 * attributes naming the drivers. Each command would leave a file in
 * `markers`.
 */
function hostileTree(markers: string): Record<string, string> {
  const touch = (name: string) => `touch ${path.join(markers, name)}`;
  const gitconfig = [
    '[core]',
    `  fsmonitor = "${touch('fsmonitor')}"`,
    '  hooksPath = hooks',
    `  pager = "${touch('pager')}; cat"`,
    '[filter "x"]',
    `  smudge = "${touch('smudge')}; cat"`,
    `  clean = "${touch('clean')}; cat"`,
    '[diff "x"]',
    `  textconv = "${touch('textconv')}; cat"`,
    `  command = "${touch('diff-command')}"`,
    '[merge "x"]',
    `  driver = "${touch('merge-driver')}"`,
    '',
  ].join('\n');
  const hook = (name: string) => `#!/bin/sh\n${touch(`hook-${name}`)}\n`;
  return {
    '.gitconfig': gitconfig,
    '.config/git/config': gitconfig,
    '.gitattributes': '* filter=x diff=x merge=x\n',
    ...Object.fromEntries(
      [
        'post-checkout',
        'pre-commit',
        'commit-msg',
        'post-commit',
        'pre-push',
        'pre-rebase',
        'post-rewrite',
        'reference-transaction',
        'fsmonitor-watchman',
      ].map(name => [`hooks/${name}`, hook(name)]),
    ),
  };
}

/** Pushes files (hooks executable) as one commit on main; answers its sha. */
async function pushTree(repo: string, files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-hostile-push-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-hostile-home-'));
  const auth = Buffer.from(
    `${git.basicAuth.username}:${git.basicAuth.password}`,
  ).toString('base64');
  const gitIn = (...args: string[]) =>
    run(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: Basic ${auth}`,
        '-c',
        'user.name=e2e-tests',
        '-c',
        'user.email=e2e-tests@example.com',
        ...args,
      ],
      // The test's own git must not read the hostile files either.
      { cwd: dir, env: { PATH: process.env.PATH, HOME: home } },
    );
  try {
    await gitIn('init', '-q', '-b', 'main');
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content, {
        mode: file.startsWith('hooks/') ? 0o755 : 0o644,
      });
    }
    await gitIn('add', '-A');
    await gitIn('commit', '-q', '-m', 'hostile tree');
    await gitIn('remote', 'add', 'origin', git.repoUrl(repo));
    await gitIn('push', '-q', 'origin', 'HEAD:main');
    return (await gitIn('rev-parse', 'HEAD')).stdout.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

describe('Tenancy and trust on the real stack', () => {
  const namespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(namespaces.map(n => cluster.deleteNamespace(n)));
  });

  describe('a repository whose tree carries hostile git config, hooks and attributes', () => {
    const id = uniqueName('e2e-hostile');
    const entityPath = `/api/gitops/entities/component/default/${id}`;
    const markers = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-markers-'));
    let namespace: string;
    let repo: string;
    let firstSha: string;

    beforeAll(async () => {
      namespace = await cluster.createNamespace('e2e-hostile');
      namespaces.push(namespace);
      repo = await git.createRepo('e2e-hostile');
      firstSha = await pushTree(repo, {
        ...appManifests('nginx:1.27'),
        'catalog-info.yaml': catalogInfo(id),
        ...hostileTree(markers),
      });
      await registerComponent(env, repo, id);
      await applyFluxPair(cluster, git, {
        namespace,
        name: 'development',
        repo,
        entityRef: `component:default/${id}`,
        labels: {
          'backstage.io/kubernetes-id': id,
          'gitops.backstage.io/environment': 'development',
        },
        kustomization: { namePrefix: undefined },
      });
    });

    afterAll(() => fs.rmSync(markers, { recursive: true, force: true }));

    it('previews and deploys through Git without running anything the tree carries', async () => {
      // Flux applied the tree and the portal saw it (reading it from Git).
      await commitInHistory(entityPath, firstSha);
      const changes = { image: 'nginx:1.28', env: { HOSTILE: 'no' } };
      const preview = await callPortal(`${entityPath}/deploys/preview`, {
        method: 'POST',
        body: { environment: 'development', changes },
      });
      expect({
        status: preview.status,
        error: preview.ok ? undefined : await preview.text(),
      }).toEqual({ status: 200, error: undefined });
      const shown: DeployPreview = await preview.json();
      expect(shown.diff).toContain('+          image: nginx:1.28');

      const response = await callPortal(`${entityPath}/deploys`, {
        method: 'POST',
        body: {
          environment: 'development',
          changes,
          message: 'deploy from a hostile tree',
          expectedOverlayDigest: shown.overlayDigest,
        },
      });
      expect(response.status).toBe(201);
      const { deploy }: DeployResult = await response.json();
      const settled = await waitFor(
        `deploy ${deploy.id} to finish`,
        async () => {
          const state: DeployRecord = await (
            await pollPortal(`${entityPath}/deploys/${deploy.id}`)
          ).json();
          return ['succeeded', 'failed'].includes(state.status)
            ? state
            : undefined;
        },
        180_000,
      );
      expect(settled.status).toBe('succeeded');
      const [head] = await git.log(repo);
      expect(head).toMatchObject({
        sha: settled.commitSha,
        message: 'deploy from a hostile tree',
      });
      const deployment = await cluster.read<any>(
        'apps/v1',
        'Deployment',
        namespace,
        'hello',
      );
      expect(deployment.spec.template.spec.containers[0].image).toBe(
        'nginx:1.28',
      );
      // The history reads the commits too (git show / log): still nothing.
      await callPortal(`${entityPath}/deploys`);
      expect(fs.readdirSync(markers)).toEqual([]);
    });
  });

  describe('a real project initialization', () => {
    const name = uniqueName('e2e-tenant');
    let task: TaskRun;
    let taskEvents: string;

    // Created by a member of another team than the guest's: a template
    // only creates projects for the initiator's own groups, and the guest
    // may not change it afterwards.
    const creatorToken = () =>
      userToken(env, 'user:default/tenancy-other', [
        'user:default/tenancy-other',
        'group:default/tenancy-other-team',
      ]);

    beforeAll(async () => {
      namespaces.push(...ENVIRONMENTS.map(e => `project-${name}-${e}`));
      const token = creatorToken();
      task = await runTemplate(
        'gitops-service',
        {
          name,
          owner: 'group:default/tenancy-other-team',
          description: 'tenancy e2e',
          environments: ENVIRONMENTS,
          image: 'nginx:1.27',
          replicas: 1,
          environmentSettings: { production: { autoSync: true } },
          repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
            env.GITEA_ORG
          }&repo=${name}`,
        },
        undefined,
        token,
      );
      taskEvents = await (
        await callPortal(`/api/scaffolder/v2/tasks/${task.id}/events`, {
          token,
        })
      ).text();
    });

    it('completes with a read-only deploy key over SSH and an impersonated ServiceAccount per environment', async () => {
      expect({ status: task.status, log: task.log.slice(-5) }).toMatchObject({
        status: 'completed',
      });
      const keys = await git.deployKeys(name);
      expect(
        keys.map(k => ({ title: k.title, readOnly: k.read_only })),
      ).toEqual(
        expect.arrayContaining(
          ENVIRONMENTS.map(e => ({
            title: `flux ${name} ${e}`,
            readOnly: true,
          })),
        ),
      );
      expect(keys).toHaveLength(3);

      for (const environment of ENVIRONMENTS) {
        const namespace = `project-${name}-${environment}`;
        const secret = await cluster.core.readNamespacedSecret({
          name: `${name}-git-auth`,
          namespace,
        });
        expect(Object.keys(secret.data ?? {}).sort()).toEqual([
          'identity',
          'identity.pub',
          'known_hosts',
        ]);
        const source = await cluster.read<FluxObject>(
          SOURCE_API,
          'GitRepository',
          namespace,
          `${name}-repo`,
        );
        expect(source.spec?.url).toBe(
          `ssh://git@127.0.0.1:3322/${env.GITEA_ORG}/${name}.git`,
        );
        expect(condition(source, 'Ready')?.status).toBe('True');
        const { object: kustomization, ready } = await kustomizationAt(
          namespace,
          `${name}-${environment}`,
        );
        expect(kustomization.spec?.serviceAccountName).toBe(
          `${name}-${environment}`,
        );
        expect(ready?.status).toBe('True');
        const binding = await cluster.read<any>(
          'rbac.authorization.k8s.io/v1',
          'RoleBinding',
          namespace,
          `${name}-${environment}`,
        );
        expect(binding.roleRef).toEqual({
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'admin',
        });
        // Applied by kustomize-controller as that ServiceAccount.
        await cluster.apps.readNamespacedDeployment({ name, namespace });
      }
    });

    it('shows no credential in the task log, its output, the task events or the portal log', async () => {
      const secrets: Record<string, string> = {
        'Gitea admin password': env.GITEA_ADMIN_PASSWORD,
        'Gitea token': env.GITEA_TOKEN,
        'basic auth of the integration': `${env.GITEA_ADMIN_USER}:${env.GITEA_ADMIN_PASSWORD}`,
        'cluster service-account token': (env as any).K8S_SA_TOKEN,
        'cluster admin token': (env as any).K8S_ADMIN_TOKEN,
      };
      for (const environment of ENVIRONMENTS) {
        const secret = await cluster.core.readNamespacedSecret({
          name: `${name}-git-auth`,
          namespace: `project-${name}-${environment}`,
        });
        const pem = Buffer.from(secret.data!.identity, 'base64').toString();
        // The key material: the PEM body without its armour lines.
        secrets[`deploy key of ${environment}`] = pem
          .split('\n')
          .filter(line => line && !line.startsWith('-----'))
          .join('');
        secrets[`deploy key Secret value of ${environment}`] =
          secret.data!.identity;
      }
      const portalLog = fs.readFileSync(
        repoPath('test-results/portal.log'),
        'utf8',
      );
      const places: Record<string, string> = {
        'task log': task.log.join('\n'),
        'task output': JSON.stringify(task.output ?? {}),
        'task events': taskEvents,
        'portal log': portalLog,
      };
      const leaks: string[] = [];
      for (const [what, value] of Object.entries(secrets)) {
        expect(value?.length).toBeGreaterThan(8);
        const forms = [value, Buffer.from(value).toString('base64')];
        for (const [where, text] of Object.entries(places)) {
          if (forms.some(form => text.includes(form))) {
            leaks.push(`${what} in the ${where}`);
          }
        }
      }
      expect(leaks).toEqual([]);
      expect(task.log.join('\n')).toMatch(/read-only deploy key added/);

      // Nor in any Secret of the tenant's namespaces.
      for (const environment of ENVIRONMENTS) {
        const list = await cluster.core.listNamespacedSecret({
          namespace: `project-${name}-${environment}`,
        });
        const decoded = list.items
          .flatMap(s => Object.values(s.data ?? {}))
          .map(v => Buffer.from(v, 'base64').toString())
          .join('\n');
        expect(decoded).not.toContain(env.GITEA_ADMIN_PASSWORD);
        expect(decoded).not.toContain(env.GITEA_TOKEN);
      }
    });

    /**
     * Commits files into an environment's overlay (listed in its
     * kustomization.yaml) and asks Flux to apply now; answers the commit.
     */
    async function commitToOverlay(
      environment: string,
      files: Record<string, string>,
      message: string,
      other: Record<string, string> = {},
    ): Promise<string> {
      const dir = `k8s/overlays/${environment}`;
      const current = await (
        await fetch(
          `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${name}/raw/${dir}/kustomization.yaml?ref=main`,
          { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
        )
      ).text();
      const kustomization = parse(current);
      kustomization.resources = [
        ...kustomization.resources,
        ...Object.keys(files),
      ];
      const sha = await git.commit(
        name,
        {
          ...other,
          [`${dir}/kustomization.yaml`]: stringify(kustomization),
          ...Object.fromEntries(
            Object.entries(files).map(([file, text]) => [
              `${dir}/${file}`,
              text,
            ]),
          ),
        },
        message,
      );
      const namespace = `project-${name}-${environment}`;
      const requestedAt = new Date().toISOString();
      for (const [apiVersion, kind, objectName] of [
        [SOURCE_API, 'GitRepository', `${name}-repo`],
        [KUSTOMIZE_API, 'Kustomization', `${name}-${environment}`],
      ]) {
        await cluster.mergePatch(apiVersion, kind, namespace, objectName, {
          metadata: {
            annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
          },
        });
      }
      return sha;
    }

    it('contains a tenant repository that creates cluster-scoped objects or writes to another namespace', async () => {
      const escape = `e2e-escape-${name}`;
      const sha = await commitToOverlay(
        'development',
        {
          'escape.yaml': [
            stringify({
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRole',
              metadata: { name: escape },
              rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
            }),
            stringify({
              apiVersion: 'v1',
              kind: 'Namespace',
              metadata: { name: escape },
            }),
            stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: escape, namespace: 'default' },
              data: { escaped: 'yes' },
            }),
          ].join('---\n'),
        },
        'try to escape the namespace',
      );
      const namespace = `project-${name}-development`;
      const failed = await waitFor(
        'the Kustomization to refuse the new revision',
        async () => {
          const { object, ready } = await kustomizationAt(
            namespace,
            `${name}-development`,
          );
          return object.status?.lastAttemptedRevision === `main@sha1:${sha}` &&
            ready?.status === 'False'
            ? ready
            : undefined;
        },
        180_000,
      );
      expect(failed.message).toMatch(/forbidden/i);
      expect(failed.message).toContain(
        `system:serviceaccount:${namespace}:${name}-development`,
      );
      const absent = async (read: () => Promise<unknown>) =>
        read().then(
          () => 'exists',
          (error: any) => (error.code === 404 ? 'absent' : String(error)),
        );
      expect({
        clusterRole: await absent(() =>
          cluster.read(
            'rbac.authorization.k8s.io/v1',
            'ClusterRole',
            '',
            escape,
          ),
        ),
        namespace: await absent(() =>
          cluster.core.readNamespace({ name: escape }),
        ),
        configMapInDefault: await absent(() =>
          cluster.core.readNamespacedConfigMap({
            name: escape,
            namespace: 'default',
          }),
        ),
      }).toEqual({
        clusterRole: 'absent',
        namespace: 'absent',
        configMapInDefault: 'absent',
      });
    });

    it("may not use another environment's source: the stack runs Flux's cross-namespace lockdown", async () => {
      const namespace = `project-${name}-development`;
      const borrower = `e2e-borrow-${name}`.slice(0, 60);
      await cluster.apply({
        apiVersion: KUSTOMIZE_API,
        kind: 'Kustomization',
        metadata: { name: borrower, namespace },
        spec: {
          sourceRef: {
            kind: 'GitRepository',
            name: `${name}-repo`,
            namespace: `project-${name}-staging`,
          },
          path: './k8s/overlays/staging',
          prune: true,
          interval: '1h',
          targetNamespace: namespace,
          namePrefix: 'borrowed-',
          serviceAccountName: `${name}-development`,
        },
      } as FluxObject);
      try {
        const refused = await waitFor(
          'the controller to refuse the cross-namespace source',
          async () => {
            const { ready } = await kustomizationAt(namespace, borrower);
            return ready?.status === 'False' ? ready : undefined;
          },
          60_000,
        );
        expect(refused.message).toMatch(/cross-namespace/i);
        const { object } = await kustomizationAt(namespace, borrower);
        expect(object.status?.lastAppliedRevision).toBeUndefined();
      } finally {
        await cluster.objects.delete({
          apiVersion: KUSTOMIZE_API,
          kind: 'Kustomization',
          metadata: { name: borrower, namespace },
        });
      }
    });

    it("contains a Kustomization the tenant repository adds that names no ServiceAccount: it applies as the namespace's default one", async () => {
      const namespace = `project-${name}-production`;
      const nested = `e2e-nested-${name}`.slice(0, 60);
      const escalated = `e2e-escalated-${name}`.slice(0, 60);
      // The tenant's ServiceAccount has `admin` here, which includes Flux's
      // kinds: it may create a Kustomization, with no serviceAccountName.
      const sha = await commitToOverlay(
        'production',
        {
          'nested.yaml': stringify({
            apiVersion: KUSTOMIZE_API,
            kind: 'Kustomization',
            metadata: { name: nested, namespace },
            spec: {
              sourceRef: { kind: 'GitRepository', name: `${name}-repo` },
              path: './escalate',
              prune: false,
              interval: '1h',
            },
          }),
        },
        'add a Kustomization of our own',
        {
          'escalate/namespace.yaml': stringify({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: escalated },
          }),
        },
      );
      await waitFor(
        'the tenant Kustomization to apply its nested one',
        async () => {
          const { object } = await kustomizationAt(
            namespace,
            `${name}-production`,
          );
          return object.status?.lastAppliedRevision === `main@sha1:${sha}`
            ? true
            : undefined;
        },
        180_000,
      );
      const refused = await waitFor(
        'the nested Kustomization to be refused the Namespace',
        async () => {
          const { ready } = await kustomizationAt(namespace, nested);
          return ready?.status === 'False' &&
            /forbidden/i.test(ready.message ?? '')
            ? ready
            : undefined;
        },
        180_000,
      );
      expect(refused.message).toContain(
        `system:serviceaccount:${namespace}:default`,
      );
      await expect(
        cluster.core.readNamespace({ name: escalated }),
      ).rejects.toMatchObject({ code: 404 });
    });

    it('re-issues a lost deploy key with the repair, never the integration credential', async () => {
      const namespace = `project-${name}-staging`;
      const source = `${name}-repo`;
      const lost = await loseDeployKey(cluster, git, {
        repo: name,
        keyTitle: `flux ${name} staging`,
        namespace,
        source,
      });

      const request = {
        cluster: 'local',
        type: 'refresh-git-credentials',
        target: { kind: 'GitRepository', namespace, name: source },
      };
      const planned = await callPortal('/api/gitops/health/repairs/plan', {
        method: 'POST',
        body: request,
      });
      expect(planned.status).toBe(200);
      const plan = await planned.json();
      expect(plan.summary).toMatch(
        new RegExp(
          `Issue a new read-only deploy key for ${env.GITEA_ORG}/${name}`,
        ),
      );
      expect(JSON.stringify(plan)).not.toContain(env.GITEA_ADMIN_PASSWORD);
      // A repair applies only the plan shown: its digest goes with it.
      const applied = await callPortal('/api/gitops/health/repairs', {
        method: 'POST',
        body: { ...request, planDigest: plan.digest },
      });
      expect(applied.status).toBe(200);
      expect((await applied.json()).outcome).toBe('applied');

      await waitFor(
        'the source Ready again with the new key',
        async () => {
          const object = await cluster.read<FluxObject>(
            SOURCE_API,
            'GitRepository',
            namespace,
            source,
          );
          return condition(object, 'Ready')?.status === 'True'
            ? true
            : undefined;
        },
        120_000,
      );
      const reissued = (await git.deployKeys(name)).filter(
        k => k.title === `flux ${name} staging`,
      );
      expect(reissued.map(k => k.read_only)).toEqual([true]);
      expect(reissued[0].id).not.toBe(lost.id);
      const secret = await cluster.core.readNamespacedSecret({
        name: `${name}-git-auth`,
        namespace,
      });
      const decoded = Object.values(secret.data ?? {})
        .map(v => Buffer.from(v, 'base64').toString())
        .join('\n');
      expect(decoded).toContain(
        reissued[0].key.split(' ').slice(0, 2).join(' '),
      );
      expect(decoded).not.toContain(env.GITEA_ADMIN_PASSWORD);
      expect(decoded).not.toContain(env.GITEA_TOKEN);
    });

    it("refuses to take over another project's id, and changes nothing of it", async () => {
      const attacker = await git.createRepo('e2e-takeover');
      await git.commit(attacker, { 'README.md': 'mine\n' }, 'attacker');
      const before = await cluster.read<FluxObject>(
        SOURCE_API,
        'GitRepository',
        `project-${name}-development`,
        `${name}-repo`,
      );
      const takeover = await runTemplate('gitops-onboard', {
        name,
        repoUrl: git.repoUrl(attacker),
        environments: ['development'],
      });
      expect(takeover.status).toBe('failed');
      expect(takeover.log.join('\n')).toContain(
        `entityRef: component:default/${name} is owned by group:default/tenancy-other-team; only its owners may set up GitOps for it (gitops.deploy.create); nothing was applied`,
      );
      const after = await cluster.read<FluxObject>(
        SOURCE_API,
        'GitRepository',
        `project-${name}-development`,
        `${name}-repo`,
      );
      expect(after.spec?.url).toBe(before.spec?.url);
      expect(after.metadata?.resourceVersion).toBe(
        before.metadata?.resourceVersion,
      );
      expect(await git.deployKeys(attacker)).toEqual([]);
    });
  });

  it.each([
    ['gitops-service', 'kube-system'],
    ['gitops-service', 'flux-system'],
    ['gitops-onboard', 'kube-system'],
  ])(
    'refuses a %s run that asks for namespace %s before anything runs',
    async (template, namespace) => {
      const name = uniqueName('e2e-ns');
      const response = await callPortal('/api/scaffolder/v2/tasks', {
        method: 'POST',
        body: {
          templateRef: `template:default/${template}`,
          values: {
            name,
            owner: 'group:default/guests',
            environments: ['development'],
            image: 'nginx:1.27',
            repoUrl:
              template === 'gitops-onboard'
                ? git.repoUrl(name)
                : `${new URL(env.GITEA_URL).host}?owner=${
                    env.GITEA_ORG
                  }&repo=${name}`,
            environmentSettings: { development: { namespace } },
          },
        },
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/additional propert/i);
      const secrets = await cluster.core.listNamespacedSecret({ namespace });
      expect(
        secrets.items.filter(s => s.metadata?.name?.startsWith(name)),
      ).toEqual([]);
    },
  );
});
