import { classifyFluxFailure } from './classifyFluxFailure';

describe('classifyFluxFailure', () => {
  it.each([
    [
      // Captured from source-controller v1.9.3 with a wrong password.
      {
        kind: 'GitRepository',
        reason: 'GitOperationFailed',
        message:
          "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:3300/gitops/app.git': authentication required: Failed to authenticate user\n",
      },
      'GIT_AUTH_FAILED',
    ],
    [
      {
        kind: 'GitRepository',
        reason: 'AuthenticationFailed',
        message:
          'failed to get secret \'ns/git-auth\': secrets "git-auth" not found',
      },
      // A missing Secret is a missing object, not a refused password.
      'RESOURCE_NOT_FOUND',
    ],
    [
      {
        kind: 'GitRepository',
        reason: 'GitOperationFailed',
        message:
          "unable to clone 'http://127.0.0.1:1/x.git': dial tcp 127.0.0.1:1: connect: connection refused",
      },
      'GIT_CLONE_FAILED',
    ],
    [
      {
        kind: 'Kustomization',
        reason: 'ArtifactFailed',
        message:
          'failed to download archive: GET http://source-controller/x.tar.gz: connection refused',
      },
      'ARTIFACT_UNREACHABLE',
    ],
    [
      {
        kind: 'Kustomization',
        reason: 'DependencyNotReady',
        message: "dependency 'ns/db' is not ready",
      },
      'DEPENDENCY_NOT_READY',
    ],
    [
      {
        kind: 'Kustomization',
        reason: 'HealthCheckFailed',
        message:
          'health check failed after 30s: Deployment/ns/app status: InProgress',
      },
      'HEALTH_CHECK_FAILED',
    ],
    [
      {
        kind: 'HelmRelease',
        reason: 'InstallFailed',
        message: 'something else',
      },
      'RECONCILE_FAILED',
    ],
  ])('classifies %j as %s', (failure, code) => {
    expect(classifyFluxFailure(failure).code).toBe(code);
  });
});
