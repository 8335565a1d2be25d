import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitWorkspace } from './GitWorkspace';

// A real bare repository over file://: the push protocol is Git's own.
describe('GitWorkspace', () => {
  let root: string;
  let origin: string;

  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'other',
        GIT_AUTHOR_EMAIL: 'other@example.com',
        GIT_COMMITTER_NAME: 'other',
        GIT_COMMITTER_EMAIL: 'other@example.com',
      },
    })
      .toString()
      .trim();

  /** Someone else's push, from a clone of their own. */
  function pushElsewhere(file: string, content: string) {
    const dir = fs.mkdtempSync(path.join(root, 'other-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', origin);
    if (git(dir, 'ls-remote', 'origin', 'main')) {
      git(dir, 'fetch', '-q', 'origin', 'main');
      git(dir, 'reset', '-q', '--hard', 'FETCH_HEAD');
    }
    fs.writeFileSync(path.join(dir, file), content);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `other: ${file}`);
    git(dir, 'push', '-q', 'origin', 'HEAD:main');
    return git(dir, 'rev-parse', 'HEAD');
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-workspace-'));
    origin = path.join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    pushElsewhere('README.md', 'hello\n');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const committer = { name: 'Backstage GitOps', email: 'gitops@example.com' };
  const author = { name: 'Jane', email: 'jane@example.com' };

  it('commits as the user and replays its commit on a push it lost to', async () => {
    const workspace = new GitWorkspace(path.join(root, 'ws'), committer, {
      protocols: ['file'],
    });
    const result = await workspace.withRepo(
      `file://${origin}`,
      undefined,
      async repo => {
        const head = await repo.fetch('main');
        await repo.checkout(head);
        await repo.writeFile('deploy/patch.yaml', 'replicas: 2\n');
        const sha = await repo.commit('Deploy 2 replicas', author);
        const theirs = pushElsewhere('other.txt', 'theirs\n');
        expect(await repo.push('main')).toBe(false);
        const moved = await repo.fetch('main');
        expect(moved).toBe(theirs);
        expect(await repo.rebase(moved)).toBe(true);
        expect(await repo.push('main')).toBe(true);
        return { sha, rebased: await repo.head(), theirs };
      },
    );
    expect(result.rebased).not.toBe(result.sha);
    expect(git(origin, 'rev-parse', 'main')).toBe(result.rebased);
    expect(git(origin, 'rev-parse', 'main^')).toBe(result.theirs);
    expect(git(origin, 'log', '-1', '--format=%an|%cn|%s', 'main')).toBe(
      'Jane|Backstage GitOps|Deploy 2 replicas',
    );
  });

  it('reports a conflicting push instead of overwriting it', async () => {
    const workspace = new GitWorkspace(path.join(root, 'ws'), committer, {
      protocols: ['file'],
    });
    await workspace.withRepo(`file://${origin}`, undefined, async repo => {
      await repo.checkout(await repo.fetch('main'));
      await repo.writeFile('README.md', 'ours\n');
      await repo.commit('ours', author);
      const theirs = pushElsewhere('README.md', 'theirs\n');
      expect(await repo.push('main')).toBe(false);
      expect(await repo.rebase(await repo.fetch('main'))).toBe(false);
      expect(git(origin, 'rev-parse', 'main')).toBe(theirs);
    });
  });

  it('serializes work on one repository within the process', async () => {
    const workspace = new GitWorkspace(path.join(root, 'ws'), committer, {
      protocols: ['file'],
    });
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map(name =>
        workspace.withRepo(`file://${origin}`, undefined, async repo => {
          order.push(`start ${name}`);
          await repo.checkout(await repo.fetch('main'));
          await repo.writeFile(`${name}.txt`, name);
          await repo.commit(name, author);
          expect(await repo.push('main')).toBe(true);
          order.push(`end ${name}`);
        }),
      ),
    );
    expect(order).toEqual([
      'start a',
      'end a',
      'start b',
      'end b',
      'start c',
      'end c',
    ]);
    expect(git(origin, 'rev-list', '--count', 'main')).toBe('4');
  });
});
