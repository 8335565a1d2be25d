import { ServerFailure, waitFor } from './kube';

describe('waitFor', () => {
  it('retries a check that throws until it answers', async () => {
    let calls = 0;
    const answer = await waitFor('the third try', async () => {
      calls++;
      if (calls < 3) {
        throw new Error('not yet');
      }
      return 'ready';
    });
    expect([answer, calls]).toEqual(['ready', 3]);
  });

  it('ends at once on a server failure, naming what it waited for', async () => {
    let calls = 0;
    const waiting = waitFor(
      'the deploy to finish',
      async () => {
        calls++;
        throw new ServerFailure('GET /deploys/1 answered 500: boom');
      },
      60_000,
    );
    await expect(waiting).rejects.toThrow(
      new ServerFailure(
        'waiting for the deploy to finish: GET /deploys/1 answered 500: boom',
      ),
    );
    expect(calls).toBe(1);
  });

  it('gives the last error when the deadline passes', async () => {
    await expect(
      waitFor(
        'a value',
        async () => {
          throw new Error('still 404');
        },
        10,
      ),
    ).rejects.toThrow(
      'timed out after 10 ms waiting for a value: Error: still 404',
    );
  });
});
