import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../stack/kube';
import { repoPath } from '../stack/stackEnv';
import { resultsDir } from './portalProcess';

/**
 * Another process of the backend bundle the suite's portal runs
 * (BACKEND_BUNDLE_DIR), beside it on a port of its own, on the suite's
 * PostgreSQL and cluster: what a second replica or a differently
 * configured deployment looks like.
 */
export class ExtraBackend {
  readonly url: string;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly logFile: string,
    port: number,
  ) {
    this.url = `http://localhost:${port}`;
    this.exited = new Promise(resolve =>
      process.once('exit', code => resolve(code)),
    );
  }

  /**
   * Starts it with the given config files (repository paths) and
   * `overrides` (YAML lines) on top of its own URLs; resolves once it is
   * ready. From packages/backend, as scripts/lib/portal.sh starts the
   * portal, unless `cwd` (a repository path) says otherwise.
   */
  static async start(options: {
    name: string;
    port: number;
    configs: string[];
    overrides?: string[];
    cwd?: string;
  }): Promise<ExtraBackend> {
    const bundle = process.env.BACKEND_BUNDLE_DIR;
    if (!bundle) {
      throw new Error(
        'BACKEND_BUNDLE_DIR is not set: scripts/test builds the backend bundle (scripts/lib/backend-bundle.sh)',
      );
    }
    const url = `http://localhost:${options.port}`;
    const override = path.join(resultsDir, `app-config.${options.name}.yaml`);
    fs.writeFileSync(
      override,
      [
        'app:',
        `  baseUrl: ${url}`,
        'backend:',
        `  baseUrl: ${url}`,
        `  listen: ':${options.port}'`,
        ...(options.overrides ?? []),
      ].join('\n'),
    );
    const logFile = path.join(resultsDir, `${options.name}.log`);
    const log = fs.openSync(logFile, 'w');
    const child = spawn(
      'node',
      [
        path.join(bundle, 'packages/backend'),
        ...[...options.configs.map(file => repoPath(file)), override].flatMap(
          file => ['--config', file],
        ),
      ],
      {
        cwd: repoPath(options.cwd ?? 'packages/backend'),
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', log, log],
        // A group of its own: `kill` reaches the git processes it started.
        detached: true,
      },
    );
    const backend = new ExtraBackend(child, logFile, options.port);
    try {
      await ExtraBackend.ready(backend, options.name);
    } catch (error) {
      // Not left running (beating, tracking) past the suite.
      backend.kill('SIGKILL');
      throw error;
    }
    return backend;
  }

  private static async ready(backend: ExtraBackend, name: string) {
    const child = backend.process;
    await waitFor(
      `backend ${name} to be ready`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(
            `it exited with ${child.exitCode}: ${backend.log().slice(-2000)}`,
          );
        }
        const response = await fetch(
          `${backend.url}/.backstage/health/v1/readiness`,
        );
        return response.ok || undefined;
      },
      180_000,
    );
  }

  log(): string {
    return fs.readFileSync(this.logFile, 'utf8');
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Signals the whole process group: SIGKILL is a crash, children included. */
  kill(signal: NodeJS.Signals): void {
    if (this.running && this.process.pid) {
      process.kill(-this.process.pid, signal);
    }
  }

  /** The exit code, or 'still running' after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<number | null | 'still running'> {
    return Promise.race([
      this.exited,
      new Promise<'still running'>(resolve =>
        setTimeout(() => resolve('still running'), timeoutMs).unref(),
      ),
    ]);
  }
}
