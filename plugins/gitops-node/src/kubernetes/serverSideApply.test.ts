import {
  ApiException,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { ConflictError } from '@backstage/errors';
import { isKubernetesRequestTimeout, kubernetesErrorCode } from './errors';
import { GITOPS_FIELD_MANAGER, serverSideApply } from './serverSideApply';

const deployment: KubernetesObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps' },
};

const conflict = new ApiException(
  409,
  'Conflict',
  {
    kind: 'Status',
    reason: 'Conflict',
    message:
      'Apply failed with 1 conflict: conflict with "kustomize-controller": .spec.template.spec.containers[name="web"].image',
    code: 409,
  },
  {},
);

/** The one port serverSideApply uses: read and patch of KubernetesObjectApi. */
function fakeObjectApi(
  options: {
    existing?: KubernetesObject;
    readError?: unknown;
    patchError?: unknown;
  } = {},
) {
  const read = jest.fn(async () => {
    if (options.readError) throw options.readError;
    if (!options.existing) throw new ApiException(404, 'not found', {}, {});
    return options.existing;
  });
  const patch = jest.fn(
    async (
      object: KubernetesObject,
      _pretty?: string,
      _dryRun?: string,
      _fieldManager?: string,
      _force?: boolean,
    ) => {
      if (options.patchError) throw options.patchError;
      return {
        ...object,
        metadata: { ...object.metadata, resourceVersion: '2' },
      };
    },
  );
  return {
    client: { read, patch } as unknown as KubernetesObjectApi,
    patch,
  };
}

/** The force argument of the one patch call. */
const forceOf = (patch: jest.Mock) => patch.mock.calls[0][4];

describe('serverSideApply', () => {
  it('never forces unless asked', async () => {
    const { client, patch } = fakeObjectApi();
    await expect(serverSideApply(client, deployment)).resolves.toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'apps',
      name: 'web',
      result: 'created',
    });
    expect(forceOf(patch)).toBe(false);
    expect(patch.mock.calls[0][3]).toBe(GITOPS_FIELD_MANAGER);
  });

  it('forces for a caller that owns the field by policy', async () => {
    const { client, patch } = fakeObjectApi({
      existing: {
        ...deployment,
        metadata: { ...deployment.metadata, resourceVersion: '1' },
      },
    });
    const applied = await serverSideApply(client, deployment, {
      fieldManager: 'backstage-gitops-manual',
      force: true,
    });
    expect(applied.result).toBe('configured');
    expect(forceOf(patch)).toBe(true);
    expect(patch.mock.calls[0][3]).toBe('backstage-gitops-manual');
  });

  it('names the conflicting fields and says the actions never force', async () => {
    const { client } = fakeObjectApi({ patchError: conflict });
    const error = await serverSideApply(client, deployment).catch(e => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      'applying Deployment apps/web: fields are owned by another field manager (409 Conflict: Apply failed with 1 conflict: conflict with "kustomize-controller": .spec.template.spec.containers[name="web"].image); change or remove them there, the GitOps actions never force',
    );
  });

  it('does not claim to never force when it forced', async () => {
    const { client } = fakeObjectApi({ patchError: conflict });
    const error = await serverSideApply(client, deployment, {
      force: true,
    }).catch(e => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      'applying Deployment apps/web: 409 Conflict: Apply failed with 1 conflict: conflict with "kustomize-controller": .spec.template.spec.containers[name="web"].image',
    );
  });

  it('keeps the status and the timeout of a failure as its cause', async () => {
    const invalid = new ApiException(
      422,
      'Invalid',
      { reason: 'Invalid', message: 'spec.replicas: must be >= 0' },
      {},
    );
    const rejected = await serverSideApply(
      fakeObjectApi({ patchError: invalid }).client,
      deployment,
    ).catch(e => e);
    expect(rejected.message).toBe(
      'applying Deployment apps/web: 422 Invalid: spec.replicas: must be >= 0',
    );
    expect(kubernetesErrorCode(rejected)).toBe(422);

    const aborted = Object.assign(new Error('The user aborted a request.'), {
      name: 'AbortError',
    });
    const timedOut = await serverSideApply(
      fakeObjectApi({ readError: aborted }).client,
      deployment,
    ).catch(e => e);
    expect(timedOut.message).toBe(
      'reading Deployment apps/web: cluster did not answer in time (request timed out)',
    );
    expect(isKubernetesRequestTimeout(timedOut)).toBe(true);
    expect(isKubernetesRequestTimeout(rejected)).toBe(false);
  });
});
