import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  describeKubernetesError,
  kubernetesErrorCode,
} from '@gitops-backstage/plugin-gitops-node';
import {
  ClusterTimeoutError,
  KubernetesClusterClient,
} from './KubernetesClusterClient';

/**
 * A few answers of a Kubernetes API server over plain HTTP: enough to see
 * what the adapter sends, that API errors keep their status, and that a
 * call without an answer times out.
 */
describe('KubernetesClusterClient', () => {
  let server: http.Server;
  let url: string;
  const requests: Array<{
    method?: string;
    url?: string;
    type?: string;
    auth?: string;
    body: string;
  }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        requests.push({
          method: req.method,
          url: req.url,
          type: req.headers['content-type'],
          auth: req.headers.authorization,
          body,
        });
        const json = (status: number, value: unknown) =>
          res
            .writeHead(status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify(value));
        const path = req.url?.split('?')[0];
        if (path === '/version') {
          json(200, { gitVersion: 'v1.31.2' });
        } else if (path === '/apis') {
          json(200, {
            kind: 'APIGroupList',
            groups: [
              {
                name: 'kustomize.toolkit.fluxcd.io',
                versions: [
                  {
                    groupVersion: 'kustomize.toolkit.fluxcd.io/v1',
                    version: 'v1',
                  },
                ],
              },
            ],
          });
        } else if (path === '/apis/kustomize.toolkit.fluxcd.io/v1') {
          json(200, {
            kind: 'APIResourceList',
            groupVersion: 'kustomize.toolkit.fluxcd.io/v1',
            resources: [
              {
                name: 'kustomizations',
                kind: 'Kustomization',
                namespaced: true,
                verbs: ['get', 'list', 'patch'],
              },
            ],
          });
        } else if (
          path ===
          '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/shop'
        ) {
          json(200, JSON.parse(body || '{}'));
        } else if (
          path === '/api/v1/namespaces/apps/secrets/hidden' ||
          path?.endsWith('/kustomizations/hidden')
        ) {
          json(403, {
            kind: 'Status',
            reason: 'Forbidden',
            message: 'secrets "hidden" is forbidden',
            code: 403,
          });
        } else if (path === '/api/v1/namespaces/apps/events') {
          json(200, {
            items: [{ involvedObject: { kind: 'Kustomization' }, reason: 'X' }],
          });
        } else if (
          path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'
        ) {
          json(201, { status: { allowed: true } });
        } else if (path?.includes('/slow')) {
          // Never answers.
        } else if (path?.includes('/quiet')) {
          // A watch with no events: headers, then nothing.
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.flushHeaders();
        } else {
          json(404, { kind: 'Status', reason: 'NotFound', code: 404 });
        }
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  const client = (timeoutMs?: number) =>
    new KubernetesClusterClient(
      {
        name: 'local',
        url,
        authProvider: 'serviceAccount',
        serviceAccountToken: 'token-1',
        // Plain HTTP: the client allows it only without TLS verification.
        skipTLSVerify: true,
      } as any,
      timeoutMs,
    );

  it('reads with the service-account token', async () => {
    expect(await client().version()).toMatchObject({ gitVersion: 'v1.31.2' });
    expect(requests.at(-1)?.auth).toBe('Bearer token-1');
    expect((await client().apiGroups()).map(g => g.name)).toEqual([
      'kustomize.toolkit.fluxcd.io',
    ]);
    const events = await client().listEvents('apps', {
      kind: 'Kustomization',
      name: 'shop',
    });
    expect(events).toHaveLength(1);
    expect(decodeURIComponent(requests.at(-1)!.url!)).toContain(
      'fieldSelector=involvedObject.kind=Kustomization,involvedObject.name=shop',
    );
    expect(
      await client().canI({ verb: 'list', group: '', resource: 'events' }),
    ).toBe(true);
  });

  it('sends a merge patch with our field manager', async () => {
    await client().mergePatch(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'shop',
      },
      { spec: { suspend: true } },
      'backstage-gitops',
    );
    const patch = requests.find(r => r.method === 'PATCH')!;
    expect(patch.type).toBe('application/merge-patch+json');
    expect(patch.url).toContain('fieldManager=backstage-gitops');
    expect(JSON.parse(patch.body)).toMatchObject({
      kind: 'Kustomization',
      metadata: { name: 'shop', namespace: 'apps' },
      spec: { suspend: true },
    });
  });

  it('applies server-side, forcing only when asked', async () => {
    const kustomization = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'shop', namespace: 'apps' },
      spec: { suspend: true },
    };
    const applied = await client().serverSideApply(
      kustomization,
      'backstage-gitops-manual',
      true,
    );
    expect(applied).toMatchObject({ kind: 'Kustomization', name: 'shop' });
    const apply = requests.findLast(r => r.method === 'PATCH')!;
    expect(apply.type).toBe('application/apply-patch+yaml');
    expect(apply.url).toContain('fieldManager=backstage-gitops-manual');
    expect(apply.url).toContain('force=true');
  });

  it('writes an Event in the namespace of its object', async () => {
    await client().createEvent({
      metadata: { generateName: 'shop.', namespace: 'apps' },
      involvedObject: {
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'shop',
      },
      reason: 'GitOpsPortalReconcile',
      message: 'reconcile by user:default/owner',
      reportingComponent: 'backstage-gitops',
    });
    const post = requests.find(
      r => r.method === 'POST' && r.url?.includes('/events'),
    )!;
    expect(post.url).toBe('/api/v1/namespaces/apps/events');
    expect(JSON.parse(post.body)).toMatchObject({
      reason: 'GitOpsPortalReconcile',
      involvedObject: { name: 'shop' },
      reportingComponent: 'backstage-gitops',
    });
  });

  it('keeps the status of an API error', async () => {
    const error = await client()
      .readSecret('apps', 'hidden')
      .catch(e => e);
    expect(kubernetesErrorCode(error)).toBe(403);
    expect(describeKubernetesError(error)).toBe(
      '403 Forbidden: secrets "hidden" is forbidden',
    );
    const applyError = await client()
      .serverSideApply(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'hidden', namespace: 'apps' },
        },
        'backstage-gitops',
        true,
      )
      .catch(e => e);
    expect(kubernetesErrorCode(applyError)).toBe(403);
  });

  it('gives up on a call the server does not answer', async () => {
    const error = await client(100)
      .readDeployment('apps', 'slow')
      .catch(e => e);
    expect(error.name).toBe('ClusterTimeoutError');
    expect(describeKubernetesError(error)).toBe(
      'reading Deployment apps/slow: no answer from the Kubernetes API within 0.1s',
    );
  });

  it('gives up on an apply the server does not answer', async () => {
    const error = await client(100)
      .serverSideApply(
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'slow', namespace: 'apps' },
        },
        'backstage-gitops',
        false,
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(ClusterTimeoutError);
    expect(error.message).toBe(
      'applying Kustomization apps/slow: no answer from the Kubernetes API within 0.1s',
    );
  });

  it('keeps a watch open past the call timeout', async () => {
    const done = jest.fn();
    const watch = await client(100).watch(
      '/apis/kustomize.toolkit.fluxcd.io/v1/quiet',
      {},
      () => undefined,
      done,
    );
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(done).not.toHaveBeenCalled();
    watch.abort();
  });
});
