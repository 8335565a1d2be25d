import { mockServices } from '@backstage/backend-test-utils';
import { GITOPS_SIGNAL_CHANNEL } from '@gitops-backstage/plugin-gitops-common';
import { flux } from '../__testUtils__/fakeCluster';
import { ChangeSignals } from './ChangeSignals';

describe('ChangeSignals', () => {
  it('sends the kubernetes-ids changed together as one broadcast', async () => {
    const publish = jest.fn(async () => {});
    const signals = new ChangeSignals(
      { publish } as any,
      mockServices.logger.mock(),
      10,
    );
    const labelled = (name: string, id: string) => {
      const resource = flux.kustomization(name, 'apps', {
        labels: { 'backstage.io/kubernetes-id': id },
      });
      resource.metadata.uid = `uid-${name}`;
      resource.metadata.resourceVersion = '7';
      return resource;
    };
    signals.announce(labelled('a', 'shop'));
    signals.announce(labelled('b', 'shop'));
    signals.announce(labelled('c', 'cart'));
    signals.announce(flux.kustomization('unlabelled', 'apps'));
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: GITOPS_SIGNAL_CHANNEL,
      message: {
        kubernetesIds: ['shop', 'cart'],
        changes: ['uid-a@7', 'uid-b@7', 'uid-c@7'],
      },
    });
    signals.announce(labelled('a', 'shop'));
    signals.stop();
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it("sends a workload's change for the entity of the object that applied it", async () => {
    const publish = jest.fn(async () => {});
    const signals = new ChangeSignals(
      { publish } as any,
      mockServices.logger.mock(),
      10,
    );
    const applier = flux.kustomization('shop-dev', 'apps', {
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    });
    const workload = flux.deployment('web', 'apps') as any;
    workload.metadata.resourceVersion = '12';
    signals.announce(workload, applier);
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(publish).toHaveBeenCalledWith(
      expect.objectContaining({
        message: { kubernetesIds: ['shop'], changes: ['uid-web@12'] },
      }),
    );
  });
});
