import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { describeKubernetesError } from './errors';
import { kubeConfigForCluster } from './kubeConfig';

describe('kubeConfigForCluster', () => {
  it('aborts an API request the cluster never answers', async () => {
    // Accepts the request and never responds.
    const server = http.createServer(() => undefined);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = KubernetesObjectApi.makeApiClient(
        kubeConfigForCluster(
          {
            name: 'silent',
            url: `http://127.0.0.1:${port}`,
            authProvider: 'serviceAccount',
            serviceAccountToken: 'token',
            skipTLSVerify: true,
          },
          { requestTimeoutMs: 300 },
        ),
      );
      const started = Date.now();
      const error = await client
        .read({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'default' },
        })
        .catch(e => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(describeKubernetesError(error)).toBe(
        'cluster did not answer in time (request timed out)',
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
