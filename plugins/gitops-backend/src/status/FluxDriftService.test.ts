import { ClusterClients } from '../cluster/ClusterClients';
import { flux } from '../__testUtils__/fakeCluster';
import { FluxDriftService } from './FluxDriftService';

const labelled = (labels: Record<string, string>) => ({
  kind: 'Deployment',
  metadata: {
    labels,
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Update',
        subresource: 'scale',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ],
  },
  spec: { replicas: 3 },
});

describe('FluxDriftService', () => {
  const kustomization = flux.kustomization('shop-dev', 'apps', {
    deployments: ['shop'],
  });
  const serviceReading = (live: unknown) => {
    const read = jest.fn(async () => live);
    const clients = new ClusterClients([
      { cluster: { name: 'local' }, read } as any,
    ]);
    return { read, service: new FluxDriftService(clients) };
  };

  it('reads afresh on every call: a change right after an answer shows', async () => {
    const { read, service } = serviceReading(
      labelled({
        'kustomize.toolkit.fluxcd.io/name': 'shop-dev',
        'kustomize.toolkit.fluxcd.io/namespace': 'apps',
      }),
    );
    const [first, second] = await Promise.all([
      service.drift('local', kustomization),
      service.drift('local', kustomization),
    ]);
    expect(read).toHaveBeenCalledTimes(2);
    expect(first.objects).toEqual([
      expect.objectContaining({ name: 'shop', drift: 'changed' }),
    ]);
    expect(second).toEqual({ ...first, checkedAt: second.checkedAt });
  });

  it('shows nothing of an object its applier did not label as its own', async () => {
    const { service } = serviceReading(
      labelled({
        'kustomize.toolkit.fluxcd.io/name': 'someone-else',
        'kustomize.toolkit.fluxcd.io/namespace': 'apps',
      }),
    );
    const report = await service.drift('local', kustomization);
    expect(report.objects).toEqual([]);
    expect(report.unreadable).toEqual([
      expect.objectContaining({
        name: 'shop',
        message:
          'not labelled as applied by Kustomization apps/shop-dev; not shown',
      }),
    ]);
    expect(JSON.stringify(report)).not.toContain('replicas');
  });
});
