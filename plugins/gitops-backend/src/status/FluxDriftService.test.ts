import { ClusterClients } from '../cluster/ClusterClients';
import { flux } from '../__testUtils__/fakeCluster';
import { FluxDriftService } from './FluxDriftService';

describe('FluxDriftService', () => {
  it('shares a report being read, and reads again once it is answered', async () => {
    let release: () => void = () => {};
    const read = jest.fn(
      () =>
        new Promise(resolve => {
          release = () => resolve({ kind: 'Deployment', metadata: {} });
        }),
    );
    const clients = new ClusterClients([
      { cluster: { name: 'local' }, read } as any,
    ]);
    const service = new FluxDriftService(clients);
    const kustomization = flux.kustomization('shop-dev', 'apps', {
      deployments: ['shop'],
    });
    const first = service.drift('local', kustomization);
    const second = service.drift('local', kustomization);
    expect(second).toBe(first);
    await Promise.resolve();
    release();
    expect((await first).objects).toEqual([]);
    expect(read).toHaveBeenCalledTimes(1);
    const third = service.drift('local', kustomization);
    expect(third).not.toBe(first);
    await Promise.resolve();
    release();
    await third;
    expect(read).toHaveBeenCalledTimes(2);
  });
});
