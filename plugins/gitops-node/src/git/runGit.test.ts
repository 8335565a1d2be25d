import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitRunError, runGit } from './runGit';

/**
 * A repository whose tree tries every way we know to make git run a
 * command: git config files where HOME or XDG_CONFIG_HOME would find them
 * (hooksPath, fsmonitor, pager, filter and diff drivers), hooks, and
 * attributes that name those drivers. Each command would leave a file in
 * `markers`.
 */
function hostileFiles(markers: string): Record<string, string> {
  const touch = (name: string) => `touch ${path.join(markers, name)}`;
  const gitconfig = [
    '[core]',
    `  fsmonitor = "${touch('fsmonitor')}"`,
    '  hooksPath = hooks',
    `  pager = "${touch('pager')}; cat"`,
    `  editor = "${touch('editor')}"`,
    '[filter "x"]',
    `  smudge = "${touch('smudge')}; cat"`,
    `  clean = "${touch('clean')}; cat"`,
    '  required = true',
    '[diff "x"]',
    `  textconv = "${touch('textconv')}; cat"`,
    `  command = "${touch('diff-command')}"`,
    '[merge "x"]',
    `  driver = "${touch('merge-driver')}"`,
    '',
  ].join('\n');
  const hook = (name: string) => `#!/bin/sh\n${touch(`hook-${name}`)}\n`;
  return {
    '.gitconfig': gitconfig,
    '.config/git/config': gitconfig,
    '.gitattributes': '* filter=x diff=x merge=x\n',
    'hooks/post-checkout': hook('post-checkout'),
    'hooks/pre-commit': hook('pre-commit'),
    'hooks/commit-msg': hook('commit-msg'),
    'hooks/post-commit': hook('post-commit'),
    'hooks/pre-push': hook('pre-push'),
    'hooks/pre-rebase': hook('pre-rebase'),
    'hooks/reference-transaction': hook('reference-transaction'),
    'hooks/fsmonitor-watchman': hook('fsmonitor-watchman'),
    'deploy/app.yaml': 'kind: ConfigMap\n',
  };
}

/** Git for building the fixture, with a clean home of its own. */
function setupGit(cwd: string, home: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'fixture',
      GIT_AUTHOR_EMAIL: 'fixture@example.com',
      GIT_COMMITTER_NAME: 'fixture',
      GIT_COMMITTER_EMAIL: 'fixture@example.com',
    },
    encoding: 'utf8',
  });
}

