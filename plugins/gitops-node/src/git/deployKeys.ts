import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';

/**
 * A Git host whose repositories Flux pulls over SSH with a read-only deploy
 * key per repository and environment (`gitops.deployKeys` in the config).
 *
 * @public
 */
export interface DeployKeyHost {
  /** Host of the Backstage integration, e.g. `github.com` or `git.example.com:3000`. */
  host: string;
  /** Where Flux clones over SSH, e.g. `ssh://git@github.com`; default `ssh://git@<host name>`. */
  sshUrl: string;
  /** known_hosts lines of the SSH server; Flux verifies the host against them. */
  knownHosts: string;
}

/**
 * The keys of the Flux Git auth Secret of a deploy key. `identity` is the
 * private key: it only ever goes into that Secret.
 *
 * @public
 */
export interface DeployKeySecretData {
  identity: string;
  'identity.pub': string;
  known_hosts: string;
}

/** @public */
export function readDeployKeyHosts(config: Config): DeployKeyHost[] {
  return (config.getOptionalConfigArray('gitops.deployKeys') ?? []).map(
    host => {
      const name = host.getString('host');
      return {
        host: name,
        sshUrl: (
          host.getOptionalString('sshUrl') ??
          `ssh://git@${name.replace(/:\d+$/, '')}`
        ).replace(/\/+$/, ''),
        knownHosts: host.getString('knownHosts').trim(),
      };
    },
  );
}

/**
 * The deploy-key host a repository URL (http(s) of the integration, or the
 * SSH URL Flux uses) belongs to.
 *
 * @public
 */
export function deployKeyHostOf(
  repoUrl: string,
  hosts: DeployKeyHost[],
): DeployKeyHost | undefined {
  if (/^ssh:\/\//.test(repoUrl)) {
    return hosts.find(h => repoUrl.startsWith(`${h.sshUrl}/`));
  }
  try {
    const { host } = new URL(repoUrl);
    return hosts.find(h => h.host === host);
  } catch {
    return undefined;
  }
}

/**
 * `owner/name` of a repository URL of the host (http(s) or SSH).
 *
 * @public
 */
export function repositoryPath(repoUrl: string, host: DeployKeyHost): string {
  const rest = repoUrl.startsWith(`${host.sshUrl}/`)
    ? repoUrl.slice(host.sshUrl.length + 1)
    : new URL(repoUrl).pathname.replace(/^\/+/, '');
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(\.git)?\/?$/.exec(rest);
  if (!match) {
    throw new InputError(
      `repoUrl: '${repoUrl}' does not name a repository as <owner>/<name>`,
    );
  }
  return `${match[1]}/${match[2]}`;
}

/**
 * The SSH URL Flux clones a repository of a deploy-key host from.
 *
 * @public
 */
export function sshCloneUrl(repoUrl: string, host: DeployKeyHost): string {
  return `${host.sshUrl}/${repositoryPath(repoUrl, host)}.git`;
}

/**
 * The URL the portal itself clones over (HTTP with its integration
 * credential): an SSH URL of a deploy-key host maps back to the
 * integration's base URL; anything else is returned as it is.
 *
 * @public
 */
export function portalCloneUrl(
  repoUrl: string,
  hosts: DeployKeyHost[],
  integrations: ScmIntegrationRegistry,
): string {
  const host = /^ssh:\/\//.test(repoUrl)
    ? deployKeyHostOf(repoUrl, hosts)
    : undefined;
  if (!host) {
    return repoUrl;
  }
  const base =
    integrations.gitea.byHost(host.host)?.config.baseUrl ??
    integrations.gitlab.byHost(host.host)?.config.baseUrl ??
    `https://${host.host}`;
  return `${base.replace(/\/+$/, '')}/${repositoryPath(repoUrl, host)}.git`;
}

