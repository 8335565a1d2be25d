import { gitRepository, secret } from './corpusObjects';
import { Scenario } from './scenario';

/** GitRepositories that cannot authenticate, clone or find their ref. */
export const gitRepositoryScenarios: Scenario[] = [
  {
    name: 'git-wrong-password',
    kind: 'GitRepository',
    description: 'the auth Secret holds a wrong password',
    expected: {
      code: 'GIT_AUTH_FAILED',
      reference: 'Secret/git-wrong-password-auth',
    },
    provoke: async ctx => {
      await secret(ctx, 'git-wrong-password-auth', {
        username: ctx.git.basicAuth.username,
        password: 'not-the-password',
      });
      await gitRepository(ctx, 'git-wrong-password', {
        secretRef: { name: 'git-wrong-password-auth' },
      });
    },
  },
  {
    name: 'git-missing-secret',
    kind: 'GitRepository',
    description: 'spec.secretRef names a Secret that does not exist',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'Secret/git-ghost-auth',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-secret', {
        secretRef: { name: 'git-ghost-auth' },
      }),
  },
  {
    name: 'git-no-credentials',
    kind: 'GitRepository',
    description: 'a private repository without spec.secretRef',
    expected: { code: 'GIT_AUTH_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-credentials', { secretRef: undefined }),
  },
  {
    name: 'git-no-such-repository',
    kind: 'GitRepository',
    description: 'spec.url names a repository the Git host does not have',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-such-repository', {
        url: ctx.git.repoUrl('no-such-repository'),
      }),
  },
  {
    name: 'git-connection-refused',
    kind: 'GitRepository',
    description: 'spec.url points at a port where nothing listens',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-connection-refused', {
        url: 'http://127.0.0.1:1/gitops/app.git',
        secretRef: undefined,
      }),
  },
  {
    name: 'git-unknown-host',
    kind: 'GitRepository',
    description: 'spec.url names a host that does not resolve',
    expected: { code: 'GIT_CLONE_FAILED' },
    provoke: ctx =>
      gitRepository(ctx, 'git-unknown-host', {
        url: 'http://git.no-such-host.invalid/gitops/app.git',
        secretRef: undefined,
      }),
  },
  {
    name: 'git-missing-branch',
    kind: 'GitRepository',
    description: 'spec.ref.branch names a branch the repository does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'branch/no-such-branch',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-branch', {
        ref: { branch: 'no-such-branch' },
      }),
  },
  {
    name: 'git-missing-tag',
    kind: 'GitRepository',
    description: 'spec.ref.tag names a tag the repository does not have',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'tag/v9.9.9' },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-tag', { ref: { tag: 'v9.9.9' } }),
  },
  {
    name: 'git-no-matching-semver',
    kind: 'GitRepository',
    description: 'spec.ref.semver matches no tag',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'semver/>=5.0.0' },
    provoke: ctx =>
      gitRepository(ctx, 'git-no-matching-semver', {
        ref: { semver: '>=5.0.0' },
      }),
  },
  {
    name: 'git-missing-commit',
    kind: 'GitRepository',
    description: 'spec.ref.commit names a commit the branch does not have',
    expected: {
      code: 'RESOURCE_NOT_FOUND',
      reference: 'commit/0123456789abcdef0123456789abcdef01234567',
    },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-commit', {
        ref: {
          branch: 'main',
          commit: '0123456789abcdef0123456789abcdef01234567',
        },
      }),
  },
  {
    name: 'git-clone-timeout',
    kind: 'GitRepository',
    description: 'spec.timeout of 1ms: the clone cannot finish in time',
    expected: { code: 'TIMEOUT', reference: 'spec.timeout/1ms' },
    provoke: ctx => gitRepository(ctx, 'git-clone-timeout', { timeout: '1ms' }),
  },
  {
    name: 'git-missing-proxy-secret',
    kind: 'GitRepository',
    description: 'spec.proxySecretRef names a Secret that does not exist',
    expected: { code: 'RESOURCE_NOT_FOUND', reference: 'Secret/ghost-proxy' },
    provoke: ctx =>
      gitRepository(ctx, 'git-missing-proxy-secret', {
        proxySecretRef: { name: 'ghost-proxy' },
      }),
  },
];
