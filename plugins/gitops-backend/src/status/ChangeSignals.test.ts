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
    const labelled = (name: string, id: string) =>
      flux.kustomization(name, 'apps', {
        labels: { 'backstage.io/kubernetes-id': id },
      });
    signals.announce(labelled('a', 'shop'));
    signals.announce(labelled('b', 'shop'));
    signals.announce(labelled('c', 'cart'));
    signals.announce(flux.kustomization('unlabelled', 'apps'));
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: GITOPS_SIGNAL_CHANNEL,
      message: { kubernetesIds: ['shop', 'cart'] },
    });
    signals.announce(labelled('a', 'shop'));
    signals.stop();
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
