import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ApiextensionsV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import {
  classifyFluxFailure,
  HealthFinding,
  HealthReport,
  RepairPlan,
  RepairRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import { SAMPLE_FAILURE } from './sampleData/seed';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { applyFluxPair, FluxPairOptions, SOURCE_API } from './stack/fluxPair';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(240_000);

const run = promisify(execFile);
const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);
const FLUX_NS = env.FLUX_NAMESPACE;

async function runHealthCheck(): Promise<HealthReport> {
  const response = await callPortal('/api/gitops/health/run', {
    method: 'POST',
    body: { cluster: 'local' },
  });
  expect(response.status).toBe(200);
  const { items } = await response.json();
  return items[0];
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function plan(body: unknown): Promise<RepairPlan> {
  const response = await callPortal('/api/gitops/health/repairs/plan', {
    method: 'POST',
    body,
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** Applies the repair's current plan (the plan names itself by digest). */
async function repair(body: object): Promise<RepairRecord> {
  const { digest } = await plan(body);
  const response = await callPortal('/api/gitops/health/repairs', {
    method: 'POST',
    body: { ...body, planDigest: digest },
  });
  expect(response.status).toBe(200);
  return response.json();
}

interface PortalNotification {
  payload: { title: string; severity: string; link?: string };
}

/** The guest's notifications, newest first. */
async function notifications(): Promise<PortalNotification[]> {
  const response = await callPortal(
    '/api/notifications/notifications?limit=50',
  );
  expect(response.status).toBe(200);
  return (await response.json()).notifications;
}

/** Runs health checks until one has the finding, and returns it. */
async function findingFor(
  description: string,
  match: (f: HealthFinding) => boolean,
  timeoutMs = 90_000,
): Promise<HealthFinding> {
  return waitFor(
    `a finding: ${description}`,
    async () => (await runHealthCheck()).findings.find(match),
    timeoutMs,
  );
}

/** The failure the sample data keeps on purpose (see SAMPLE_FAILURE). */
const isSampleFailure = (f: HealthFinding) =>
  f.code === SAMPLE_FAILURE.code &&
  f.object?.kind === SAMPLE_FAILURE.kind &&
  f.object?.namespace === SAMPLE_FAILURE.namespace &&
  f.object?.name === SAMPLE_FAILURE.name;

const about =
  (namespace: string, name: string, kind?: string) => (f: HealthFinding) =>
    f.object?.namespace === namespace &&
    f.object?.name === name &&
    (!kind || f.object?.kind === kind);

describe('diagnostics on the real stack: one fault each', () => {
  let namespace: string;
  let repo: string;

  beforeAll(async () => {
    namespace = await cluster.createNamespace('e2e-diag');
    // Claimed for the example entity, as project initialization claims its
    // Namespaces: failure notifications go only to the entity the object's
    // Namespace is claimed for (the wrong-password case below).
    await cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: namespace,
          annotations: {
            'gitops.backstage.io/entity-ref':
              'component:default/example-website',
          },
        },
      },
      'backstage-gitops',
    );
    repo = await git.createRepo('e2e-diag');
    await git.commit(
      repo,
      {
        ...appManifests('nginx:1.27'),
        'broken/kustomization.yaml': 'resources: [deployment.yaml\n  - : :\n',
        'never-ready/kustomization.yaml': 'resources: [deployment.yaml]\n',
        'never-ready/deployment.yaml': appManifests('nginx:1.27')[
          'deploy/deployment.yaml'
        ].replace(
          '    spec:\n',
          '    spec:\n      nodeSelector:\n        e2e.gitops/no-such-node: "true"\n',
        ),
      },
      'manifests with faults',
    );
  });

  afterAll(async () => {
    if (namespace) {
      await cluster.deleteNamespace(namespace);
    }
  });

  const fluxPair = (
    name: string,
    options: Omit<FluxPairOptions, 'namespace' | 'name' | 'repo'> = {},
  ) => applyFluxPair(cluster, git, { namespace, name, repo, ...options });

  it('a healthy cluster passes every check (the sample data aside: its one failure is all it reports)', async () => {
    // Objects other test files delete may take a moment to go: wait until
    // nothing but the sample failure is reported (it is there when a file
    // that seeds ran first), and show what else was when that never happens.
    let report: HealthReport | undefined;
    const unexpected = (r: HealthReport) =>
      r.findings.filter(f => !isSampleFailure(f));
    // The sample failure can fail the Git and sync checks, nothing else.
    const expectedStatus = (r: HealthReport, id: string) =>
      ['git', 'sync'].includes(id) && r.findings.some(f => f.check === id)
        ? 'failed'
        : 'passed';
    await waitFor(
      'every check passed but for the sample failure',
      async () => {
        report = await runHealthCheck();
        const settled =
          unexpected(report).length === 0 &&
          report.checks.every(c => c.status === expectedStatus(report!, c.id));
        return settled ? report : undefined;
      },
      90_000,
    ).catch(error => {
      throw new Error(
        `${error.message}\n${JSON.stringify(
          {
            checks: report?.checks.filter(c => c.status !== 'passed'),
            findings: report?.findings.map(
              f => `${f.code} ${f.object?.namespace}/${f.object?.name}`,
            ),
          },
          null,
          2,
        )}`,
      );
    });
    expect(unexpected(report!)).toEqual([]);
    expect(report!.checks.map(c => c.id)).toEqual([
      'api',
      'flux',
      'permissions',
      'git',
      'sync',
      'network',
      'dependencies',
      'staleness',
    ]);
    for (const check of report!.checks) {
      expect([check.id, check.status]).toEqual([
        check.id,
        expectedStatus(report!, check.id),
      ]);
    }
    const summary = Object.fromEntries(
      report!.checks.map(c => [c.id, c.summary]),
    );
    expect(summary.api).toBe(`reachable, Kubernetes ${env.K8S_VERSION}`);
    expect(summary.flux).toMatch(/source-controller v1\.9\.3/);
    // Stored with its time: the latest report is the one just run.
    const latest = await (await callPortal('/api/gitops/health')).json();
    expect(
      latest.items.find((r: HealthReport) => r.cluster === 'local').id,
    ).toBe(report!.id);
  });

  it('a burst of ten health-check runs costs at most two runs, and the read routes answer meanwhile', async () => {
    const reportsSince = async (since: string) =>
      (
        (
          await (
            await callPortal(
              '/api/gitops/health/clusters/local/reports?limit=50',
            )
          ).json()
        ).items as HealthReport[]
      ).filter(r => r.startedAt >= since);
    const timedRead = async () => {
      const started = performance.now();
      const response = await callPortal('/api/gitops/clusters');
      expect(response.status).toBe(200);
      return performance.now() - started;
    };
    const idle: number[] = [];
    for (let n = 0; n < 5; n++) idle.push(await timedRead());

    const since = new Date().toISOString();
    const burst = Array.from({ length: 10 }, () =>
      callPortal('/api/gitops/health/run', {
        method: 'POST',
        body: { cluster: 'local' },
      }),
    );
    const during = await Promise.all(Array.from({ length: 5 }, timedRead));
    const answers = await Promise.all(burst);
    expect(answers.map(a => a.status)).toEqual(Array(10).fill(200));
    const ids = await Promise.all(
      answers.map(async a => (await a.json()).items[0].id as string),
    );
    // The first request's run, and one run after it shared by the rest
    // (a scheduled run may add a stored report of its own).
    const runs = new Set(ids).size;
    const stored = (await reportsSince(since)).map(r => r.id);
    expect([...new Set(ids)].filter(id => !stored.includes(id))).toEqual([]);
    expect(runs).toBeLessThanOrEqual(2);
    // eslint-disable-next-line no-console
    console.info(
      `health-check burst: 10 requests, ${runs} run(s); GET /clusters median ${median(
        idle,
      ).toFixed(0)} ms idle, ${median(during).toFixed(0)} ms during the burst`,
    );
  });

  it('a wrong Git password: GIT_AUTH_FAILED with the probe as evidence, no repair that would copy the integration credential', async () => {
    // Linked to an example entity owned by the guest's group, so the
    // guest is told when it fails and when it recovers.
    await fluxPair('wrong-password', {
      password: 'not-the-password',
      annotations: {
        'gitops.backstage.io/entity-ref': 'component:default/example-website',
      },
    });
    const failed = await waitFor('a failure notification', async () =>
      (
        await notifications()
      ).find(n =>
        n.payload.title.startsWith(
          `GIT_AUTH_FAILED: GitRepository ${namespace}/wrong-password is failing`,
        ),
      ),
    );
    expect(failed.payload).toMatchObject({
      severity: 'high',
      link: '/catalog/default/component/example-website/gitops',
    });
    const finding = await findingFor(
      'GIT_AUTH_FAILED for wrong-password',
      f =>
        f.code === 'GIT_AUTH_FAILED' &&
        about(namespace, 'wrong-password', 'GitRepository')(f),
    );
    expect(finding.check).toBe('git');
    expect(finding.evidence).toContain(
      `with the credentials of Secret ${namespace}/wrong-password-auth answered 401`,
    );
    expect(JSON.stringify(finding)).not.toContain('not-the-password');
    // The portal never copies its own credential into a namespace.
    expect(finding.repair).toBeUndefined();

    const refused = await callPortal('/api/gitops/health/repairs/plan', {
      method: 'POST',
      body: {
        cluster: 'local',
        type: 'refresh-git-credentials',
        target: {
          kind: 'GitRepository',
          namespace,
          name: 'wrong-password',
        },
      },
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(
      /not an SSH URL of a deploy-key host .*never copies its integration credential/,
    );

    // Fixed by its owner; the guest hears that it recovered.
    await fluxPair('wrong-password', {
      annotations: {
        'gitops.backstage.io/entity-ref': 'component:default/example-website',
      },
    });
    await cluster.mergePatch(
      SOURCE_API,
      'GitRepository',
      namespace,
      'wrong-password',
      {
        metadata: {
          annotations: {
            'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
          },
        },
      },
    );
    await waitFor(
      'GitRepository Ready after the fix',
      async () => {
        const source = await cluster.read<FluxObject>(
          SOURCE_API,
          'GitRepository',
          namespace,
          'wrong-password',
        );
        return condition(source, 'Ready')?.status === 'True' ? true : undefined;
      },
      120_000,
    );
    await waitFor('a recovery notification', async () =>
      (
        await notifications()
      ).find(
        n =>
          n.payload.title ===
          `Recovered: GitRepository ${namespace}/wrong-password is Ready in local`,
      ),
    );
  });

  it('a wrong repository URL: GIT_CLONE_FAILED from the probe and from Flux', async () => {
    await fluxPair('wrong-url', { url: git.repoUrl('no-such-repository') });
    const finding = await findingFor(
      'GIT_CLONE_FAILED for wrong-url',
      f =>
        f.code === 'GIT_CLONE_FAILED' &&
        about(namespace, 'wrong-url', 'GitRepository')(f),
    );
    expect(finding.evidence).toMatch(/answered 404/);
    const source = await waitFor('Flux to fail the wrong URL', async () => {
      const found = await cluster.read<FluxObject>(
        SOURCE_API,
        'GitRepository',
        namespace,
        'wrong-url',
      );
      return condition(found, 'Ready')?.status === 'False' ? found : undefined;
    });
    const ready = condition(source, 'Ready')!;
    expect(
      classifyFluxFailure({
        kind: 'GitRepository',
        reason: ready.reason,
        message: ready.message,
      }).code,
    ).toBe('GIT_CLONE_FAILED');
  });

  it('invalid YAML in the repository: YAML_INVALID with the build error', async () => {
    await fluxPair('broken-yaml', { path: './broken' });
    const finding = await findingFor(
      'YAML_INVALID for broken-yaml',
      f =>
        f.code === 'YAML_INVALID' &&
        about(namespace, 'broken-yaml', 'Kustomization')(f),
    );
    expect(finding.evidence).toMatch(/^Ready=False reason BuildFailed: /);
    expect(finding.fix.join('\n')).toContain(
      `flux -n ${namespace} reconcile kustomization broken-yaml --with-source`,
    );
  });

  it('a missing dependency: DEPENDENCY_MISSING from the chain check, DEPENDENCY_NOT_READY from Flux', async () => {
    await fluxPair('needs-ghost', {
      kustomization: { dependsOn: [{ name: 'ghost' }] },
    });
    const missing = await findingFor(
      'DEPENDENCY_MISSING for needs-ghost',
      f =>
        f.code === 'DEPENDENCY_MISSING' && about(namespace, 'needs-ghost')(f),
    );
    expect(missing.evidence).toBe(
      `spec.dependsOn names Kustomization/${namespace}/ghost, which does not exist in cluster local`,
    );
    const fromFlux = await findingFor(
      'DEPENDENCY_NOT_READY for needs-ghost',
      // The classifier names the missing dependency from the spec as soon as
      // the object fails (e.g. while its source still clones); wait for
      // Flux's own reason.
      f =>
        f.code === 'DEPENDENCY_NOT_READY' &&
        f.check === 'sync' &&
        about(namespace, 'needs-ghost')(f) &&
        /reason DependencyNotReady/.test(f.evidence),
    );
    expect(fromFlux.evidence).toMatch(/reason DependencyNotReady/);
  });

  it('a health check that times out (pods never Ready): HEALTH_CHECK_FAILED', async () => {
    await fluxPair('never-ready', {
      path: './never-ready',
      kustomization: { wait: true, timeout: '10s' },
    });
    const finding = await findingFor(
      'HEALTH_CHECK_FAILED for never-ready',
      f =>
        f.code === 'HEALTH_CHECK_FAILED' && about(namespace, 'never-ready')(f),
    );
    expect(finding.evidence).toMatch(
      /reason HealthCheckFailed: .*never-ready-hello/,
    );
    expect(finding.repair?.type).toBe('resync');
  });

  it('a stopped controller: CONTROLLER_UNHEALTHY, repaired by a rollout restart', async () => {
    await run(repoPath('stack', 'component'), [
      'stop',
      'notification-controller',
    ]);
    try {
      const finding = await findingFor(
        'CONTROLLER_UNHEALTHY',
        f =>
          f.code === 'CONTROLLER_UNHEALTHY' &&
          f.object?.name === 'notification-controller',
      );
      expect(finding.severity).toBe('critical');
      expect(finding.evidence).toMatch(
        new RegExp(
          `^Deployment ${FLUX_NS}/notification-controller: Available=False.*ready 0/1`,
        ),
      );
      const request = {
        cluster: 'local',
        type: 'restart-controller',
        target: finding.repair!.target,
      };
      expect((await plan(request)).steps[0].description).toContain(
        'kubectl.kubernetes.io/restartedAt',
      );
      expect((await repair(request)).outcome).toBe('applied');
      const report = await waitFor(
        'the controller Available again',
        async () => {
          const r = await runHealthCheck();
          return r.checks.find(c => c.id === 'flux')?.status === 'passed'
            ? r
            : undefined;
        },
      );
      expect(
        report.findings.filter(f => f.code === 'CONTROLLER_UNHEALTHY'),
      ).toEqual([]);
    } finally {
      await run(repoPath('stack', 'component'), [
        'start',
        'notification-controller',
      ]);
    }
  });

  it("a controller without Flux's tenancy lockdown: FLUX_LOCKDOWN_OFF naming the flag and how to set it", async () => {
    // The stack's helm-controller Deployment mirrors its process's flags;
    // the check reads the Deployment, as on any cluster.
    const address = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'helm-controller', namespace: FLUX_NS },
    };
    // A strategic merge patch: containers merge by name, args are replaced.
    const setArgs = (args: string[]) =>
      cluster.objects.patch({
        ...address,
        spec: {
          template: { spec: { containers: [{ name: 'manager', args }] } },
        },
      } as any);
    const deployment = await cluster.apps.readNamespacedDeployment({
      name: 'helm-controller',
      namespace: FLUX_NS,
    });
    const args = deployment.spec!.template.spec!.containers[0].args!;
    expect(args).toContain('--default-service-account=default');
    await setArgs(args.filter(a => !a.startsWith('--default-service-account')));
    try {
      const finding = await findingFor(
        'FLUX_LOCKDOWN_OFF',
        f =>
          f.code === 'FLUX_LOCKDOWN_OFF' &&
          f.object?.name === 'helm-controller',
      );
      expect(finding).toMatchObject({
        severity: 'warning',
        check: 'flux',
        evidence: `Deployment ${FLUX_NS}/helm-controller runs without --default-service-account`,
      });
      expect(finding.cause).toContain('cluster-wide rights');
      expect(finding.fix.join('\n')).toContain(
        `kubectl -n ${FLUX_NS} patch deployment helm-controller`,
      );
    } finally {
      await setArgs(args);
    }
    await waitFor('the Flux check passed again', async () =>
      (await runHealthCheck()).checks.find(c => c.id === 'flux')?.status ===
      'passed'
        ? true
        : undefined,
    );
  });

  it('a missing CRD: FLUX_NOT_INSTALLED naming it', async () => {
    const crds = cluster.config.makeApiClient(ApiextensionsV1Api);
    const name = 'buckets.source.toolkit.fluxcd.io';
    const saved = await crds.readCustomResourceDefinition({ name });
    await crds.deleteCustomResourceDefinition({ name });
    try {
      await waitFor(
        'the CRD gone',
        async () =>
          (await crds.readCustomResourceDefinition({ name }).then(
            () => false,
            () => true,
          )) || undefined,
      );
      const finding = await findingFor(
        'FLUX_NOT_INSTALLED',
        f => f.code === 'FLUX_NOT_INSTALLED',
      );
      expect(finding.severity).toBe('critical');
      expect(finding.evidence).toBe(
        `missing CustomResourceDefinitions: ${name}`,
      );
      expect(finding.fix[0]).toMatch(/^flux install/);
    } finally {
      const { metadata, spec } = saved;
      await crds.createCustomResourceDefinition({
        body: {
          metadata: {
            name: metadata!.name,
            labels: metadata!.labels,
            annotations: metadata!.annotations,
          },
          spec,
        } as V1CustomResourceDefinition,
      });
      await waitFor(
        'the CRD back',
        async () =>
          (
            await crds.readCustomResourceDefinition({ name })
          ).status?.conditions?.some(
            c => c.type === 'Established' && c.status === 'True',
          ) || undefined,
      );
    }
  });

  it('a CRD serving no version the portal reads: CRD_VERSION_UNSUPPORTED', async () => {
    const crds = cluster.config.makeApiClient(ApiextensionsV1Api);
    const name = 'buckets.source.toolkit.fluxcd.io';
    const saved = await crds.readCustomResourceDefinition({ name });
    const recreate = async (spec: V1CustomResourceDefinition['spec']) => {
      await crds.deleteCustomResourceDefinition({ name });
      await waitFor(
        'the CRD gone',
        async () =>
          (await crds.readCustomResourceDefinition({ name }).then(
            () => false,
            () => true,
          )) || undefined,
      );
      await crds.createCustomResourceDefinition({
        body: {
          metadata: {
            name,
            labels: saved.metadata!.labels,
            annotations: saved.metadata!.annotations,
          },
          spec,
        } as V1CustomResourceDefinition,
      });
      await waitFor(
        'the CRD established',
        async () =>
          (
            await crds.readCustomResourceDefinition({ name })
          ).status?.conditions?.some(
            c => c.type === 'Established' && c.status === 'True',
          ) || undefined,
      );
    };
    // No Bucket exists, so the CRD can be swapped for one serving and
    // storing only v1alpha1, a version the portal does not read.
    const schema =
      saved.spec.versions.find(v => v.name !== 'v1') ?? saved.spec.versions[0];
    await recreate({
      ...saved.spec,
      versions: [
        {
          ...schema,
          name: 'v1alpha1',
          served: true,
          storage: true,
          deprecated: undefined,
          deprecationWarning: undefined,
        },
      ],
    });
    try {
      const finding = await findingFor(
        'CRD_VERSION_UNSUPPORTED',
        f => f.code === 'CRD_VERSION_UNSUPPORTED' && f.object?.name === name,
      );
      expect(finding).toMatchObject({ severity: 'error', check: 'flux' });
      expect(finding.evidence).toMatch(
        /^served versions v1alpha1; the portal reads v1(, v1beta\d)*$/,
      );
    } finally {
      await recreate(saved.spec);
    }
    const restored = await runHealthCheck();
    expect(
      restored.findings.filter(f => f.code === 'CRD_VERSION_UNSUPPORTED'),
    ).toEqual([]);
  });

  it('RBAC forbidding the backend: INSUFFICIENT_PERMISSIONS with the denied verbs and the grant to run', async () => {
    const rbac = cluster.config.makeApiClient(RbacAuthorizationV1Api);
    const admin = await rbac.readClusterRoleBinding({
      name: 'backstage-cluster-admin',
    });
    const limited = 'e2e-backstage-read-only';
    // Read access to Flux and workloads only: the portal keeps watching.
    await rbac.createClusterRole({
      body: {
        metadata: { name: limited },
        rules: [
          {
            apiGroups: [
              'kustomize.toolkit.fluxcd.io',
              'helm.toolkit.fluxcd.io',
              'source.toolkit.fluxcd.io',
              'apps',
            ],
            resources: ['*'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: limited },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: limited,
        },
        subjects: [
          { kind: 'ServiceAccount', name: 'backstage', namespace: 'backstage' },
        ],
      },
    });
    await rbac.deleteClusterRoleBinding({ name: 'backstage-cluster-admin' });
    try {
      const finding = await findingFor(
        'INSUFFICIENT_PERMISSIONS',
        f => f.code === 'INSUFFICIENT_PERMISSIONS' && f.check === 'permissions',
      );
      expect(finding.evidence).toMatch(
        /^SelfSubjectAccessReview as system:serviceaccount:backstage:backstage denied: /,
      );
      expect(finding.evidence).toContain(
        'patch kustomizations.kustomize.toolkit.fluxcd.io (reconcile, suspend and resume)',
      );
      expect(finding.evidence).toContain('get secrets (check Git credentials)');
      expect(finding.evidence).not.toContain('list kustomizations');
      expect(finding.fix[1]).toBe(
        'kubectl create clusterrolebinding backstage-gitops --clusterrole=backstage-gitops --serviceaccount=backstage:backstage',
      );
    } finally {
      await rbac.createClusterRoleBinding({
        body: {
          metadata: { name: admin.metadata!.name },
          roleRef: admin.roleRef,
          subjects: admin.subjects,
        },
      });
      await rbac.deleteClusterRoleBinding({ name: limited });
      await rbac.deleteClusterRole({ name: limited });
    }
    const restored = await runHealthCheck();
    expect(restored.checks.find(c => c.id === 'permissions')?.status).toBe(
      'passed',
    );
  });

  // The stack's pods are kwok's (no CNI enforces NetworkPolicies) and the
  // Flux controllers run as processes, so no packet flow can be observed
  // here: the test applies the fix on the cluster and checks the check,
  // reading the cluster's policies, finds the flow allowed.
  it("a NetworkPolicy like seed 001's: NETWORK_POLICY_BLOCKED, cleared once its fix is applied on the cluster", async () => {
    const net = cluster.config.makeApiClient(NetworkingV1Api);
    const seedPolicy = {
      metadata: { name: 'e2e-allow-egress', namespace: FLUX_NS },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            ports: [
              { port: 443, protocol: 'TCP' },
              { port: 22, protocol: 'TCP' },
              { port: 6443, protocol: 'TCP' },
            ],
          },
        ],
      },
    };
    await net.createNamespacedNetworkPolicy({
      namespace: FLUX_NS,
      body: seedPolicy as any,
    });
    const created: string[] = ['e2e-allow-egress'];
    try {
      const blocked = (f: HealthFinding) =>
        f.code === 'NETWORK_POLICY_BLOCKED' &&
        f.evidence.startsWith('kustomize-controller → source-controller:9090');
      const finding = await findingFor(
        'NETWORK_POLICY_BLOCKED on 9090',
        blocked,
      );
      expect(finding.evidence).toBe(
        `kustomize-controller → source-controller:9090 (artifacts) is blocked on the egress side: NetworkPolicy ${FLUX_NS}/e2e-allow-egress selects the client pod and no rule allows TCP 9090`,
      );
      // The fix carries the policy to apply; apply it as a person would.
      const manifest = /<<'EOF'\n([\s\S]*)EOF$/.exec(finding.fix[1])![1];
      const fix = parse(manifest);
      created.push(fix.metadata.name);
      await net.createNamespacedNetworkPolicy({
        namespace: FLUX_NS,
        body: fix,
      });
      const after = await runHealthCheck();
      expect(after.findings.filter(blocked)).toEqual([]);
    } finally {
      for (const name of created) {
        await net
          .deleteNamespacedNetworkPolicy({ name, namespace: FLUX_NS })
          .catch(() => undefined);
      }
    }
    // The Flux namespace is as it was: no policy of this test is left.
    const left = await net.listNamespacedNetworkPolicy({ namespace: FLUX_NS });
    expect(
      left.items.filter(p => created.includes(p.metadata?.name ?? '')),
    ).toEqual([]);
    const restored = await runHealthCheck();
    expect(restored.checks.find(c => c.id === 'network')?.status).toBe(
      'passed',
    );
  });

  it('objects whose entity left the catalog: ZOMBIE_RESOURCE, removed after showing the list', async () => {
    const gone = `component:default/gone-${namespace}`;
    await cluster.apply({
      apiVersion: SOURCE_API,
      kind: 'GitRepository',
      metadata: {
        name: 'orphan',
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'backstage-gitops' },
        annotations: { 'gitops.backstage.io/entity-ref': gone },
      },
      spec: { url: git.repoUrl(repo), interval: '1h', suspend: true },
    } as FluxObject);
    const finding = await findingFor(
      'ZOMBIE_RESOURCE for orphan',
      f => f.code === 'ZOMBIE_RESOURCE' && about(namespace, 'orphan')(f),
    );
    expect(finding.evidence).toContain(`created by the portal for ${gone}`);
    const request = { cluster: 'local', type: 'remove-zombies' };
    const shown = await plan(request);
    expect(shown.steps).toContainEqual({
      action: 'delete',
      object: { kind: 'GitRepository', namespace, name: 'orphan' },
      description: `its entity ${gone} is not in the catalog`,
    });
    expect((await repair(request)).outcome).toBe('applied');
    await waitFor(
      'the orphan deleted',
      async () =>
        (await cluster
          .read(SOURCE_API, 'GitRepository', namespace, 'orphan')
          .then(
            () => false,
            () => true,
          )) || undefined,
    );
  });

  it('refuses a repair with a bad body, and a restart of anything but a Flux controller', async () => {
    const bad = await callPortal('/api/gitops/health/repairs', {
      method: 'POST',
      body: { cluster: 'local', type: 'format-disk' },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(
      /^Invalid request body: type: /,
    );
    const outside = await callPortal('/api/gitops/health/repairs/plan', {
      method: 'POST',
      body: {
        cluster: 'local',
        type: 'restart-controller',
        target: { kind: 'Deployment', namespace, name: 'hello' },
      },
    });
    expect(outside.status).toBe(400);
    expect((await outside.json()).error.message).toMatch(
      /only the Flux controllers/,
    );
  });
});