describe('runGit', () => {
  let root: string;
  let markers: string;
  let bare: string;
  let fixtureHome: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-git-test-'));
    markers = path.join(root, 'markers');
    bare = path.join(root, 'hostile.git');
    fixtureHome = path.join(root, 'fixture-home');
    fs.mkdirSync(markers);
    fs.mkdirSync(fixtureHome);
    const source = path.join(root, 'source');
    fs.mkdirSync(source);
    setupGit(root, fixtureHome, 'init', '-q', '--bare', '-b', 'main', bare);
    setupGit(source, fixtureHome, 'init', '-q', '-b', 'main');
    for (const [file, content] of Object.entries(hostileFiles(markers))) {
      fs.mkdirSync(path.dirname(path.join(source, file)), { recursive: true });
      fs.writeFileSync(path.join(source, file), content, {
        mode: file.startsWith('hooks/') ? 0o755 : 0o644,
      });
    }
    setupGit(source, fixtureHome, 'add', '-A');
    setupGit(source, fixtureHome, 'commit', '-q', '-m', 'hostile');
    fs.appendFileSync(path.join(source, 'deploy/app.yaml'), 'data: {}\n');
    setupGit(source, fixtureHome, 'commit', '-q', '-am', 'second');
    setupGit(source, fixtureHome, 'push', '-q', bare, 'main');
    // Building the fixture itself ran nothing.
    if (fs.readdirSync(markers).length > 0) {
      throw new Error('the fixture ran a command while it was built');
    }
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the fixture is live: git with the work tree as HOME runs its commands', async () => {
    const clone = path.join(root, 'unsafe');
    setupGit(root, fixtureHome, 'clone', '-q', bare, clone);
    // What the deploy workspace did before: HOME = work tree.
    await promisify(execFile)('git', ['status', '--porcelain'], {
      cwd: clone,
      env: { PATH: process.env.PATH, HOME: clone, GIT_CONFIG_NOSYSTEM: '1' },
    }).catch(() => undefined);
    await promisify(execFile)(
      'git',
      ['diff', 'HEAD~1', 'HEAD', '--', 'deploy/app.yaml'],
      {
        cwd: clone,
        env: { PATH: process.env.PATH, HOME: clone, GIT_CONFIG_NOSYSTEM: '1' },
      },
    ).catch(() => undefined);
    expect(fs.readdirSync(markers).length).toBeGreaterThan(0);
  });

  it('runs none of the commands a hostile tree carries, through every step a deploy takes', async () => {
    const dir = path.join(root, 'work');
    fs.mkdirSync(dir);
    const git = (args: string[], input?: string) =>
      runGit(args, {
        cwd: dir,
        input,
        protocols: ['file'],
        env: {
          GIT_AUTHOR_NAME: 'portal',
          GIT_AUTHOR_EMAIL: 'portal@example.com',
          GIT_COMMITTER_NAME: 'portal',
          GIT_COMMITTER_EMAIL: 'portal@example.com',
        },
      });
    await git(['init', '-q']);
    await git(['remote', 'add', 'origin', `file://${bare}`]);
    await git([
      'fetch',
      '-q',
      '--no-tags',
      'origin',
      '+refs/heads/main:refs/remotes/origin/main',
    ]);
    const head = (await git(['rev-parse', 'refs/remotes/origin/main'])).trim();
    await git(['checkout', '-q', '--force', '--detach', head]);
    await git(['clean', '-q', '-fdx']);
    // The files are there, hooks executable: only git ignored them.
    expect(
      fs.statSync(path.join(dir, 'hooks/post-checkout')).mode & 0o111,
    ).not.toBe(0);
    expect(await git(['show', `${head}:deploy/app.yaml`])).toContain(
      'ConfigMap',
    );
    await git(['ls-tree', '-r', '--name-only', head, '--', 'deploy']);
    await git(['diff', 'HEAD~1', 'HEAD']);
    await git(['log', '-p', '-1']);
    await git(['status', '--porcelain']);
    fs.appendFileSync(path.join(dir, 'deploy/app.yaml'), '# deploy\n');
    await git(['add', '-A']);
    await git(['commit', '-q', '-F', '-'], 'deploy');
    await git(['rebase', '-q', head]);
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    await git(['checkout', head, '--', 'deploy']);

    expect(fs.readdirSync(markers)).toEqual([]);
  });

  it('checks a committed symlink out as a plain file, so writes stay inside the clone', async () => {
    const outside = path.join(root, 'outside.yaml');
    const source = path.join(root, 'link-source');
    fs.mkdirSync(source);
    setupGit(source, fixtureHome, 'init', '-q', '-b', 'main');
    fs.symlinkSync(outside, path.join(source, 'patch.yaml'));
    setupGit(source, fixtureHome, 'add', '-A');
    setupGit(source, fixtureHome, 'commit', '-q', '-m', 'link');
    const dir = path.join(root, 'link-work');
    await runGit(['clone', '-q', source, dir], {
      cwd: root,
      protocols: ['file'],
    });
    const checkedOut = path.join(dir, 'patch.yaml');
    expect(fs.lstatSync(checkedOut).isSymbolicLink()).toBe(false);
    fs.writeFileSync(checkedOut, 'written: by a deploy\n');
    expect(fs.existsSync(outside)).toBe(false);
  });

  it('refuses transports that are not allowed (file by default, ext always)', async () => {
    const dir = path.join(root, 'work');
    fs.mkdirSync(dir);
    await expect(
      runGit(['ls-remote', `file://${bare}`], { cwd: dir }),
    ).rejects.toThrow(/transport 'file' not allowed/);
    await expect(
      runGit(['ls-remote', `ext::sh -c touch% ${markers}/ext`], {
        cwd: dir,
        protocols: ['http', 'https', 'ssh', 'file'],
      }),
    ).rejects.toThrow(/transport 'ext' not allowed/);
    expect(fs.readdirSync(markers)).toEqual([]);
  });

  it('cannot be told to turn hooks back on, and keeps GIT_CONFIG out of env', async () => {
    const dir = path.join(root, 'work');
    setupGit(root, fixtureHome, 'clone', '-q', bare, dir);
    await runGit(['checkout', '-q', '--detach', 'HEAD~1'], {
      cwd: dir,
      config: { 'core.hooksPath': 'hooks', 'core.fsmonitor': 'true' },
    });
    expect(fs.readdirSync(markers)).toEqual([]);
    await expect(
      runGit(['status'], { cwd: dir, env: { GIT_CONFIG_GLOBAL: '/x' } }),
    ).rejects.toThrow(/options.config/);
  });

  it('kills a command that outlives its timeout', async () => {
    // A server that accepts and never answers.
    const server = net.createServer(() => undefined);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const started = Date.now();
    try {
      const error = await runGit(
        ['ls-remote', `http://127.0.0.1:${port}/x.git`],
        { cwd: root, timeoutMs: 500 },
      ).catch(e => e);
      expect(error).toBeInstanceOf(GitRunError);
      expect(error.timedOut).toBe(true);
      expect(error.message).toBe('git ls-remote timed out');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      server.close();
    }
  });
});