/** The OpenSSH public key line of an ed25519 key. */
function openSshPublicKey(key: KeyObject): string {
  const raw = Buffer.from(
    (key.export({ format: 'jwk' }) as { x: string }).x,
    'base64url',
  );
  const field = (value: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    return Buffer.concat([length, value]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}

/**
 * A new ed25519 key pair: the private key as PKCS#8 PEM (which Flux's SSH
 * client reads) and the public key in OpenSSH format.
 *
 * @public
 */
export function generateDeployKey(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: openSshPublicKey(publicKey),
  };
}

/**
 * The OpenSSH public key of a PEM private key, or undefined if it is not an
 * ed25519 key we can read.
 *
 * @public
 */
export function publicKeyOf(privateKeyPem: string): string | undefined {
  try {
    const key = createPublicKey(privateKeyPem);
    return key.asymmetricKeyType === 'ed25519'
      ? openSshPublicKey(key)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A deploy key as the host lists it. */
interface ListedKey {
  id: number;
  key: string;
  title: string;
  read_only: boolean;
}

/** The deploy-key API of one repository; GitHub and Gitea share its shape. */
interface DeployKeyApi {
  list(): Promise<ListedKey[]>;
  /** Answers the id the host gave the new key. */
  add(title: string, key: string): Promise<number>;
  /** Removes a key; one that is gone already counts as removed. */
  remove(id: number): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 15_000;

function deployKeyApi(
  repoUrl: string,
  host: DeployKeyHost,
  integrations: ScmIntegrationRegistry,
  fetchImpl: typeof fetch,
): DeployKeyApi {
  const repo = repositoryPath(repoUrl, host);
  let base: string;
  let authorization: string;
  const gitea = integrations.gitea.byHost(host.host)?.config;
  const github = integrations.github.byHost(host.host)?.config;
  if (gitea) {
    base = `${gitea.baseUrl!.replace(/\/+$/, '')}/api/v1`;
    if (!gitea.username || !gitea.password) {
      throw new InputError(
        `repoUrl: the gitea integration for ${host.host} needs username and password to add deploy keys`,
      );
    }
    authorization = `Basic ${Buffer.from(
      `${gitea.username}:${gitea.password}`,
    ).toString('base64')}`;
  } else if (github?.token) {
    base = (github.apiBaseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    authorization = `Bearer ${github.token}`;
  } else {
    throw new InputError(
      `repoUrl: no gitea or github integration with a credential for ${host.host}; deploy keys are added through it`,
    );
  }
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    /** A status that counts as done (a key another run removed). */
    alsoDone?: number,
  ) => {
    const response = await fetchImpl(`${base}/repos/${repo}/keys${path}`, {
      method,
      headers: {
        Authorization: authorization,
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok && response.status !== alsoDone) {
      // The host's message, never our request (it carries the credential).
      const text = (await response.text()).slice(0, 300);
      throw new Error(
        `${method} deploy keys of ${repo} on ${host.host} answered ${response.status}: ${text}`,
      );
    }
    return response;
  };
  return {
    async list() {
      return (await call('GET', '?limit=100&per_page=100')).json();
    },
    async add(title, key) {
      const created = await (
        await call('POST', '', { title, key, read_only: true })
      ).json();
      return Number(created.id);
    },
    async remove(id) {
      await call('DELETE', `/${id}`, undefined, 404);
    },
  };
}

const keyBody = (line: string) =>
  line.trim().split(/\s+/).slice(0, 2).join(' ');

/**
 * A deploy key that Flux is to use. The new key is on the host before any
 * Secret holds it and the previous one goes only after, so a failure in
 * between never leaves an environment without a working key.
 *
 * @public
 */
export interface EnsuredDeployKey {
  /** The Secret's data: identity, identity.pub and known_hosts. */
  data: DeployKeySecretData;
  /** Whether a new key was added (false: the stored one is still listed). */
  created: boolean;
  /**
   * Call once the Secret holds `data`: removes the key the Secret held
   * before (by its public key, never by title, so another environment's or
   * a concurrent run's key stays).
   */
  retirePrevious(): Promise<void>;
  /** Call when the Secret could not be written: removes the new key again. */
  withdraw(): Promise<void>;
}

/**
 * Makes sure Flux has a read-only deploy key for one repository and
 * environment, titled `title`: the key in `existingPrivateKey` (from the
 * Secret a previous run wrote) is kept when the host still lists it as
 * read-only, otherwise a new key is generated and added. The caller stores
 * the answer's data in the Secret, then calls `retirePrevious` (or
 * `withdraw` when it could not).
 *
 * @public
 */
export async function ensureDeployKey(options: {
  repoUrl: string;
  host: DeployKeyHost;
  title: string;
  /** The private key the Secret holds, kept while the host lists it. */
  existingPrivateKey?: string;
  /**
   * The public key the Secret holds, retired once a new one is stored
   * (default: that of `existingPrivateKey`).
   */
  previousPublicKey?: string;
  integrations: ScmIntegrationRegistry;
  fetch?: typeof fetch;
}): Promise<EnsuredDeployKey> {
  const api = deployKeyApi(
    options.repoUrl,
    options.host,
    options.integrations,
    options.fetch ?? fetch,
  );
  const listed = await api.list();
  const existingPublic = options.existingPrivateKey
    ? publicKeyOf(options.existingPrivateKey)
    : undefined;
  if (
    existingPublic &&
    listed.some(k => k.read_only && keyBody(k.key) === existingPublic)
  ) {
    return {
      data: {
        identity: options.existingPrivateKey!,
        'identity.pub': existingPublic,
        known_hosts: options.host.knownHosts,
      },
      created: false,
      retirePrevious: async () => {},
      withdraw: async () => {},
    };
  }
  const previous = options.previousPublicKey
    ? keyBody(options.previousPublicKey)
    : existingPublic;
  const { privateKey, publicKey } = generateDeployKey();
  const id = await api.add(options.title, publicKey);
  return {
    data: {
      identity: privateKey,
      'identity.pub': publicKey,
      known_hosts: options.host.knownHosts,
    },
    created: true,
    async retirePrevious() {
      for (const stale of listed.filter(
        k => previous && keyBody(k.key) === previous && k.id !== id,
      )) {
        await api.remove(stale.id);
      }
    },
    async withdraw() {
      await api.remove(id);
    },
  };
}
