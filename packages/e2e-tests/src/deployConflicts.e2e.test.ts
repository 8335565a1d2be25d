import type {
  DeployPreview,
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import { callPortal } from './portal/portalApi';
import { DeployTarget, newDeployTarget } from './portal/deployTarget';
import { appManifests } from './stack/fixtures';
import { TestGitServer } from './stack/gitea';
import { PushControl } from './stack/pushControl';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const git = new TestGitServer(env);

const DEPLOYMENT_FILE = 'development/deployment.yaml';
const PATCH_FILE = 'development/gitops-deploy-patch.yaml';

/**
 * A deploy that loses the race for its branch, on the real Gitea: a
 * pre-receive hook holds the portal's push while the test pushes, so the
 * outside commit lands between the portal's fetch and its push every time.
 * Whatever the outcome, no outside commit is overwritten, and a refused
 * deploy leaves no row in the history.
 */
describe('deploys that lose the race for their branch', () => {
  let target: DeployTarget;
  let pushes: PushControl;
  let firstApplied: DeployRecord;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-conflict', ['development']);
    await target.appliedEverywhere();
    [firstApplied] = await target.history();
    pushes = await PushControl.install(env, target.repo);
  });
  afterAll(async () => {
    await pushes?.remove();
    await target?.remove();
  });

  const deploysPath = () => `${target.entityPath}/deploys`;

  /** Sends the request, lands `outside` while its push is held, then lets it go on. */
  async function withPushLandingFirst(
    request: () => Promise<Response>,
    outside: () => Promise<string>,
  ): Promise<{ response: Response; outsideSha: string }> {
    await pushes.holdNext();
    const pending = request();
    await pushes.held();
    const outsideSha = await outside();
    await pushes.release();
    return { response: await pending, outsideSha };
  }

  async function expectNoRowFor(message: string, rowsBefore: DeployRecord[]) {
    const rows = await target.history();
    expect(rows.filter(r => r.method === 'gitops-ui').map(r => r.id)).toEqual(
      rowsBefore.filter(r => r.method === 'gitops-ui').map(r => r.id),
    );
    expect(rows.some(r => r.message === message)).toBe(false);
  }

  /** A deploy to development through the API, sent when called. */
  const deployRequest = (body: Record<string, unknown>) => () =>
    callPortal(deploysPath(), {
      method: 'POST',
      body: { environment: 'development', ...body },
    });

  /** Someone tunes the Deployment in Git by hand; pushed when called. */
  const outsideTune = (comment: string) => () =>
    git.commit(
      target.repo,
      {
        [DEPLOYMENT_FILE]: appManifests('nginx:1.27')[
          'deploy/deployment.yaml'
        ].replace('replicas: 1', `replicas: 1 # ${comment}`),
      },
      `outside: ${comment}`,
    );

  it('re-makes a deploy without a preview on top of an outside push to the same files', async () => {
    const { response, outsideSha } = await withPushLandingFirst(
      deployRequest({
        changes: { replicas: 2 },
        message: 'two replicas over an outside push',
      }),
      outsideTune('tuned by hand'),
    );
    expect(response.status).toBe(201);
    const { deploy, pushAttempts }: DeployResult = await response.json();
    expect(pushAttempts).toBe(2);
    const [ours, theirs] = await git.log(target.repo);
    expect(ours.sha).toBe(deploy.commitSha);
    expect(theirs.sha).toBe(outsideSha);
    expect(await git.readFile(target.repo, DEPLOYMENT_FILE)).toContain(
      '# tuned by hand',
    );
    expect(await git.readFile(target.repo, PATCH_FILE)).toMatch(/replicas: 2/);
  });

  it('answers 409 when an outside push changes the overlay its preview pinned, and pushes nothing', async () => {
    const previewResponse = await callPortal(`${deploysPath()}/preview`, {
      method: 'POST',
      body: { environment: 'development', changes: { replicas: 3 } },
    });
    expect(previewResponse.status).toBe(200);
    const preview: DeployPreview = await previewResponse.json();
    const rowsBefore = await target.history();
    const message = 'three replicas, as previewed';

    const { response, outsideSha } = await withPushLandingFirst(
      deployRequest({
        changes: { replicas: 3 },
        message,
        expectedOverlayDigest: preview.overlayDigest,
      }),
      outsideTune('tuned again'),
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toMatch(
      new RegExp(
        `the overlay \\S*development changed on main while deploying \\(now at ${outsideSha.slice(
          0,
          7,
        )}\\); nothing was pushed, preview again`,
      ),
    );
    expect((await git.log(target.repo))[0].sha).toBe(outsideSha);
    await expectNoRowFor(message, rowsBefore);
  });

  it('answers 409 when a rollback conflicts with an outside push, and pushes nothing', async () => {
    const rowsBefore = await target.history();
    const message = 'back to the first revision';
    const patch = await git.readFile(target.repo, PATCH_FILE);

    const { response, outsideSha } = await withPushLandingFirst(
      () =>
        callPortal(`${deploysPath()}/${firstApplied.id}/rollback`, {
          method: 'POST',
          body: { message },
        }),
      // The rollback removes the patch; this push edits it.
      () =>
        git.commit(
          target.repo,
          { [PATCH_FILE]: `${patch.trimEnd()}\n# reviewed by hand\n` },
          'outside: review the patch',
        ),
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toBe(
      `the deploy conflicts with commit ${outsideSha.slice(
        0,
        7,
      )} pushed to main meanwhile; nothing was pushed, preview again`,
    );
    expect((await git.log(target.repo))[0].sha).toBe(outsideSha);
    expect(await git.readFile(target.repo, PATCH_FILE)).toContain(
      '# reviewed by hand',
    );
    await expectNoRowFor(message, rowsBefore);
  });

  it('answers 409 with the reason when the host refuses the push, without retrying', async () => {
    const rowsBefore = await target.history();
    const [headBefore] = await git.log(target.repo);
    const message = 'five replicas onto a refusing host';
    await pushes.refuseNext();
    const started = Date.now();
    const response = await deployRequest({
      changes: { replicas: 5 },
      message,
    })();
    expect(response.status).toBe(409);
    expect((await response.json()).error.message).toBe(
      'the Git host refused the push to main (pre-receive hook declined); nothing was pushed',
    );
    // Not retried through the push window.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await git.log(target.repo))[0].sha).toBe(headBefore.sha);
    await expectNoRowFor(message, rowsBefore);
  });

  // Last: the hook moves the branch behind Gitea's back.
  it('answers 409 when the branch keeps moving through the push window, and pushes nothing', async () => {
    const rowsBefore = await target.history();
    const [headBefore] = await git.log(target.repo);
    const message = 'four replicas while the branch moves';
    await pushes.moveBranchUnderEveryPush(true);
    const started = Date.now();
    const response = await deployRequest({
      changes: { replicas: 4 },
      message,
    })();
    await pushes.moveBranchUnderEveryPush(false);
    expect(response.status).toBe(409);
    const error = (await response.json()).error.message;
    expect(error).toMatch(
      /^main kept moving during \d+ push attempts; nothing was pushed, try again$/,
    );
    // The window (5 attempts and 60 s) is spent before it gives up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
    const moved = await pushes.movedTo();
    expect(moved.length).toBe(Number(/during (\d+) push/.exec(error)![1]));
    const log = await git.log(target.repo);
    // Every outside commit, in order, on the old head; none of ours.
    expect(log.slice(0, moved.length + 1).map(c => c.sha)).toEqual([
      ...[...moved].reverse(),
      headBefore.sha,
    ]);
    expect(log.some(c => c.message === message)).toBe(false);
    await expectNoRowFor(message, rowsBefore);
  });
});
