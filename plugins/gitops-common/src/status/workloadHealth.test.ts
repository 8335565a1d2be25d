import { workloadHealth } from './workloadHealth';

const deployment = (status: any, generation = 1, replicas = 2) => ({
  kind: 'Deployment',
  metadata: { name: 'app', namespace: 'ns', generation },
  spec: { replicas },
  status: { observedGeneration: 1, ...status },
});

describe('workloadHealth', () => {
  it('is Healthy when every replica is updated and ready', () => {
    expect(
      workloadHealth(deployment({ readyReplicas: 2, updatedReplicas: 2 })),
    ).toEqual({ health: 'Healthy', ready: '2/2' });
  });
  it('is Progressing during a rollout or before the controller saw the change', () => {
    expect(
      workloadHealth(deployment({ readyReplicas: 1, updatedReplicas: 1 }))
        .health,
    ).toBe('Progressing');
    expect(
      workloadHealth(deployment({ readyReplicas: 2, updatedReplicas: 2 }, 2))
        .health,
    ).toBe('Progressing');
  });
  it('is Degraded past the progress deadline', () => {
    expect(
      workloadHealth(
        deployment({
          readyReplicas: 0,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
            },
          ],
        }),
      ),
    ).toEqual({ health: 'Degraded', ready: '0/2' });
  });
  it('reads DaemonSets by scheduled and ready pods', () => {
    expect(
      workloadHealth({
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        status: { desiredNumberScheduled: 3, numberReady: 3 },
      }),
    ).toEqual({ health: 'Healthy', ready: '3/3' });
  });
});
