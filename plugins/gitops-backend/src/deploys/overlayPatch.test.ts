import { InputError } from '@backstage/errors';
import { parse } from 'yaml';
import {
  applyDeployChanges,
  containerNamedInPatch,
  DEPLOY_PATCH_FILE,
} from './overlayPatch';

const kustomization = `# overlay for staging
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: deployment.yaml
`;

describe('applyDeployChanges', () => {
  it('writes a patch of the container and lists it last, keeping comments', () => {
    const result = applyDeployChanges({
      files: { kustomization },
      deployment: 'shop',
      container: 'app',
      changes: {
        image: 'nginx:1.28',
        replicas: 3,
        env: { LOG_LEVEL: 'debug' },
        resources: { limits: { memory: '256Mi' } },
      },
    });
    expect(result.kustomization).toContain('# overlay for staging');
    expect(parse(result.kustomization).patches).toEqual([
      { path: 'deployment.yaml' },
      { path: DEPLOY_PATCH_FILE },
    ]);
    expect(parse(result.patch!)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                image: 'nginx:1.28',
                env: [{ name: 'LOG_LEVEL', value: 'debug' }],
                resources: { limits: { memory: '256Mi' } },
              },
            ],
          },
        },
      },
    });
  });

  it('merges into an earlier patch and deletes a variable with a directive', () => {
    const first = applyDeployChanges({
      files: { kustomization },
      deployment: 'shop',
      container: 'app',
      changes: { image: 'nginx:1.28', env: { A: '1', B: '2' } },
    });
    const second = applyDeployChanges({
      files: first,
      deployment: 'shop',
      container: 'app',
      changes: { replicas: 2, env: { A: null } },
    });
    expect(second.kustomization).toBe(first.kustomization);
    const container = parse(second.patch!).spec.template.spec.containers[0];
    expect(container.image).toBe('nginx:1.28');
    expect(container.env).toEqual([
      { name: 'A', $patch: 'delete' },
      { name: 'B', value: '2' },
    ]);
  });

  it('writes a new patch in the order earlier portal versions wrote it', () => {
    const { patch } = applyDeployChanges({
      files: { kustomization },
      deployment: 'shop',
      container: 'app',
      changes: { replicas: 2, image: 'nginx:1.28', env: {} },
    });
    expect(patch).toBe(
      [
        '# Written by the GitOps portal: deploys from Backstage change this patch.',
        '# Edits by hand are kept and shown in the next deploy preview.',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: shop',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: nginx:1.28',
        '          env: []',
        '  replicas: 2',
        '',
      ].join('\n'),
    );
  });

  it('refuses a patch whose containers are not a list, naming the field', () => {
    expect(() =>
      applyDeployChanges({
        files: {
          kustomization,
          patch: 'spec:\n  template:\n    spec:\n      containers: 3\n',
        },
        deployment: 'shop',
        container: 'app',
        changes: { replicas: 1 },
      }),
    ).toThrow(
      new InputError(
        `${DEPLOY_PATCH_FILE} in the overlay: spec.template.spec.containers is not a list`,
      ),
    );
  });

  it('refuses an overlay whose kustomization.yaml is not a mapping', () => {
    expect(() =>
      applyDeployChanges({
        files: { kustomization: '- a\n- b\n' },
        deployment: 'shop',
        container: 'app',
        changes: { replicas: 1 },
      }),
    ).toThrow(/not a YAML mapping/);
  });
});

describe('containerNamedInPatch', () => {
  it('reads the first container of the parsed patch', () => {
    const patch = [
      '# a comment',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '',
      '        - name: web',
      '          image: nginx:1',
      '        - name: sidecar',
    ].join('\n');
    expect(containerNamedInPatch(patch)).toBe('web');
  });

  it('names none for an absent, broken or container-less patch', () => {
    expect(containerNamedInPatch(undefined)).toBeUndefined();
    expect(containerNamedInPatch('spec: [')).toBeUndefined();
    expect(containerNamedInPatch('spec: {}')).toBeUndefined();
    expect(
      containerNamedInPatch(
        'spec:\n  template:\n    spec:\n      containers: 3',
      ),
    ).toBeUndefined();
  });

  it('reads a hostile patch of blank lines after "containers:" as YAML, with no pattern to backtrack', () => {
    const hostile = `containers:${'\n'.repeat(100_000)}x`;
    expect(containerNamedInPatch(hostile)).toBeUndefined();
  });
});
