import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InputError } from '@backstage/errors';
import {
  GitCredentials,
  GitProtocol,
  GitRunError,
  runGit,
} from '@gitops-backstage/plugin-gitops-node';

/** What git's receive-pack answers when the branch moved during the push. */
const BRANCH_MOVED =
  /failed to update ref|cannot lock ref|stale info|fetch first|non-fast-forward/i;
/** `git diff --name-status` letters, as the portal names them. */
const FILE_STATUS: Record<string, 'added' | 'deleted'> = {
  A: 'added',
  D: 'deleted',
};

/** Who commits: the portal; the author is the user who deployed. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** A commit as the history shows it. */
export interface CommitInfo {
  sha: string;
  message: string;
  author: string;
  authorEmail: string;
  date: string;
}

/** Failure of a git command, with its output but never its credentials. */
// Git's well-known hashes of the tree with nothing in it.
const EMPTY_TREE: Record<string, string> = {
  sha1: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  sha256: '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321',
};

export class GitCommandError extends Error {
  constructor(readonly args: string[], readonly output: string) {
    super(
      `git ${args[0]} failed: ${output.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

/** A local clone, driven with the git CLI. */
export class LocalRepo {
  constructor(
    readonly dir: string,
    readonly url: string,
    private readonly credentials: GitCredentials | undefined,
    private readonly committer: GitIdentity,
    private readonly protocols?: GitProtocol[],
  ) {}

  async open(): Promise<void> {
    try {
      await fs.access(path.join(this.dir, '.git'));
    } catch {
      await fs.mkdir(this.dir, { recursive: true });
      await this.git(['init', '-q']);
      await this.git(['remote', 'add', 'origin', this.url]);
    }
  }

  /** Fetches the branch; answers its head commit. */
  async fetch(branch: string): Promise<string> {
    await this.git([
      'fetch',
      '-q',
      '--no-tags',
      'origin',
      `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
    ]);
    return this.git(['rev-parse', `refs/remotes/origin/${branch}`]);
  }

  /** Fetches a commit that is not on a fetched branch (best effort). */
  async ensureCommit(sha: string, branch: string): Promise<boolean> {
    if (await this.hasCommit(sha)) {
      return true;
    }
    await this.fetch(branch).catch(() => undefined);
    return this.hasCommit(sha);
  }

  private async hasCommit(sha: string): Promise<boolean> {
    try {
      await this.git(['cat-file', '-e', `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** A clean work tree at the commit. */
  async checkout(commit: string): Promise<void> {
    await this.git(['checkout', '-q', '--force', '--detach', commit]);
    await this.git(['clean', '-q', '-fdx']);
  }

  /** The content of a file at a commit, or undefined if it is absent. */
  async show(commit: string, file: string): Promise<string | undefined> {
    try {
      return await this.git(['show', `${commit}:${file}`], { trim: false });
    } catch {
      return undefined;
    }
  }

  /**
   * Files under a directory at a commit, with their sizes in bytes and
   * their Git modes (120000: a symbolic link, whose content is its target).
   */
  async listFiles(
    commit: string,
    dir: string,
  ): Promise<Array<{ path: string; size: number; mode: string }>> {
    // -z: paths as they are, never quoted; -l: blob sizes ('-' for a
    // submodule, which has no content here).
    const out = await this.git(
      ['ls-tree', '-r', '-l', '-z', commit, '--', dir],
      { trim: false },
    );
    return out
      .split('\0')
      .filter(Boolean)
      .map(entry => {
        const tab = entry.indexOf('\t');
        const [mode, , , size] = entry.slice(0, tab).trim().split(/ +/);
        return { path: entry.slice(tab + 1), size: Number(size) || 0, mode };
      });
  }

  /**
   * Writes a file of the work tree, never outside it. Committed links are
   * checked out as plain files (core.symlinks=false in runGit), so no path
   * inside the clone leads out of it.
   */
  async writeFile(file: string, content: string): Promise<void> {
    const root = path.resolve(this.dir);
    const target = path.resolve(root, file);
    if (!target.startsWith(`${root}${path.sep}`)) {
      throw new InputError(`${file}: not a path inside the repository`);
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content, 'utf8');
  }

  /** Restores a directory to its content at a commit (rollback). */
  async restoreDir(commit: string, dir: string): Promise<void> {
    await this.git(['rm', '-r', '-q', '--ignore-unmatch', '--', dir]);
    await this.git(['checkout', commit, '--', dir]);
  }

  /** Commits everything staged or changed; undefined if nothing changed. */
  async commit(
    message: string,
    author: GitIdentity,
  ): Promise<string | undefined> {
    await this.git(['add', '-A']);
    const status = await this.git(['status', '--porcelain']);
    if (!status) {
      return undefined;
    }
    await this.git(['commit', '-q', '--no-verify', '-F', '-'], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
      },
    });
    return this.git(['rev-parse', 'HEAD']);
  }

  /**
   * Pushes HEAD; false when the branch moved (non-fast-forward, or moved
   * while the host received the push). A push the host refuses for a
   * reason of its own (a protected branch, a hook) is a ConflictError with
   * the host's reason: pushing again would not help.
   */
  async push(branch: string): Promise<boolean> {
    try {
      await this.git(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`]);
      return true;
    } catch (error) {
      if (!(error instanceof GitCommandError)) {
        throw error;
      }
      const refusal = /\[remote rejected\][^(\n]*\(([^)\n]*)\)/.exec(
        error.output,
      )?.[1];
      if (refusal && !BRANCH_MOVED.test(refusal)) {
        throw new ConflictError(
          `the Git host refused the push to ${branch} (${refusal.slice(
            0,
            200,
          )}); nothing was pushed`,
        );
      }
      if (
        /non-fast-forward|fetch first|rejected|stale info/i.test(error.output)
      ) {
        return false;
      }
      throw error;
    }
  }

  /** Replays HEAD's commit onto the branch's new head; false on conflict. */
  async rebase(onto: string): Promise<boolean> {
    try {
      await this.git(['rebase', '-q', onto]);
      return true;
    } catch {
      await this.git(['rebase', '--abort']).catch(() => undefined);
      return false;
    }
  }

  async head(): Promise<string> {
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Paths whose content differs between two commits. */
  async changedPaths(from: string, to: string): Promise<string[]> {
    const out = await this.git(
      ['diff', '--no-renames', '--name-only', '-z', from, to],
      { trim: false },
    );
    return out.split('\0').filter(Boolean);
  }

  /** The commits from `base` (exclusive) to HEAD, oldest first. */
  async commitsSince(base: string): Promise<string[]> {
    const out = await this.git(['rev-list', '--reverse', `${base}..HEAD`]);
    return out.split('\n').filter(Boolean);
  }

  /**
   * Commits of `from..to` that touch `paths` (the newest `limit`, oldest
   * first) and how many commits `from..to` holds in all.
   */
  async commitsTouching(
    from: string | undefined,
    to: string,
    paths: string[],
    limit: number,
  ): Promise<{
    commits: Array<{
      sha: string;
      author: string;
      date: string;
      subject: string;
    }>;
    total: number;
  }> {
    // No base: the first commit and everything before `to`.
    const range = from ? `${from}..${to}` : to;
    const out = await this.git(
      [
        'log',
        `-n${limit}`,
        '--format=%H%x00%an%x00%aI%x00%s%x1e',
        range,
        '--',
        ...literalPaths(paths),
      ],
      { trim: false },
    );
    const commits = out
      .split('\x1e')
      .map(record => record.replace(/^\n/, ''))
      .filter(Boolean)
      .map(record => {
        const [sha, author, date, subject] = record.split('\0');
        return { sha, author, date, subject };
      })
      .reverse();
    const total = Number(await this.git(['rev-list', '--count', range]));
    return { commits, total };
  }

  /** Files under `paths` that differ between two commits, and how. */
  async changedFiles(
    from: string,
    to: string,
    paths: string[],
  ): Promise<
    Array<{ path: string; status: 'added' | 'modified' | 'deleted' }>
  > {
    const out = await this.git(
      [
        'diff',
        '--no-renames',
        '--name-status',
        '-z',
        from,
        to,
        '--',
        ...literalPaths(paths),
      ],
      { trim: false },
    );
    const fields = out.split('\0').filter(Boolean);
    const files: Array<{
      path: string;
      status: 'added' | 'modified' | 'deleted';
    }> = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      files.push({
        path: fields[i + 1],
        status: FILE_STATUS[fields[i][0]] ?? 'modified',
      });
    }
    return files;
  }

  /**
   * The unified diff of `paths` between two commits, as git writes it (no
   * external diff or text conversion a repository could configure), at
   * most `maxBytes`: undefined beyond (or when git gives up on it; the
   * commits were read before, so the revisions are there).
   */
  async unifiedDiff(
    from: string,
    to: string,
    paths: string[],
    maxBytes: number,
  ): Promise<string | undefined> {
    try {
      return await this.git(
        [
          'diff',
          '--no-renames',
          '--no-ext-diff',
          '--no-textconv',
          '--no-color',
          '-U3',
          from,
          to,
          '--',
          ...literalPaths(paths),
        ],
        { trim: false, maxBuffer: maxBytes },
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the commit is on the branch as the remote has it now: fetched
   * when this clone lacks it or its tip does not contain it (a clone may
   * keep commits the remote force-pushed away).
   */
  async isOnBranch(sha: string, branch: string): Promise<boolean> {
    const tip = `refs/remotes/origin/${branch}`;
    if ((await this.hasCommit(sha)) && (await this.isAncestor(sha, tip))) {
      return true;
    }
    await this.fetch(branch).catch(() => undefined);
    return (await this.hasCommit(sha)) && this.isAncestor(sha, tip);
  }

  /** The commit's first parent; none for a repository's first commit. */
  async firstParent(sha: string): Promise<string | undefined> {
    const [, parent] = (
      await this.git(['rev-list', '--parents', '-n', '1', sha])
    ).split(' ');
    return parent || undefined;
  }

  /** Git's empty tree in this repository's object format: what a first commit is compared with. */
  async emptyTree(): Promise<string> {
    const format = await this.git(['rev-parse', '--show-object-format']);
    return EMPTY_TREE[format] ?? EMPTY_TREE.sha1;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    const out = await this.git(
      ['show', '-s', '--format=%H%x00%an%x00%ae%x00%aI%x00%B', sha],
      { trim: false },
    );
    const [full, author, authorEmail, date, ...message] = out.split('\0');
    return {
      sha: full,
      author,
      authorEmail,
      date,
      message: message.join('\0').trim(),
    };
  }

  /** Every command goes through the isolated runner of gitops-node. */
  private async git(
    args: string[],
    options: {
      input?: string;
      env?: Record<string, string>;
      trim?: boolean;
      maxBuffer?: number;
    } = {},
  ): Promise<string> {
    try {
      const stdout = await runGit(args, {
        cwd: this.dir,
        input: options.input,
        env: {
          GIT_COMMITTER_NAME: this.committer.name,
          GIT_COMMITTER_EMAIL: this.committer.email,
          GIT_AUTHOR_NAME: this.committer.name,
          GIT_AUTHOR_EMAIL: this.committer.email,
          ...options.env,
        },
        config: authConfig(this.credentials),
        protocols: this.protocols,
        maxBuffer: options.maxBuffer,
      });
      return options.trim === false ? stdout : stdout.trim();
    } catch (error) {
      if (error instanceof GitRunError) {
        throw new GitCommandError(args, error.output);
      }
      throw error;
    }
  }
}

/** Paths as git pathspecs taken literally (no glob or magic in a repository's names). */
function literalPaths(paths: string[]): string[] {
  return paths.map(p => `:(literal)${p || '.'}`);
}

/**
 * One local clone per repository, driven with the git CLI so that any host
 * Backstage integrates with works the same. Credentials travel in the
 * environment (never on the command line or in .git/config). Work on a
 * repository is serialized within this process; other replicas are handled
 * by the push protocol (a rejected push is rebased and retried).
 */
export class GitWorkspace {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly root: string,
    private readonly committer: GitIdentity,
    private readonly options: {
      /** Transports the portal may clone over; default http and https. */
      protocols?: GitProtocol[];
      /**
       * The URL the portal clones for a GitRepository URL: Flux pulls
       * over SSH with a deploy key, the portal over HTTP(S) with its
       * integration.
       */
      cloneUrl?: (repoUrl: string) => string;
    } = {},
  ) {}

  /** Where the portal itself clones a repository Flux pulls from `repoUrl`. */
  cloneUrl(repoUrl: string): string {
    return this.options.cloneUrl?.(repoUrl) ?? repoUrl;
  }

  /** Whether work on the repository is running or queued in this process. */
  isBusy(repoUrl: string): boolean {
    return this.queues.has(repoUrl);
  }

  async withRepo<T>(
    repoUrl: string,
    credentials: GitCredentials | undefined,
    work: (repo: LocalRepo) => Promise<T>,
  ): Promise<T> {
    const previous = this.queues.get(repoUrl) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const dir = path.join(
          this.root,
          createHash('sha256').update(repoUrl).digest('hex').slice(0, 16),
        );
        const repo = new LocalRepo(
          dir,
          repoUrl,
          credentials,
          this.committer,
          this.options.protocols,
        );
        await repo.open();
        return work(repo);
      });
    this.queues.set(repoUrl, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(repoUrl) === run) {
        this.queues.delete(repoUrl);
      }
    }
  }
}

/** http.extraHeader through GIT_CONFIG_*: not visible in argv or config. */
function authConfig(credentials?: GitCredentials): Record<string, string> {
  if (!credentials) {
    return { 'rebase.autoStash': 'false' };
  }
  const header =
    'bearerToken' in credentials
      ? `Authorization: Bearer ${credentials.bearerToken}`
      : `Authorization: Basic ${Buffer.from(
          `${credentials.username}:${credentials.password}`,
        ).toString('base64')}`;
  return { 'http.extraHeader': header, 'rebase.autoStash': 'false' };
}
