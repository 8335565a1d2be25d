import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Transports a portal git command may use. `file`, `ext` and the rest are
 * never allowed from repository URLs; tests of the isolation itself may add
 * `file` for a local bare repository.
 *
 * @public
 */
export type GitProtocol = 'http' | 'https' | 'ssh' | 'file';

/** @public */
export interface RunGitOptions {
  /** Working directory: the repository's work tree (untrusted content). */
  cwd: string;
  /** Extra environment, e.g. GIT_AUTHOR_NAME. GIT_CONFIG_* is refused here: use `config`. */
  env?: Record<string, string>;
  /**
   * Configuration for this command only, passed as GIT_CONFIG_COUNT pairs
   * (never in argv, never in a file): credentials such as
   * `http.extraHeader` travel this way.
   */
  config?: Record<string, string>;
  /** Written to stdin. */
  input?: string;
  /** Default 60 s; the command is killed (SIGKILL) when it runs longer. */
  timeoutMs?: number;
  /** Default http and https. */
  protocols?: GitProtocol[];
  /** Default 32 MiB of output. */
  maxBuffer?: number;
}

/**
 * Failure of a git command, with its output but never its environment
 * (where credentials travel).
 *
 * @public
 */
export class GitRunError extends Error {
  constructor(
    readonly args: string[],
    readonly output: string,
    readonly timedOut: boolean,
  ) {
    super(
      timedOut
        ? `git ${args[0]} timed out`
        : `git ${args[0]} failed: ${output
            .trim()
            .split('\n')
            .slice(-3)
            .join(' ')}`,
    );
  }
}

/**
 * Settings that win over whatever the repository's own `.git/config` or a
 * checked-out file says: no hooks, no fsmonitor command, no pager or editor,
 * no credential helper, stalled transfers abort.
 */
const ISOLATION_CONFIG: Record<string, string> = {
  'core.hooksPath': '/dev/null',
  'core.fsmonitor': 'false',
  'core.pager': 'cat',
  'core.editor': 'true',
  // A committed symlink is checked out as a plain file holding its target,
  // so writing through the work tree can never leave the clone.
  'core.symlinks': 'false',
  'core.sshCommand': 'ssh -o BatchMode=yes',
  'credential.helper': '',
  'submodule.recurse': 'false',
  'http.lowSpeedLimit': '1000',
  'http.lowSpeedTime': '30',
};

/**
 * Runs one git command isolated from everything but its arguments: an
 * empty private HOME and XDG directories (never the work tree, whose files
 * are untrusted), no system or global configuration, hooks and fsmonitor
 * off, only the allowed transports, no terminal prompts, and a timeout.
 * Every git command of the GitOps plugins goes through here.
 *
 * @public
 */
export async function runGit(
  args: string[],
  options: RunGitOptions,
): Promise<string> {
  const extraEnv = options.env ?? {};
  if (Object.keys(extraEnv).some(key => /^GIT_CONFIG|^HOME$|^XDG_/.test(key))) {
    throw new Error(
      'runGit: pass configuration through options.config, not the environment',
    );
  }
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-git-home-'));
  try {
    const config = { ...ISOLATION_CONFIG, ...options.config };
    // A caller cannot switch the isolation back on.
    for (const key of ['core.hooksPath', 'core.fsmonitor', 'core.symlinks']) {
      config[key] = ISOLATION_CONFIG[key];
    }
    // GIT_ALLOW_PROTOCOL overrides every protocol.* setting.
    const protocols = options.protocols ?? ['http', 'https'];
    const entries = Object.entries(config);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_STATE_HOME: path.join(home, 'state'),
      LANG: 'C',
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_ATTR_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
      SSH_ASKPASS: 'true',
      GIT_PAGER: 'cat',
      GIT_EDITOR: 'true',
      GIT_ALLOW_PROTOCOL: protocols.join(':'),
      GIT_PROTOCOL_FROM_USER: '0',
      GIT_NO_REPLACE_OBJECTS: '1',
      ...extraEnv,
      GIT_CONFIG_COUNT: String(entries.length),
    };
    entries.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    return await new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        args,
        {
          cwd: options.cwd,
          env,
          maxBuffer: options.maxBuffer ?? 32 * 1024 * 1024,
          timeout: options.timeoutMs ?? 60_000,
          killSignal: 'SIGKILL',
        },
        (error, stdout, stderr) => {
          if (error) {
            const timedOut =
              (error as { killed?: boolean }).killed === true &&
              (error as { signal?: string }).signal === 'SIGKILL';
            reject(new GitRunError(args, `${stderr}\n${stdout}`, timedOut));
            return;
          }
          resolve(stdout);
        },
      );
      // git may exit before reading stdin; that is its answer, not an error.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input ?? '');
    });
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}
