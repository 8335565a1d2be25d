import { Entity } from '@backstage/catalog-model';
import {
  registeredRepositoryOf,
  repositoryOfCloneUrl,
  repositoryOfLocationUrl,
  repositoryOfRepoUrl,
} from './repositoryIdentity';

const hosts = [
  {
    host: '127.0.0.1:3300',
    sshUrl: 'ssh://git@127.0.0.1:3322',
    knownHosts: '[127.0.0.1]:3322 ssh-ed25519 AAAA',
  },
];

const entity = (origin?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    annotations: origin
      ? { 'backstage.io/managed-by-origin-location': origin }
      : {},
  },
});

describe('the repository of a clone URL', () => {
  it.each([
    ['http://127.0.0.1:3300/gitops/shop.git', '127.0.0.1:3300/gitops/shop'],
    ['http://127.0.0.1:3300/gitops/shop', '127.0.0.1:3300/gitops/shop'],
    ['https://github.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://GitHub.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://github.com/acme/shop.api_2', 'github.com/acme/shop.api_2'],
    ['file:///srv/git/shop.git', 'file:/srv/git/shop'],
  ])('%s is %s', (url, repository) => {
    expect(repositoryOfCloneUrl(url)).toEqual({ repository });
  });

  it.each([
    // Parsers disagree on these: one string, two repositories.
    ['https://github.com/acme/other/../shop.git', 'has a dot segment'],
    ['https://github.com/acme/./shop.git', 'has a dot segment'],
    ['https://github.com/../acme/shop.git', 'has a dot segment'],
    ['https://github.com/acme/shop/..', 'has a dot segment'],
    ['https://github.com/acme/%2e%2e/shop.git', 'has percent-encoding'],
    ['https://github.com/acme%2Fother/shop.git', 'has percent-encoding'],
    ['https://github.com/acme/sh%6Fp.git', 'has percent-encoding'],
    ['https://github.com/acme\\shop.git', 'has a backslash'],
    ['https://github.com\\acme/shop.git', 'has a backslash'],
    ['https://github.com//acme/shop.git', 'has an empty path segment'],
    ['https://github.com/acme//shop.git', 'has an empty path segment'],
    ['https://github.com/acme/shop.git/', 'has an empty path segment'],
    ['https://user:token@github.com/acme/shop.git', 'has user information'],
    ['https://github.com@evil.example/acme/shop.git', 'has user information'],
    ['https://github.com/acme/shop.git?x=1', 'has a query'],
    ['https://github.com/acme/shop.git?', 'has a query'],
    ['https://github.com/acme/shop.git#main', 'has a fragment'],
    [
      'https://github.com/acme/shop .git',
      'has whitespace or control characters',
    ],
    [
      'https://github.com/acme/shop.git\n',
      'has whitespace or control characters',
    ],
    ['https://github.com/acme/shöp.git', 'is not written in canonical form'],
    [
      'https://github.com:443/acme/shop.git',
      'is not written in canonical form',
    ],
    ['https://0x7f.1/acme/shop.git', 'is not written in canonical form'],
    ['HTTPS://github.com/acme/shop.git', 'is not an http(s) URL'],
    ['ftp://github.com/acme/shop.git', 'is not an http(s) URL'],
    ['file:///srv/git/../shop.git', 'has a dot segment'],
    [
      'file:///srv/git/shop.git?x',
      'has characters that are not part of a repository path',
    ],
    ['github.com/acme/shop.git', 'is not an http(s) URL'],
    ['https:///acme/shop.git', 'has no host'],
    ['https://github.com', 'names no repository'],
    ['https://github.com/', 'names no repository'],
    ['https://github.com/acme', 'does not name a repository as <owner>/<name>'],
    [
      'https://github.com/acme/shop/extra.git',
      'does not name a repository as <owner>/<name>',
    ],
    [
      'https://github.com/acme/shop/blob/main/x.yaml',
      'does not name a repository as <owner>/<name>',
    ],
    [
      'https://github.com/acme/.git',
      'does not name a repository as <owner>/<name>',
    ],
    [
      'https://github.com/acme/sh$op.git',
      'does not name a repository as <owner>/<name>',
    ],
    ['', 'is not a URL'],
  ])('refuses %j: it %s', (url, problem) => {
    expect(repositoryOfCloneUrl(url)).toEqual({ problem });
  });
});

