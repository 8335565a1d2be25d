import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  ensureDeployKey,
  portalCloneUrl,
  publicKeyOf,
  readDeployKeyHosts,
  sshCloneUrl,
} from './deployKeys';

const config = new ConfigReader({
  integrations: {
    gitea: [
      {
        host: 'git.example.com:3300',
        baseUrl: 'http://git.example.com:3300',
        username: 'bot',
        password: 'integration-password',
      },
    ],
  },
  gitops: {
    deployKeys: [
      {
        host: 'git.example.com:3300',
        sshUrl: 'ssh://git@git.example.com:3322',
        knownHosts: '[git.example.com]:3322 ssh-ed25519 AAAAhost',
      },
    ],
  },
});
const integrations = ScmIntegrations.fromConfig(config);
const [host] = readDeployKeyHosts(config);

/** The one port the deploy-key code stands on: the host's key API. */
function fakeHost() {
  const keys: Array<{
    id: number;
    key: string;
    title: string;
    read_only: boolean;
  }> = [];
  const requests: Array<{ method: string; url: string; auth: string }> = [];
  let next = 1;
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    requests.push({ method: init.method!, url, auth: headers.Authorization });
    if (init.method === 'GET') {
      return new Response(JSON.stringify(keys), { status: 200 });
    }
    if (init.method === 'POST') {
      const body = JSON.parse(String(init.body));
      const key = { id: next++, ...body };
      keys.push(key);
      return new Response(JSON.stringify(key), { status: 201 });
    }
    const index = keys.findIndex(k => k.id === Number(url.split('/').pop()));
    if (index < 0) {
      return new Response('{"message":"not found"}', { status: 404 });
    }
    keys.splice(index, 1);
    return new Response(null, { status: 204 });
  }) as unknown as typeof fetch;
  return { keys, requests, fetch: fetchImpl };
}

describe('deploy keys', () => {
  const repoUrl = 'http://git.example.com:3300/gitops/shop.git';

  it('adds a read-only ed25519 key and answers the Secret of an SSH deploy key', async () => {
    const server = fakeHost();
    const { data, created } = await ensureDeployKey({
      repoUrl,
      host,
      title: 'flux shop development',
      integrations,
      fetch: server.fetch,
    });
    expect(created).toBe(true);
    expect(server.keys).toEqual([
      {
        id: 1,
        title: 'flux shop development',
        key: data['identity.pub'],
        read_only: true,
      },
    ]);
    expect(server.requests[0].url).toBe(
      'http://git.example.com:3300/api/v1/repos/gitops/shop/keys?limit=100&per_page=100',
    );
    expect(data.identity).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(data['identity.pub']).toMatch(
      /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI/,
    );
    expect(publicKeyOf(data.identity)).toBe(data['identity.pub']);
    expect(data.known_hosts).toBe(host.knownHosts);
    // The integration password is used to call the API, never returned.
    expect(JSON.stringify(data)).not.toContain('integration-password');
  });

  it('keeps a key the host still lists, and replaces one it lost', async () => {
    const server = fakeHost();
    const first = await ensureDeployKey({
      repoUrl,
      host,
      title: 'flux shop development',
      integrations,
      fetch: server.fetch,
    });
    const again = await ensureDeployKey({
      repoUrl,
      host,
      title: 'flux shop development',
      existingPrivateKey: first.data.identity,
      integrations,
      fetch: server.fetch,
    });
    expect(again).toMatchObject({ data: first.data, created: false });
    expect(server.keys).toHaveLength(1);

    // Someone made the key writable: it is not trusted any more.
    server.keys[0].read_only = false;
    const replaced = await ensureDeployKey({
      repoUrl,
      host,
      title: 'flux shop development',
      existingPrivateKey: first.data.identity,
      integrations,
      fetch: server.fetch,
    });
    expect(replaced.created).toBe(true);
    // The writable key stays until the new one is stored, then goes.
    expect(server.keys).toHaveLength(2);
    await replaced.retirePrevious();
    expect(server.keys.map(k => [k.key, k.read_only])).toEqual([
      [replaced.data['identity.pub'], true],
    ]);
  });

  /** Keys of one environment, each issued with the key its Secret held. */
  function stagingKeys() {
    const server = fakeHost();
    const title = 'flux shop staging';
    const issue = (previousPublicKey?: string) =>
      ensureDeployKey({
        repoUrl,
        host,
        title,
        previousPublicKey,
        integrations,
        fetch: server.fetch,
      });
    return { server, title, issue };
  }

  it('keeps the previous key until the new one is stored, and withdraws the new one when it could not be', async () => {
    const { server, title, issue } = stagingKeys();
    const staging = () =>
      server.keys.filter(k => k.title === title).map(k => k.key);
    const first = await issue();
    await first.retirePrevious();
    // The Secret holds the first key; a repair issues a second.
    const second = await issue(first.data['identity.pub']);
    expect(staging()).toEqual([
      first.data['identity.pub'],
      second.data['identity.pub'],
    ]);
    // Writing the Secret failed: the environment keeps the key that works.
    await second.withdraw();
    expect(staging()).toEqual([first.data['identity.pub']]);
    // Written this time: the key the Secret held goes.
    const third = await issue(first.data['identity.pub']);
    await third.retirePrevious();
    expect(staging()).toEqual([third.data['identity.pub']]);
  });

  it('retires only the key the Secret held: another environment, cluster or concurrent run keeps its key', async () => {
    const { server, issue } = stagingKeys();
    // The same title for a second cluster, and the key the Secret holds.
    const otherCluster = await issue();
    const held = await issue();
    // Two repairs at once, both starting from the held key.
    const a = await issue(held.data['identity.pub']);
    const b = await issue(held.data['identity.pub']);
    await b.retirePrevious();
    await a.retirePrevious(); // the held key is gone already: no error
    expect(server.keys.map(k => k.key).sort()).toEqual(
      [
        otherCluster.data['identity.pub'],
        a.data['identity.pub'],
        b.data['identity.pub'],
      ].sort(),
    );
  });

  it('maps between the SSH URL Flux uses and the URL the portal clones', () => {
    const ssh = sshCloneUrl(repoUrl, host);
    expect(ssh).toBe('ssh://git@git.example.com:3322/gitops/shop.git');
    expect(portalCloneUrl(ssh, [host], integrations)).toBe(repoUrl);
    expect(
      portalCloneUrl('ssh://git@elsewhere/x/y.git', [host], integrations),
    ).toBe('ssh://git@elsewhere/x/y.git');
    expect(() => sshCloneUrl('http://git.example.com:3300/a', host)).toThrow(
      /repoUrl: .* does not name a repository/,
    );
  });
});
