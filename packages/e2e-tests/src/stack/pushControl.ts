import fs from 'node:fs/promises';
import path from 'node:path';
import { StackEnv } from './stackEnv';
import { waitFor } from './kube';

/**
 * Steers pushes to one repository of the local Gitea from the server side,
 * so a test can land its own push between the portal's fetch and its push.
 * Gitea's generated `hooks/pre-receive` runs every executable in
 * `hooks/pre-receive.d`; the hook written here reads its orders from a
 * control folder. A push it holds has passed Gitea's own checks and waits
 * before git updates the branch, so a push landing meanwhile makes the held
 * one fail as it would in a real race ("failed to update ref").
 */
export class PushControl {
  private constructor(
    private readonly hookFile: string,
    private readonly control: string,
  ) {}

  static async install(env: StackEnv, repo: string): Promise<PushControl> {
    const repoDir = path.join(
      env.STACK_STATE_DIR,
      'gitea',
      'repos',
      env.GITEA_ORG.toLowerCase(),
      `${repo.toLowerCase()}.git`,
    );
    const hooks = path.join(repoDir, 'hooks', 'pre-receive.d');
    // Gitea writes the repository's hooks when it creates it.
    await fs.access(path.join(hooks, 'gitea'));
    const control = await fs.mkdtemp(path.join(repoDir, 'e2e-push-control-'));
    const hookFile = path.join(hooks, 'zz-e2e-push-control');
    await fs.writeFile(hookFile, hookScript(control), { mode: 0o755 });
    return new PushControl(hookFile, control);
  }

  /** The next push to arrive waits in the hook until `release`. */
  async holdNext(): Promise<void> {
    for (const leftover of ['holding', 'release']) {
      await fs.rm(path.join(this.control, leftover), { force: true });
    }
    await fs.writeFile(path.join(this.control, 'hold-next'), '');
  }

  /** The next push to arrive is refused, as a protected branch would be. */
  async refuseNext(): Promise<void> {
    await fs.writeFile(path.join(this.control, 'refuse-next'), '');
  }

  /** Resolves once a push waits in the hook. */
  async held(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'a push held by the pre-receive hook',
      async () =>
        (await exists(path.join(this.control, 'holding'))) || undefined,
      timeoutMs,
    );
  }

  async release(): Promise<void> {
    await fs.writeFile(path.join(this.control, 'release'), '');
  }

  /**
   * While on, every push finds `branch` moved by one new commit (same
   * tree) just before it lands, as if someone else always pushed first.
   */
  async moveBranchUnderEveryPush(on: boolean, branch = 'main') {
    const file = path.join(this.control, 'move-branch');
    if (on) {
      await fs.writeFile(file, branch);
    } else {
      await fs.rm(file, { force: true });
    }
  }

  /** The commits the hook moved the branch to, oldest first. */
  async movedTo(): Promise<string[]> {
    const text = await fs
      .readFile(path.join(this.control, 'moved'), 'utf8')
      .catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  async remove(): Promise<void> {
    await fs.rm(this.hookFile, { force: true });
    await fs.rm(this.control, { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function hookScript(control: string): string {
  return `#!/usr/bin/env bash
# Written by the e2e tests (packages/e2e-tests/src/stack/pushControl.ts).
cat >/dev/null
control='${control}'
if rm "$control/refuse-next" 2>/dev/null; then
  echo "refused by the e2e tests' hook" >&2
  exit 1
fi
if mv "$control/hold-next" "$control/holding" 2>/dev/null; then
  for _ in $(seq 1 1200); do
    if [ -e "$control/release" ]; then
      rm -f "$control/release" "$control/holding"
      exit 0
    fi
    sleep 0.05
  done
  # Never released: refuse, and leave nothing that would end the next hold.
  rm -f "$control/holding"
  echo "held for 60 s and never released by the e2e test" >&2
  exit 1
fi
if [ -e "$control/move-branch" ]; then
  ref="refs/heads/$(cat "$control/move-branch")"
  # Objects and refs of the repository itself, not of this push's quarantine.
  unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
  head=$(git rev-parse "$ref") || exit 0
  next=$(GIT_AUTHOR_NAME=outside GIT_AUTHOR_EMAIL=outside@example.com \\
    GIT_COMMITTER_NAME=outside GIT_COMMITTER_EMAIL=outside@example.com \\
    git commit-tree "$head^{tree}" -p "$head" -m "outside push") || exit 0
  git update-ref "$ref" "$next" "$head" && echo "$next" >>"$control/moved"
fi
exit 0
`;
}
