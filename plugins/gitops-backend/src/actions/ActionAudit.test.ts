import { AuditorService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { FakeClusterClient, fakeClients } from '../__testUtils__/fakeCluster';
import { ActionAudit } from './ActionAudit';

function fakeAuditor() {
  const event = { success: jest.fn(), fail: jest.fn() };
  const auditor = { createEvent: jest.fn(async () => event) };
  return { event, auditor: auditor as unknown as AuditorService };
}

const target = {
  cluster: 'local',
  kind: 'Kustomization',
  namespace: 'apps',
  name: 'app',
};

describe('ActionAudit', () => {
  it('records a success and writes an Event on each object acted on', async () => {
    const client = new FakeClusterClient();
    const { event, auditor } = fakeAuditor();
    const audit = new ActionAudit({
      clients: fakeClients(client),
      logger: mockServices.logger.mock(),
      auditor,
    });
    await audit.record(
      { action: 'repair', actor: 'user:default/ops', why: 'resync' },
      async () => ({ outcome: 'applied' }),
      () => [target],
      r => (r.outcome === 'failed' ? 'failed' : undefined),
    );
    expect(event.success).toHaveBeenCalled();
    expect(event.fail).not.toHaveBeenCalled();
    expect(client.callsOf('createEvent')).toHaveLength(1);
  });

  it('records a failure the work answered as a failure, with no Event', async () => {
    const client = new FakeClusterClient();
    const { event, auditor } = fakeAuditor();
    const audit = new ActionAudit({
      clients: fakeClients(client),
      logger: mockServices.logger.mock(),
      auditor,
    });
    const result = await audit.record(
      { action: 'repair', actor: 'user:default/ops', why: 'resync' },
      async () => ({ outcome: 'failed', error: 'patch refused' }),
      () => [target],
      r => (r.outcome === 'failed' ? r.error : undefined),
    );
    expect(result.outcome).toBe('failed');
    expect(event.success).not.toHaveBeenCalled();
    expect(event.fail).toHaveBeenCalledWith({
      error: new Error('patch refused'),
    });
    expect(client.callsOf('createEvent')).toEqual([]);
  });
});
