import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { mockServices } from '@backstage/backend-test-utils';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';
import { objectKey } from './failureFacts';
import { syncCheck } from './objectChecks';
import { UnrecognisedFailures } from './unrecognisedFailures';

const failing = (
  spec: Record<string, unknown>,
  reason: string,
  message: string,
): FluxResource => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'shop', namespace: 'apps', generation: 1 },
  spec,
  status: {
    observedGeneration: 1,
    conditions: [{ type: 'Ready', status: 'False', reason, message }],
  },
});

describe('syncCheck with facts from the cluster', () => {
  it('names the missing decryption Secret instead of guessing from the message', () => {
    const object = failing(
      { decryption: { provider: 'sops', secretRef: { name: 'sops-age' } } },
      'ReconciliationFailed',
      'decryption secret error: Secret "sops-age" not found',
    );
    const facts = new Map([
      [
        objectKey(object),
        {
          references: [
            {
              field: 'spec.decryption.secretRef',
              kind: 'Secret',
              namespace: 'apps',
              name: 'sops-age',
              exists: false,
            },
          ],
        },
      ],
    ]);
    const [finding] = syncCheck('local', [object], facts).findings;
    expect(finding).toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
      basis: 'structure',
      reference: { kind: 'Secret', name: 'sops-age' },
    });
    expect(finding.cause).toBe(
      'decryption Secret sops-age not found in namespace apps (named by spec.decryption.secretRef).',
    );
    expect(finding.fix[0]).toMatch(
      /^# Create Secret sops-age in namespace apps/,
    );
  });

  it('logs and counts a failure no rule recognises, with Flux reason and events in the cause', () => {
    const object = failing({}, 'SomethingNew', 'the flux capacitor overheated');
    const facts = new Map([
      [
        objectKey(object),
        {
          events: [
            {
              type: 'Warning',
              reason: 'SomethingNew',
              message: 'capacitor at 1.21 GW',
              lastTimestamp: '2026-01-01T00:00:00Z',
            },
          ],
        },
      ],
    ]);
    const sync = syncCheck('local', [object], facts);
    const [finding] = sync.findings;
    expect(finding).toMatchObject({
      code: 'RECONCILE_FAILED',
      basis: 'unrecognised',
    });
    expect(finding.cause).toContain('Flux reports SomethingNew');
    expect(finding.cause).toContain('capacitor at 1.21 GW');

    const logger = mockServices.logger.mock();
    const counter = { add: jest.fn() };
    const metrics = { createCounter: jest.fn(() => counter) };
    const unrecognised = new UnrecognisedFailures(
      logger,
      metrics as unknown as MetricsService,
    );
    expect(unrecognised.record('local', sync.findings)).toBe(1);
    unrecognised.record('local', sync.findings);
    expect(logger.warn).toHaveBeenLastCalledWith(
      'Unrecognised Flux failure',
      expect.objectContaining({
        kind: 'Kustomization',
        name: 'shop',
        reason: 'SomethingNew',
        countForKindAndReason: 2,
      }),
    );
    expect(metrics.createCounter).toHaveBeenCalledWith(
      'gitops.diagnostics.unrecognised_failures',
      expect.anything(),
    );
    expect(counter.add).toHaveBeenCalledTimes(2);
    expect(counter.add).toHaveBeenLastCalledWith(1, {
      cluster: 'local',
      kind: 'Kustomization',
      reason: 'SomethingNew',
    });
    expect(unrecognised.snapshot()).toEqual({
      'Kustomization/SomethingNew': 2,
    });
  });
});
