import { ApiException } from '@kubernetes/client-node';
import {
  describeKubernetesError,
  isClusterUnreachable,
  kubernetesErrorCode,
} from './errors';

const forbidden = new ApiException(
  403,
  'Forbidden',
  {
    reason: 'Forbidden',
    message: 'deployments.apps "web" is forbidden: no patch',
  },
  {},
);

describe('describeKubernetesError', () => {
  it('says what the API answered, also under an error that names the object', () => {
    const expected =
      '403 Forbidden: deployments.apps "web" is forbidden: no patch';
    expect(describeKubernetesError(forbidden)).toBe(expected);
    const wrapped = new Error('applying Deployment team/web: 403 Forbidden', {
      cause: forbidden,
    });
    expect(describeKubernetesError(wrapped)).toBe(expected);
    expect(kubernetesErrorCode(wrapped)).toBe(403);
  });

  it('names a timed-out request, and keeps the message of an error that says what timed out', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), {
      name: 'AbortError',
    });
    expect(describeKubernetesError(abort)).toBe(
      'cluster did not answer in time (request timed out)',
    );
    const named = new Error(
      'reading Deployment apps/slow: no answer from the Kubernetes API within 0.1s',
      { cause: abort },
    );
    expect(describeKubernetesError(named)).toBe(named.message);
  });

  it('says the same of every request a cluster refused, without the request', () => {
    const refused = (url: string) =>
      Object.assign(
        new Error(
          `request to ${url} failed, reason: connect ECONNREFUSED 127.0.0.1:17443`,
        ),
        { name: 'FetchError', code: 'ECONNREFUSED' },
      );
    const expected =
      'cluster unreachable (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:17443';
    expect(
      describeKubernetesError(
        refused(
          'https://127.0.0.1:17443/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?watch=true&resourceVersion=838',
        ),
      ),
    ).toBe(expected);
    expect(
      describeKubernetesError(
        refused('https://127.0.0.1:17443/api/v1/namespaces/a/events'),
      ),
    ).toBe(expected);
  });

  it('tells a cluster that could not be reached from an answer of its API', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    expect(
      isClusterUnreachable(new Error('patching', { cause: refused })),
    ).toBe(true);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(isClusterUnreachable(abort)).toBe(true);
    expect(isClusterUnreachable(forbidden)).toBe(false);
    expect(isClusterUnreachable(new Error('bad kubeconfig'))).toBe(false);
  });

  it("keeps the message of an error that is not the API's", () => {
    expect(describeKubernetesError(new Error('bad kubeconfig'))).toBe(
      'bad kubeconfig',
    );
  });
});
