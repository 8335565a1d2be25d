import { mockServices } from '@backstage/backend-test-utils';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { FailureNotifier } from './FailureNotifier';
import { NoticeLedger } from './NoticeLedger';
import { migratedDatabase } from '../__testUtils__/localStores';
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
    // Written by project initialization: the portal's binding.
    fieldOwners: {
      'metadata.annotations.gitops.backstage.io/entity-ref': [
        'backstage-gitops',
      ],
    },
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

/** Namespaces claimed by the portal, as `cluster/namespace` -> entity ref. */
const CLAIMED_NAMESPACES: Record<string, string> = {
  [`local/${failing.metadata.namespace}`]: 'component:default/shop',
};

/** Notices claimed in memory: one replica. */
function memoryNotices() {
  const claimed = new Set<string>();
  return {
    claim: async (notice: string) =>
      !claimed.has(notice) && Boolean(claimed.add(notice)),
    release: async (notice: string) => {
      claimed.delete(notice);
    },
  };
}

function setup(
  claims = CLAIMED_NAMESPACES,
  notices: {
    claim(n: string): Promise<boolean>;
    release(n: string): Promise<void>;
  } = memoryNotices(),
  send = jest.fn(),
) {
  const notifier = new FailureNotifier({
    notices,
    notifications: { send } as any,
    logger: mockServices.logger.mock(),
    entityRepositoryOf: async ref =>
      ref === 'component:default/shop'
        ? 'git.example.com/acme/shop'
        : undefined,
    namespaceClaimOf: async (cluster, namespace) =>
      claims[`${cluster}/${namespace}`],
  });
  return { send, notifier };
}

/** The object with its Ready condition changed at `time`. */
function withReadySince(resource: FluxResource, time: string): FluxResource {
  return {
    ...resource,
    status: {
      ...resource.status,
      conditions: (resource.status?.conditions ?? []).map(c =>
        c.type === 'Ready' ? { ...c, lastTransitionTime: time } : c,
      ),
    },
  };
}

/** The object as the portal bound it to shop registered from `repository`. */
function boundTo(resource: FluxResource, repository: string): FluxResource {
  return {
    ...resource,
    metadata: {
      ...resource.metadata,
      annotations: {
        ...resource.metadata.annotations,
        'gitops.backstage.io/entity-repository': repository,
      },
    },
  };
}

describe('FailureNotifier', () => {
  it('sends each transition once across replicas that all see it, and a later failure again', async () => {
    const ledger = new NoticeLedger(await migratedDatabase());
    const send = jest.fn();
    const replicas = [
      setup(undefined, ledger, send),
      setup(undefined, ledger, send),
    ];
    const observeOnEach = async (resource: FluxResource) => {
      for (const { notifier } of replicas) {
        await notifier.observe('local', resource, true);
      }
    };
    await observeOnEach(withReadySince(ready, '2026-12-07T09:00:00Z'));
    await observeOnEach(withReadySince(failing, '2026-12-07T09:05:00Z'));
    expect(send).toHaveBeenCalledTimes(1);
    await observeOnEach(withReadySince(ready, '2026-12-07T09:10:00Z'));
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1][0].payload.title).toMatch(/^Recovered: /);

    // The same object failing again later is a new transition.
    await observeOnEach(withReadySince(failing, '2026-12-07T10:00:00Z'));
    expect(send).toHaveBeenCalledTimes(3);
    expect(send.mock.calls[2][0].payload.severity).toBe('high');
  });

  it('leaves a notice it could not send to the next replica that sees it', async () => {
    const ledger = new NoticeLedger(await migratedDatabase());
    const failingSend = jest.fn().mockRejectedValue(new Error('unavailable'));
    const send = jest.fn();
    const broken = setup(undefined, ledger, failingSend);
    const working = setup(undefined, ledger, send);
    const failed = withReadySince(failing, '2026-12-07T09:05:00Z');
    for (const { notifier } of [broken, working]) {
      await notifier.observe(
        'local',
        withReadySince(ready, '2026-12-07T09:00:00Z'),
        true,
      );
    }
    await expect(
      broken.notifier.observe('local', failed, true),
    ).rejects.toThrow('unavailable');
    await working.notifier.observe('local', failed, true);
    expect(send).toHaveBeenCalledTimes(1);
  });

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

  it('tells the owners of the bound entity, not of its name registered later from another repository', async () => {
    const { send, notifier } = setup();
    await notifier.observe(
      'local',
      boundTo(ready, 'git.example.com/acme/shop'),
      true,
    );
    await notifier.observe(
      'local',
      boundTo(failing, 'git.example.com/acme/shop'),
      true,
    );
    expect(send).toHaveBeenCalledTimes(1);
    await notifier.observe(
      'local',
      boundTo(ready, 'git.example.com/acme/shop-earlier'),
      true,
    );
    await notifier.observe(
      'local',
      boundTo(failing, 'git.example.com/acme/shop-earlier'),
      true,
    );
    await notifier.observe(
      'local',
      boundTo(ready, 'git.example.com/acme/shop-earlier'),
      true,
    );
    expect(send).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a Namespace the portal did not claim', {}],
    [
      "a Namespace claimed for another entity (a tenant copying the portal's annotations and field manager)",
      { [`local/${failing.metadata.namespace}`]: 'component:default/other' },
    ],
    [
      'the same Namespace name on another cluster',
      { [`other/${failing.metadata.namespace}`]: 'component:default/shop' },
    ],
  ])('tells nobody about an object in %s', async (_where, claims) => {
    const { send, notifier } = setup(claims);
    await notifier.observe('local', ready, true);
    await notifier.observe('local', failing, true);
    await notifier.observe('local', ready, true);
    expect(send).not.toHaveBeenCalled();
  });

  it('does not announce what was already failing when the backend started', async () => {
    const { send, notifier } = setup();
    await notifier.observe('local', failing, false);
    await notifier.observe('local', failing, true);
    await notifier.observe('local', ready, true);
    expect(send).not.toHaveBeenCalled();
  });

  it.each([
    [
      'written by a tenant (kustomize-controller applied it from Git)',
      ['kustomize-controller'],
    ],
    ['written with kubectl', ['kubectl-edit']],
    ['of unknown writer', undefined],
  ])(
    'tells nobody about an object whose entity claim was %s: it names whom the writer chose',
    async (_what, writers) => {
      const { send, notifier } = setup();
      const claimed = (resource: FluxResource): FluxResource => ({
        ...resource,
        metadata: {
          ...resource.metadata,
          annotations: {
            'gitops.backstage.io/entity-ref': 'component:default/victim',
          },
          fieldOwners: writers
            ? {
                'metadata.annotations.gitops.backstage.io/entity-ref': writers,
              }
            : undefined,
        },
      });
      await notifier.observe('local', claimed(ready), true);
      await notifier.observe('local', claimed(failing), true);
      await notifier.observe('local', claimed(ready), true);
      expect(send).not.toHaveBeenCalled();
    },
  );
});
