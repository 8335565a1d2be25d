import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackEnv } from './stackEnv';

const run = promisify(execFile);

/** A deploy key as Gitea's API returns it (the fields the tests read). */
export interface DeployKey {
  id: number;
  title: string;
  /** The public key, `<type> <base64> [comment]`. */
  key: string;
  read_only: boolean;
}

/** A repository in the local Gitea, pushed to over HTTP with basic auth. */
export class TestGitServer {
  constructor(private readonly env: StackEnv) {}

  get basicAuth(): { username: string; password: string } {
    return {
      username: this.env.GITEA_ADMIN_USER,
      password: this.env.GITEA_ADMIN_PASSWORD,
    };
  }

  repoUrl(name: string): string {
    return `${this.env.GITEA_URL}/${this.env.GITEA_ORG}/${name}.git`;
  }

  async createRepo(prefix: string): Promise<string> {
    const name = `${prefix}-${Date.now().toString(36)}`;
    const response = await fetch(
      `${this.env.GITEA_URL}/api/v1/orgs/${this.env.GITEA_ORG}/repos`,
      {
        method: 'POST',
        headers: {
          Authorization: `token ${this.env.GITEA_TOKEN}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ name, private: true, default_branch: 'main' }),
      },
    );
    if (!response.ok) {
      throw new Error(
        `creating repo ${name} failed: ${
          response.status
        } ${await response.text()}`,
      );
    }
    return name;
  }

  /**
   * Commits `files` on top of the branch (or as its first commit) and
   * pushes; returns the new commit's sha.
   */
  async commit(
    repo: string,
    /** Content by path; null removes the file. */
    files: Record<string, string | null>,
    message: string,
    branch = 'main',
  ): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-git-'));
    const auth = Buffer.from(
      `${this.basicAuth.username}:${this.basicAuth.password}`,
    ).toString('base64');
    // The credentials travel in a header, never in a URL or a log line.
    const git = (...args: string[]) =>
      run(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: Basic ${auth}`,
          '-c',
          'user.name=e2e-tests',
          '-c',
          'user.email=e2e-tests@example.com',
          ...args,
        ],
        { cwd: dir },
      );
    try {
      await git('init', '-q', '-b', branch);
      await git('remote', 'add', 'origin', this.repoUrl(repo));
      const { stdout } = await git('ls-remote', 'origin', branch);
      if (stdout.trim()) {
        await git('fetch', '-q', 'origin', branch);
        await git('reset', '-q', '--hard', `origin/${branch}`);
      }
      for (const [file, content] of Object.entries(files)) {
        if (content === null) {
          await fs.rm(path.join(dir, file), { force: true });
          continue;
        }
        await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await fs.writeFile(path.join(dir, file), content);
      }
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      await git('push', '-q', 'origin', `HEAD:${branch}`);
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** The commits on the branch, newest first, with their messages. */
  async log(
    repo: string,
    branch = 'main',
  ): Promise<Array<{ sha: string; message: string; author: string }>> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'e2e-git-log-'));
    const auth = Buffer.from(
      `${this.basicAuth.username}:${this.basicAuth.password}`,
    ).toString('base64');
    try {
      await run(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: Basic ${auth}`,
          'clone',
          '-q',
          '--bare',
          '--branch',
          branch,
          this.repoUrl(repo),
          dir,
        ],
        { cwd: os.tmpdir() },
      );
      const { stdout } = await run(
        'git',
        ['log', '--format=%H%x00%an%x00%s%x01', branch],
        { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      );
      return stdout
        .split('\x01')
        .map(line => line.trim())
        .filter(Boolean)
        .map(line => {
          const [sha, author, message] = line.split('\0');
          return { sha, author, message };
        });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** A file's content on a branch, as Gitea serves it. */
  async readFile(repo: string, file: string, branch = 'main'): Promise<string> {
    const response = await fetch(
      `${this.env.GITEA_URL}/api/v1/repos/${this.env.GITEA_ORG}/${repo}/raw/${file}?ref=${branch}`,
      { headers: { Authorization: `token ${this.env.GITEA_TOKEN}` } },
    );
    if (!response.ok) {
      throw new Error(`reading ${file} of ${repo} answered ${response.status}`);
    }
    return response.text();
  }

  /** The deploy keys Gitea holds for a repository. */
  async deployKeys(repo: string): Promise<DeployKey[]> {
    const response = await fetch(this.keysUrl(repo), {
      headers: { Authorization: `token ${this.env.GITEA_TOKEN}` },
    });
    if (!response.ok) {
      throw new Error(
        `listing the deploy keys of ${repo} answered ${response.status}`,
      );
    }
    return response.json();
  }

  /** Removes one deploy key, as someone cleaning up keys on the host would. */
  async revokeDeployKey(repo: string, id: number): Promise<void> {
    const response = await fetch(`${this.keysUrl(repo)}/${id}`, {
      method: 'DELETE',
      headers: { Authorization: `token ${this.env.GITEA_TOKEN}` },
    });
    if (response.status !== 204) {
      throw new Error(
        `revoking deploy key ${id} of ${repo} answered ${response.status}`,
      );
    }
  }

  private keysUrl(repo: string): string {
    return `${this.env.GITEA_URL}/api/v1/repos/${this.env.GITEA_ORG}/${repo}/keys`;
  }
}
