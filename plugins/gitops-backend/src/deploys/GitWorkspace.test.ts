import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitWorkspace, LocalRepo } from './GitWorkspace';
import { readDir } from './overlayRepo';

// Real git processes: a loaded machine (the suite's e2e lane beside it)
// takes seconds for what takes 200 ms alone.
jest.setTimeout(30_000);

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

  /**
   * Someone else's push, from a clone of their own: a file with `content`,
   * or a symbolic link to `linkTo`.
   */
  function pushElsewhere(
    file: string,
    content: string,
    { linkTo }: { linkTo?: string } = {},
  ) {
    const dir = fs.mkdtempSync(path.join(root, 'other-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'remote', 'add', 'origin', origin);
    if (git(dir, 'ls-remote', 'origin', 'main')) {
      git(dir, 'fetch', '-q', 'origin', 'main');
      git(dir, 'reset', '-q', '--hard', 'FETCH_HEAD');
    }
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (linkTo) {
      fs.symlinkSync(linkTo, target);
    } else {
      fs.writeFileSync(target, content);
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `other: ${file}`);
    git(dir, 'push', '-q', 'origin', 'HEAD:main');
    return git(dir, 'rev-parse', 'HEAD');
  }

  /** Someone's push of a symbolic link `file` -> `target`. */
  const pushLink = (file: string, target: string) =>
    pushElsewhere(file, '', { linkTo: target });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-workspace-'));
    origin = path.join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    pushElsewhere('README.md', 'hello\n');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const committer = { name: 'Backstage GitOps', email: 'gitops@example.com' };
  const author = { name: 'Jane', email: 'jane@example.com' };

  /** The portal's workspace, reaching the origin over file://. */
  const newWorkspace = () =>
    new GitWorkspace(path.join(root, 'ws'), committer, {
      protocols: ['file'],
    });

  /** Runs `work` on the portal's clone of the origin. */
  const inClone = <T>(work: (repo: LocalRepo) => Promise<T>) =>
    newWorkspace().withRepo(`file://${origin}`, undefined, work);

  it('commits as the user and replays its commit on a push it lost to', async () => {
    const result = await inClone(async repo => {
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
    });
    expect(result.rebased).not.toBe(result.sha);
    expect(git(origin, 'rev-parse', 'main')).toBe(result.rebased);
    expect(git(origin, 'rev-parse', 'main^')).toBe(result.theirs);
    expect(git(origin, 'log', '-1', '--format=%an|%cn|%s', 'main')).toBe(
      'Jane|Backstage GitOps|Deploy 2 replicas',
    );
  });

  /** A pre-receive hook in the origin, run for every push it receives. */
  function preReceive(script: string) {
    const hook = path.join(origin, 'hooks', 'pre-receive');
    fs.writeFileSync(hook, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }

  it('takes the branch moving while the host receives the push for a lost race', async () => {
    // The host moves main just before it updates it, as a push that lands
    // in between would.
    preReceive(
      [
        'cat >/dev/null',
        'unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES',
        'head=$(git rev-parse refs/heads/main)',
        'next=$(git commit-tree "$head^{tree}" -p "$head" -m moved)',
        'git update-ref refs/heads/main "$next" "$head"',
      ].join('\n'),
    );
    await inClone(async repo => {
      await repo.checkout(await repo.fetch('main'));
      await repo.writeFile('deploy/patch.yaml', 'replicas: 2\n');
      await repo.commit('Deploy 2 replicas', author);
      expect(await repo.push('main')).toBe(false);
    });
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toBe('moved');
  });

  it("fails at once, with the host's reason, on a push the host refuses", async () => {
    preReceive('cat >/dev/null\necho "main is protected" >&2\nexit 1');
    const before = git(origin, 'rev-parse', 'main');
    const error = await inClone(async repo => {
      await repo.checkout(await repo.fetch('main'));
      await repo.writeFile('deploy/patch.yaml', 'replicas: 2\n');
      await repo.commit('Deploy 2 replicas', author);
      return repo.push('main').catch(e => e);
    });
    expect(error.name).toBe('ConflictError');
    expect(error.message).toBe(
      'the Git host refused the push to main (pre-receive hook declined); nothing was pushed',
    );
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
  });

  it('reports a conflicting push instead of overwriting it', async () => {
    await inClone(async repo => {
      await repo.checkout(await repo.fetch('main'));
      await repo.writeFile('README.md', 'ours\n');
      await repo.commit('ours', author);
      const theirs = pushElsewhere('README.md', 'theirs\n');
      expect(await repo.push('main')).toBe(false);
      expect(await repo.rebase(await repo.fetch('main'))).toBe(false);
      expect(git(origin, 'rev-parse', 'main')).toBe(theirs);
    });
  });

  it('writes nothing outside the clone, whatever links the repository holds', async () => {
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'kept\n');
    pushLink(
      'deploy/gitops-deploy-patch.yaml',
      path.join(outside, 'secret.yaml'),
    );
    pushLink('linked', outside);
    const outcomes = await inClone(async repo => {
      await repo.checkout(await repo.fetch('main'));
      const write = (file: string) =>
        repo.writeFile(file, 'written\n').then(
          () => 'written',
          (error: Error) => `${error.name}: ${error.message}`,
        );
      return [
        // A link is checked out as a plain file holding its target.
        await write('deploy/gitops-deploy-patch.yaml'),
        await write('linked/kustomization.yaml'),
        await write('../outside/new.yaml'),
      ];
    });
    expect(outcomes).toEqual([
      'written',
      expect.stringMatching(/^Error: EEXIST/),
      'InputError: ../outside/new.yaml: not a path inside the repository',
    ]);
    expect(fs.readdirSync(outside)).toEqual(['secret.yaml']);
    expect(fs.readFileSync(path.join(outside, 'secret.yaml'), 'utf8')).toBe(
      'kept\n',
    );
  });

  it('reads no overlay whose kustomization.yaml or deploy patch is a symbolic link (readDir)', async () => {
    pushElsewhere('kustomization.yaml', 'resources: []\n');
    pushLink('deploy/kustomization.yaml', '/etc/hostname');
    pushLink('whole', 'deploy');
    const outcomes = await inClone(async repo => {
      const head = await repo.fetch('main');
      const outcome = (dir: string) =>
        readDir(repo, head, dir).then(
          files => [...files.keys()].join(','),
          (error: Error) => error.message.replace(head.slice(0, 12), 'HEAD'),
        );
      return [
        await outcome('deploy'),
        await outcome('whole'),
        await outcome(''),
      ];
    });
    expect(outcomes).toEqual([
      'overlay: deploy/kustomization.yaml is a symbolic link at HEAD; the portal reads and edits only regular files (kustomization.yaml and gitops-deploy-patch.yaml)',
      'overlay: whole is a symbolic link at HEAD; the portal reads and edits only regular files (kustomization.yaml and gitops-deploy-patch.yaml)',
      expect.stringContaining(
        'overlay: deploy/kustomization.yaml is a symbolic link',
      ),
    ]);
  });

  it('serializes work on one repository within the process', async () => {
    const workspace = newWorkspace();
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

  it('lists the commits, files and diff between two commits under some paths only', async () => {
    const from = pushElsewhere(
      'overlays/dev/kustomization.yaml',
      'resources: [../../base]\n',
    );
    pushElsewhere('base/app.yaml', 'replicas: 1\n');
    pushElsewhere('docs/notes.md', 'unrelated\n');
    const to = pushElsewhere('base/app.yaml', 'replicas: 2\n');
    const answer = await inClone(async repo => {
      await repo.fetch('main');
      return {
        touching: await repo.commitsTouching(
          from,
          to,
          ['overlays/dev', 'base'],
          10,
        ),
        last: await repo.commitsTouching(from, to, ['base'], 1),
        files: await repo.changedFiles(from, to, ['overlays/dev', 'base']),
        diff: await repo.unifiedDiff(from, to, ['base'], 64 * 1024),
        tooLarge: await repo.unifiedDiff(from, to, ['base'], 10),
        // A pathspec is taken literally: no glob reaches other files.
        glob: await repo.changedFiles(from, to, ['*']),
      };
    });
    expect(answer.touching.total).toBe(3);
    expect(answer.touching.commits.map(c => c.subject)).toEqual([
      'other: base/app.yaml',
      'other: base/app.yaml',
    ]);
    expect(answer.touching.commits[1]).toMatchObject({
      sha: to,
      author: 'other',
    });
    expect(answer.last.commits.map(c => c.sha)).toEqual([to]);
    expect(answer.files).toEqual([{ path: 'base/app.yaml', status: 'added' }]);
    expect(answer.diff).toContain('+replicas: 2');
    expect(answer.tooLarge).toBeUndefined();
    expect(answer.glob).toEqual([]);
  });
});