describe('the repository of a location URL', () => {
  it.each([
    [
      'http://127.0.0.1:3300/gitops/shop/src/branch/main/catalog-info.yaml',
      '127.0.0.1:3300/gitops/shop',
    ],
    [
      'http://127.0.0.1:3300/gitops/shop/src/commit/0a1b2c/catalog-info.yaml',
      '127.0.0.1:3300/gitops/shop',
    ],
    [
      'https://github.com/acme/shop/blob/main/catalog-info.yaml',
      'github.com/acme/shop',
    ],
    ['https://github.com/acme/shop/tree/main/services', 'github.com/acme/shop'],
    ['https://github.com/acme/shop', 'github.com/acme/shop'],
  ])('%s is in %s', (url, repository) => {
    expect(repositoryOfLocationUrl(url)).toEqual({ repository });
  });

  it.each([
    [
      'http://127.0.0.1:3300/gitops/other/src/branch/main/../../../shop/src/branch/main/catalog-info.yaml',
      'has a dot segment',
    ],
    [
      'http://127.0.0.1:3300/gitops/shop/src/branch/main/%2e%2e/catalog-info.yaml',
      'has percent-encoding',
    ],
    [
      'https://github.com/acme/shop/blob/main/catalog-info.yaml?raw=true',
      'has a query',
    ],
    [
      'https://github.com/acme/shop/settings/catalog-info.yaml',
      'does not name a file in a repository as <owner>/<name>/(src|blob|tree|raw)/...',
    ],
    [
      'https://github.com/acme/shop/blob',
      'does not name a file in a repository as <owner>/<name>/(src|blob|tree|raw)/...',
    ],
    [
      'https://github.com/acme',
      'does not name a file in a repository as <owner>/<name>/(src|blob|tree|raw)/...',
    ],
  ])('refuses %j: it %s', (url, problem) => {
    expect(repositoryOfLocationUrl(url)).toEqual({ problem });
  });
});

describe('the repository of a URL Flux may get', () => {
  it('maps the SSH URL of a deploy-key host to its integration host', () => {
    expect(
      repositoryOfRepoUrl('ssh://git@127.0.0.1:3322/gitops/shop.git', hosts),
    ).toEqual({ repository: '127.0.0.1:3300/gitops/shop' });
    expect(
      repositoryOfRepoUrl('http://127.0.0.1:3300/gitops/shop.git', hosts),
    ).toEqual({ repository: '127.0.0.1:3300/gitops/shop' });
  });

  it.each([
    ['ssh://git@other.example:22/gitops/shop.git', 'is an SSH URL of no host'],
    ['ssh://git@127.0.0.1:3322/gitops/../x/shop.git', 'has a dot segment'],
    ['ssh://git@127.0.0.1:3322/gitops/%73hop.git', 'has percent-encoding'],
    ['ssh://git@127.0.0.1:3322//gitops/shop.git', 'has an empty path segment'],
    ['ssh://git@127.0.0.1:3322/gitops/shop.git?x', 'has characters'],
    ['ssh://git@127.0.0.1:3322/gitops/shop.git#x', 'has characters'],
    ['ssh://git@127.0.0.1:3322/gitops\\shop.git', 'has a backslash'],
    ['ssh://git@127.0.0.1:3322/a/b/shop.git', 'does not name a repository'],
    ['ssh://git@127.0.0.1:33220/gitops/shop.git', 'is an SSH URL of no host'],
  ])('refuses %j', (url, problem) => {
    expect(repositoryOfRepoUrl(url, hosts).problem).toContain(problem);
  });
});

describe('the repository an entity was registered from', () => {
  it('is that of its catalog origin location', () => {
    expect(
      registeredRepositoryOf(
        entity(
          'url:http://127.0.0.1:3300/gitops/shop/src/branch/main/catalog-info.yaml',
        ),
      ),
    ).toEqual({ repository: '127.0.0.1:3300/gitops/shop' });
  });

  it('is none for an entity without one, from a file, or from a hostile location', () => {
    expect(registeredRepositoryOf(entity()).problem).toBe(
      'has no backstage.io/managed-by-origin-location annotation',
    );
    expect(
      registeredRepositoryOf(entity('file:/tmp/catalog-info.yaml')).problem,
    ).toBe('was not registered from a URL (file)');
    expect(
      registeredRepositoryOf(
        entity(
          'url:http://127.0.0.1:3300/gitops/x/src/branch/main/../../../shop/src/branch/main/catalog-info.yaml',
        ),
      ).problem,
    ).toBe('was registered from a location that has a dot segment');
  });
});
