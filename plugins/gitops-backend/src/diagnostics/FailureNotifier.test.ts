import { mockServices } from '@backstage/backend-test-utils';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { FailureNotifier } from './FailureNotifier';
import { FluxEntityResolver } from '../entities/FluxEntityResolver';
import { capturedFixture } from '../__testUtils__/capturedFixture';

const wrongPassword = capturedFixture(
  'diagnostics/corpus',
  'git-wrong-password',
);

const failing = {
  ...wrongPassword,
  metadata: {
    ...wrongPassword.metadata,
    annotations: { 'gitops.backstage.io/entity-ref': 'component:default/shop' },
  },
} as FluxResource;

const ready: FluxResource = {
  ...failing,
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Succeeded',
        message: "stored artifact for revision 'main@sha1:abc'",
      },
    ],
  },
};

function setup() {
  const send = jest.fn();
  const notifier = new FailureNotifier({
    notifications: { send } as any,
    entities: new FluxEntityResolver({
      catalog: {} as any,
      auth: mockServices.auth(),
    }),
    logger: mockServices.logger.mock(),
  });
  return { send, notifier };
}

describe('FailureNotifier', () => {
  it('tells the owners when an object starts failing and when it recovers, once each', async () => {
    const { send, notifier } = setup();
    await notifier.observe('local', ready, true);
    await notifier.observe('local', failing, true);
    await notifier.observe('local', failing, true);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'component:default/shop' },
      payload: {
        title: expect.stringMatching(
          /^GIT_AUTH_FAILED: GitRepository .* is failing in local$/,
        ),
        severity: 'high',
        link: '/catalog/default/component/shop/gitops',
        topic: 'gitops',
      },
    });
    await notifier.observe('local', ready, true);
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1][0].payload).toMatchObject({
      title: expect.stringMatching(/^Recovered: /),
      severity: 'normal',
      scope: send.mock.calls[0][0].payload.scope,
    });
  });

  it('does not announce what was already failing when the backend started', async () => {
    const { send, notifier } = setup();
    await notifier.observe('local', failing, false);
    await notifier.observe('local', failing, true);
    await notifier.observe('local', ready, true);
    expect(send).not.toHaveBeenCalled();
  });
});
