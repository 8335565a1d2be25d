import fs from 'node:fs';
import path from 'node:path';

/** A path in the repository; tests run from this package's folder. */
export function repoPath(...segments: string[]): string {
  return path.resolve(process.cwd(), '../..', ...segments);
}

/** The keys stack/start writes to .stack/stack.env that tests use. */
export interface StackEnv {
  KUBECONFIG: string;
  K8S_API_URL: string;
  K8S_VERSION: string;
  K8S_CA_FILE: string;
  FLUX_NAMESPACE: string;
  FLUX_VERSION: string;
  GITEA_URL: string;
  /** Gitea's built-in SSH server, where Flux pulls with deploy keys. */
  GITEA_SSH_URL: string;
  GITEA_ADMIN_USER: string;
  GITEA_ADMIN_PASSWORD: string;
  GITEA_TOKEN: string;
  GITEA_ORG: string;
  /** Where stack/start keeps the stack's state (Gitea's repositories, keys). */
  STACK_STATE_DIR: string;
}

const requiredKeys: Array<keyof StackEnv> = [
  'KUBECONFIG',
  'K8S_API_URL',
  'K8S_VERSION',
  'K8S_CA_FILE',
  'FLUX_NAMESPACE',
  'FLUX_VERSION',
  'GITEA_URL',
  'GITEA_SSH_URL',
  'GITEA_ADMIN_USER',
  'GITEA_ADMIN_PASSWORD',
  'GITEA_TOKEN',
  'GITEA_ORG',
  'STACK_STATE_DIR',
];

/**
 * Reads the running stack's URLs and credentials. Tests need the real
 * stack: a missing file is an error, never a reason to skip.
 */
export function readStackEnv(
  stateDir = process.env.STACK_STATE_DIR ?? repoPath('.stack'),
): StackEnv {
  const file = path.resolve(stateDir, 'stack.env');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run stack/start first`);
  }
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) {
      values[match[1]] = match[2].replace(/^'(.*)'$/, '$1');
    }
  }
  const missing = requiredKeys.filter(key => !values[key]);
  if (missing.length > 0) {
    throw new Error(`${file} lacks ${missing.join(', ')}`);
  }
  return values as unknown as StackEnv;
}

/**
 * The stack's second cluster (GITOPS_STACK_CLUSTER=second stack/start):
 * its own API server and Flux, the primary's Gitea.
 */
export function readSecondClusterEnv(): StackEnv {
  return readStackEnv(
    path.join(readStackEnv().STACK_STATE_DIR, 'second-cluster'),
  );
}
