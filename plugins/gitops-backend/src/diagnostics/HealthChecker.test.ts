import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  FakeClusterClient,
  fakeClients,
  flux,
  syncedWatcher,
} from '../__testUtils__/fakeCluster';
import { FLUX_NAMESPACE, fluxInstallation } from '../__testUtils__/fluxInstall';
import { HealthChecker } from './HealthChecker';

const options = {
  fluxNamespace: FLUX_NAMESPACE,
  staleness: { intervalMultiple: 2, minimumMs: 600_000 },
  mayProbeGitHost: (host: string) => host.startsWith('127.0.0.1:'),
};

describe('HealthChecker', () => {
  let server: http.Server;
  let gitBase: string;

  beforeAll(async () => {
    // A Git host: public, private (needs a password) and missing repositories.
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/public.git/info/refs')) {
        res.writeHead(200).end('ok');
      } else if (req.url?.startsWith('/moved.git/info/refs')) {
        res.writeHead(302, { location: '/public.git/info/refs' }).end();
      } else if (req.url?.startsWith('/away.git/info/refs')) {
        res.writeHead(302, { location: 'http://localhost:1/elsewhere' }).end();
      } else if (req.url?.startsWith('/private.git/info/refs')) {
        const good = `Basic ${Buffer.from('bot:right').toString('base64')}`;
        res.writeHead(req.headers.authorization === good ? 200 : 401).end();
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    gitBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('warns about Flux without the tenancy lockdown, unless gitops.health.fluxLockdown is off', async () => {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(...fluxInstallation({ lockdown: false })),
    );
    try {
      const fluxCheckOf = async (expectFluxLockdown?: boolean) => {
        const checker = new HealthChecker(fakeClients(client), {
          ...options,
          expectFluxLockdown,
        });
        const report = await checker.run(watcher, 'manual', 'user:default/x');
        return {
          status: report.checks.find(c => c.id === 'flux')!.status,
          codes: report.findings
            .filter(f => f.check === 'flux')
            .map(f => f.code),
        };
      };
      expect(await fluxCheckOf()).toEqual({
        status: 'warning',
        codes: ['FLUX_LOCKDOWN_OFF', 'FLUX_LOCKDOWN_OFF', 'FLUX_LOCKDOWN_OFF'],
      });
      expect(await fluxCheckOf(false)).toEqual({ status: 'passed', codes: [] });
    } finally {
      watcher.stop();
    }
  });

  it('passes every check on a healthy cluster', async () => {
    const { client, watcher } = await syncedWatcher(
      new FakeClusterClient().add(
        ...fluxInstallation(),
        flux.gitRepository('app', 'apps', { url: `${gitBase}/public.git` }),
        flux.gitRepository('ssh', 'apps', { url: 'ssh://git@host/x.git' }),
        flux.kustomization('app', 'apps', { source: 'app' }),
      ),
    );
    try {
      const checker = new HealthChecker(fakeClients(client), options);
      const report = await checker.run(watcher, 'manual', 'user:default/x');
      expect(report.checks.map(c => [c.id, c.status])).toEqual([
        ['api', 'passed'],
        ['flux', 'passed'],
        ['permissions', 'passed'],
        ['git', 'passed'],
        ['sync', 'passed'],
        ['network', 'passed'],
        ['dependencies', 'passed'],
        ['staleness', 'passed'],
      ]);
      expect(report).toMatchObject({
        cluster: 'local',
        status: 'passed',
        trigger: 'manual',
        triggeredBy: 'user:default/x',
        findings: [],
      });
      expect(report.checks.find(c => c.id === 'git')?.summary).toContain(
        '1 SSH URL(s) not probed',
      );
    } finally {
      watcher.stop();
    }
  });

  it('finds what is broken, each with evidence and a fix', async () => {
    const client = new FakeClusterClient().add(
      ...fluxInstallation({
        unavailable: ['kustomize-controller'],
        missing: ['notification-controller'],
      }),
      flux.gitRepository('private', 'apps', {
        url: `${gitBase}/private.git`,
        secret: 'git-auth',
      }),
      flux.gitRepository('nosecret', 'apps', {
        url: `${gitBase}/private.git`,
        secret: 'absent',
      }),
      flux.gitRepository('missing', 'apps', { url: `${gitBase}/missing.git` }),
      {
        kind: 'Secret',
        metadata: { name: 'git-auth', namespace: 'apps', uid: 'u1' },
        data: {
          username: Buffer.from('bot').toString('base64'),
          password: Buffer.from('wrong').toString('base64'),
        },
      },
      {
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: FLUX_NAMESPACE },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
      flux.kustomization('broken', 'apps', {
        ready: 'False',
        reason: 'BuildFailed',
        message: 'kustomize build failed: accumulating resources',
        extraSpec: { dependsOn: [{ name: 'absent' }] },
      }),
      {
        ...flux.kustomization('ours', 'apps'),
        metadata: {
          name: 'ours',
          namespace: 'apps',
          labels: { 'app.kubernetes.io/managed-by': 'backstage-gitops' },
          annotations: {
            'gitops.backstage.io/entity-ref': 'component:default/gone',
          },
        },
      },
    );
    client.denied.add('patch secrets');
    const { watcher } = await syncedWatcher(client);
    try {
      const checker = new HealthChecker(
        fakeClients(client),
        options,
        async () => [
          {
            resource: watcher.get('Kustomization', 'apps', 'ours')!,
            entityRef: 'component:default/gone',
          },
        ],
      );
      const report = await checker.run(watcher, 'schedule');
      const codes = report.findings.map(f => `${f.check}:${f.code}`);
      expect(codes).toEqual(
        expect.arrayContaining([
          'flux:CONTROLLER_UNHEALTHY',
          'permissions:INSUFFICIENT_PERMISSIONS',
          'git:GIT_AUTH_FAILED',
          'git:GIT_CLONE_FAILED',
          'network:NETWORK_POLICY_BLOCKED',
          'dependencies:DEPENDENCY_MISSING',
        ]),
      );
      expect(report.status).toBe('failed');
      const restart = report.findings.find(
        f => f.code === 'CONTROLLER_UNHEALTHY' && f.severity === 'critical',
      );
      expect(restart?.repair).toMatchObject({
        type: 'restart-controller',
        target: { name: 'kustomize-controller' },
      });
      const auth = report.findings.filter(f => f.code === 'GIT_AUTH_FAILED');
      expect(auth.map(f => f.evidence).join('\n')).toContain(
        'Secret apps/absent named by spec.secretRef does not exist',
      );
      const permissions = report.findings.find(f => f.check === 'permissions');
      expect(permissions?.fix[1]).toContain(
        '--serviceaccount=backstage:backstage',
      );
      expect(report.checks.find(c => c.id === 'sync')?.summary).toContain(
        '1 object(s) whose entity is gone',
      );
      // A second run reuses the Git hosts' answers.
      const again = await checker.run(watcher, 'schedule');
      expect(again.checks.find(c => c.id === 'git')?.summary).toContain(
        'reused',
      );
    } finally {
      watcher.stop();
    }
  });

  it('sends credentials only to allowed hosts and never across a redirect to another host', async () => {
    const requests: string[] = [];
    const listener = (req: http.IncomingMessage) =>
      requests.push(new URL(req.url ?? '', gitBase).pathname);
    server.on('request', listener);
    const client = new FakeClusterClient().add(
      ...fluxInstallation(),
      flux.gitRepository('moved', 'apps', {
        url: `${gitBase}/moved.git`,
        secret: 'git-auth',
      }),
      flux.gitRepository('away', 'apps', {
        url: `${gitBase}/away.git`,
        secret: 'git-auth',
      }),
      flux.gitRepository('internal', 'apps', {
        url: 'http://metadata.internal/computeMetadata.git',
        secret: 'git-auth',
      }),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'git-auth', namespace: 'apps', uid: 'u2' },
        data: {
          username: Buffer.from('bot').toString('base64'),
          password: Buffer.from('right').toString('base64'),
        },
      } as any,
    );
    const { watcher } = await syncedWatcher(client);
    try {
      const checker = new HealthChecker(fakeClients(client), options);
      const report = await checker.run(watcher, 'manual');
      const git = report.checks.find(c => c.id === 'git');
      expect(git?.status).toBe('passed');
      expect(git?.summary).toContain(
        '1 URL(s) on hosts without a Git integration not probed',
      );
      // The same-origin redirect was followed; the other host never asked.
      expect(requests).toEqual(
        expect.arrayContaining([
          '/moved.git/info/refs',
          '/public.git/info/refs',
          '/away.git/info/refs',
        ]),
      );
      expect(requests).toHaveLength(3);
    } finally {
      server.off('request', listener);
      watcher.stop();
    }
  });

  it('reports Flux missing and skips the rest when the API does not answer', async () => {
    const client = new FakeClusterClient();
    const { watcher } = await syncedWatcher(client);
    try {
      const checker = new HealthChecker(fakeClients(client), options);
      const missing = await checker.run(watcher, 'manual');
      expect(missing.findings.map(f => f.code)).toContain('FLUX_NOT_INSTALLED');
      client.failNext('version', new Error('connect ECONNREFUSED'));
      const down = await checker.run(watcher, 'manual');
      expect(down.checks[0]).toMatchObject({ id: 'api', status: 'failed' });
      expect(down.checks.slice(1).every(c => c.status === 'skipped')).toBe(
        true,
      );
      expect(down.findings[0]).toMatchObject({
        code: 'CLUSTER_UNREACHABLE',
        severity: 'critical',
      });
      client.failNext(
        'listCustomResourceDefinitions',
        new Error('the server is on fire'),
      );
      const broken = await checker.run(watcher, 'manual');
      expect(broken.checks.find(c => c.id === 'flux')).toMatchObject({
        status: 'failed',
        summary: 'check could not run: the server is on fire',
      });
    } finally {
      watcher.stop();
    }
  });
});
