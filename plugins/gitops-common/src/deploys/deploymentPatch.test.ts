import { buildDeploymentPatch } from './deploymentPatch';
import { DeployChanges } from './types';

const header = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'shop' },
};

/** A patch of the app container alone, as the builder writes one. */
function patchOf(app: object, replicas?: number) {
  return {
    ...header,
    spec: {
      template: { spec: { containers: [{ name: 'app', ...app }] } },
      ...(replicas === undefined ? {} : { replicas }),
    },
  };
}

describe('buildDeploymentPatch', () => {
  it.each<{
    what: string;
    patch?: unknown;
    container?: string;
    changes: DeployChanges;
    expected: object;
  }>([
    {
      what: 'a new patch from nothing',
      changes: {
        image: 'nginx:1.28',
        replicas: 3,
        env: { LOG_LEVEL: 'debug', OLD: null },
        resources: { limits: { memory: '256Mi' } },
      },
      expected: patchOf(
        {
          image: 'nginx:1.28',
          env: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'OLD', $patch: 'delete' },
          ],
          resources: { limits: { memory: '256Mi' } },
        },
        3,
      ),
    },
    {
      what: 'a new patch from an empty file',
      patch: null,
      changes: { image: 'nginx:1.28' },
      expected: patchOf({ image: 'nginx:1.28' }),
    },
    {
      what: 'replicas only, naming the container all the same',
      changes: { replicas: 2 },
      expected: patchOf({}, 2),
    },
    {
      what: 'image only, into a patch with replicas',
      patch: patchOf({ image: 'nginx:1.27' }, 2),
      changes: { image: 'nginx:1.28' },
      expected: patchOf({ image: 'nginx:1.28' }, 2),
    },
    {
      what: 'a merge keeping unknown fields and other containers in their order',
      patch: {
        kind: 'Deployment',
        metadata: { name: 'old-name', labels: { tier: 'web' } },
        spec: {
          strategy: { type: 'Recreate' },
          template: {
            metadata: { annotations: { a: 'b' } },
            spec: {
              containers: [
                { name: 'proxy', image: 'envoy:1' },
                { name: 'app', ports: [{ containerPort: 80 }] },
              ],
            },
          },
        },
        'x-note': 'kept',
      },
      changes: { replicas: 1, image: 'nginx:1.28' },
      expected: {
        kind: 'Deployment',
        metadata: { name: 'shop', labels: { tier: 'web' } },
        spec: {
          strategy: { type: 'Recreate' },
          template: {
            metadata: { annotations: { a: 'b' } },
            spec: {
              containers: [
                { name: 'proxy', image: 'envoy:1' },
                {
                  name: 'app',
                  ports: [{ containerPort: 80 }],
                  image: 'nginx:1.28',
                },
              ],
            },
          },
          replicas: 1,
        },
        'x-note': 'kept',
        apiVersion: 'apps/v1',
      },
    },
    {
      what: 'the container added after the ones the patch names',
      patch: patchOf({ image: 'nginx:1' }),
      container: 'worker',
      changes: { image: 'busybox:1' },
      expected: {
        ...header,
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'app', image: 'nginx:1' },
                { name: 'worker', image: 'busybox:1' },
              ],
            },
          },
        },
      },
    },
    {
      what: 'env: add, replace and delete, in place',
      patch: patchOf({
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
          { name: 'C', valueFrom: { secretKeyRef: { name: 's', key: 'c' } } },
        ],
      }),
      changes: { env: { C: null, A: '10', D: '4', E: null } },
      expected: patchOf({
        env: [
          { name: 'A', value: '10' },
          { name: 'B', value: '2' },
          { name: 'C', $patch: 'delete' },
          { name: 'D', value: '4' },
          { name: 'E', $patch: 'delete' },
        ],
      }),
    },
    {
      what: 'resources merged, empty quantities keeping the patch value',
      patch: patchOf({
        resources: {
          limits: { memory: '256Mi' },
          requests: { cpu: '100m', memory: '128Mi' },
        },
      }),
      changes: {
        resources: {
          requests: { cpu: '', memory: '256Mi' },
          limits: { cpu: '1', memory: undefined },
        },
      },
      expected: patchOf({
        resources: {
          limits: { memory: '256Mi', cpu: '1' },
          requests: { cpu: '100m', memory: '256Mi' },
        },
      }),
    },
    {
      what: 'new resources, requests before limits',
      changes: {
        resources: { limits: { cpu: '1' }, requests: { cpu: '' } },
      },
      expected: patchOf({ resources: { requests: {}, limits: { cpu: '1' } } }),
    },
    {
      what: 'an empty env or resources change writing an empty list or mapping',
      changes: { env: {}, resources: {} },
      expected: patchOf({ env: [], resources: {} }),
    },
  ])('builds $what', ({ patch, container = 'app', changes, expected }) => {
    const built = buildDeploymentPatch({
      patch,
      deployment: 'shop',
      container,
      changes,
    });
    // Key order too: it is the order of the lines written.
    expect(JSON.stringify(built, null, 2)).toBe(
      JSON.stringify(expected, null, 2),
    );
  });

  it('leaves the given patch as it was', () => {
    const patch = patchOf(
      { image: 'nginx:1', env: [{ name: 'A', value: '1' }] },
      1,
    );
    const before = JSON.stringify(patch);
    buildDeploymentPatch({
      patch,
      deployment: 'shop',
      container: 'app',
      changes: { replicas: 2, image: 'nginx:2', env: { A: null } },
    });
    expect(JSON.stringify(patch)).toBe(before);
  });

  it.each([
    ['a list', ['a'], /^the patch is not a mapping$/],
    ['a scalar', 'hello', /^the patch is not a mapping$/],
    [
      'containers that are not a list',
      { spec: { template: { spec: { containers: 3 } } } },
      /^spec\.template\.spec\.containers is not a list$/,
    ],
    [
      'an env that is not a list',
      patchOf({ env: { A: '1' } }),
      /^spec\.template\.spec\.containers\[app\]\.env is not a list$/,
    ],
  ])('refuses a patch of %s, naming the field', (_what, patch, message) => {
    expect(() =>
      buildDeploymentPatch({
        patch,
        deployment: 'shop',
        container: 'app',
        changes: { env: { A: '2' } },
      }),
    ).toThrow(message);
  });
});
