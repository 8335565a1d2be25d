import {
  driftedFields,
  ownedFieldPaths,
  readableFieldPath,
  syncEffectOnDrift,
  valueAtFieldPath,
} from './drift';

// managedFields as kustomize-controller, `kubectl scale` and `kubectl set env` leave them.
const fluxApply = {
  manager: 'kustomize-controller',
  operation: 'Apply',
  time: '2026-12-07T10:00:00Z',
  fieldsV1: {
    'f:metadata': {
      'f:labels': {
        'f:kustomize.toolkit.fluxcd.io/name': {},
      },
    },
    'f:spec': {
      'f:selector': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} },
          },
        },
      },
    },
  },
};
const kubectlScale = {
  manager: 'kubectl',
  operation: 'Update',
  subresource: 'scale',
  time: '2026-12-07T11:00:00Z',
  fieldsV1: { 'f:spec': { 'f:replicas': {} } },
};
const kubectlSetEnv = {
  manager: 'kubectl-set',
  operation: 'Update',
  time: '2026-12-07T11:05:00Z',
  fieldsV1: {
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"app"}': {
              'f:env': {
                '.': {},
                'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} },
              },
            },
          },
        },
      },
    },
  },
};
const controllerStatus = {
  manager: 'kube-controller-manager',
  operation: 'Update',
  subresource: 'status',
  fieldsV1: { 'f:status': { 'f:replicas': {} } },
};
const controllerRevision = {
  manager: 'kube-controller-manager',
  operation: 'Update',
  fieldsV1: {
    'f:metadata': {
      'f:annotations': { 'f:deployment.kubernetes.io/revision': {} },
    },
  },
};

const deployment = (managedFields: any[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', managedFields },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'web:1',
            env: [{ name: 'MODE', value: 'debug' }],
          },
        ],
      },
    },
  },
});

describe('ownedFieldPaths', () => {
  it('lists leaves and stops at nodes owned as a whole', () => {
    expect(ownedFieldPaths(kubectlSetEnv.fieldsV1)).toEqual([
      [
        'f:spec',
        'f:template',
        'f:spec',
        'f:containers',
        'k:{"name":"app"}',
        'f:env',
      ],
    ]);
    expect(ownedFieldPaths(fluxApply.fieldsV1['f:spec'], ['f:spec'])).toEqual([
      ['f:spec', 'f:selector'],
      ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"app"}'],
    ]);
    expect(ownedFieldPaths(undefined)).toEqual([]);
  });
});

describe('readableFieldPath and valueAtFieldPath', () => {
  const keys = [
    'f:spec',
    'f:template',
    'f:spec',
    'f:containers',
    'k:{"name":"app"}',
    'f:env',
    'k:{"name":"MODE"}',
    'f:value',
  ];
  it('names keyed, set and indexed list items', () => {
    expect(readableFieldPath(keys)).toBe(
      'spec.template.spec.containers[name=app].env[name=MODE].value',
    );
    expect(
      readableFieldPath([
        'f:spec',
        'f:ports',
        'k:{"port":80,"protocol":"TCP"}',
      ]),
    ).toBe('spec.ports[port=80,protocol=TCP]');
    expect(readableFieldPath(['f:spec', 'f:finalizers', 'v:"a"'])).toBe(
      'spec.finalizers["a"]',
    );
  });
  it('reads the live value at the path, undefined where there is none', () => {
    const live = deployment([]);
    expect(valueAtFieldPath(live, keys)).toBe('debug');
    expect(valueAtFieldPath(live, ['f:spec', 'f:replicas'])).toBe(3);
    expect(
      valueAtFieldPath(live, [
        'f:spec',
        'f:template',
        'f:spec',
        'f:containers',
        'k:{"name":"other"}',
      ]),
    ).toBeUndefined();
    expect(
      valueAtFieldPath(live, ['f:spec', 'f:replicas', 'f:deeper']),
    ).toBeUndefined();
    expect(valueAtFieldPath({ list: ['x', 'y'] }, ['f:list', 'i:1'])).toBe('y');
    expect(valueAtFieldPath({ list: ['x', 'y'] }, ['f:list', 'v:"x"'])).toBe(
      'x',
    );
  });
});

describe('driftedFields', () => {
  it('finds a kubectl scale and a kubectl set env, with manager, time and live value', () => {
    const fields = driftedFields(
      deployment([
        fluxApply,
        kubectlScale,
        kubectlSetEnv,
        controllerStatus,
        controllerRevision,
      ]),
      'kustomize-controller',
    );
    expect(fields).toEqual([
      {
        path: 'spec.replicas',
        manager: 'kubectl',
        operation: 'Update',
        subresource: 'scale',
        time: '2026-12-07T11:00:00Z',
        live: '3',
      },
      {
        path: 'spec.template.spec.containers[name=app].env',
        manager: 'kubectl-set',
        operation: 'Update',
        time: '2026-12-07T11:05:00Z',
        live: '[{"name":"MODE","value":"debug"}]',
      },
    ]);
  });

  it('sees no drift in what only Flux and the control plane wrote', () => {
    expect(
      driftedFields(
        deployment([fluxApply, controllerStatus, controllerRevision]),
        'kustomize-controller',
      ),
    ).toEqual([]);
    expect(driftedFields({ metadata: {} }, 'kustomize-controller')).toEqual([]);
  });

  it('does not count a field Flux shares with another applier (same value)', () => {
    const sameApply = {
      manager: 'platform-tool',
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:selector': {} } },
    };
    expect(
      driftedFields(deployment([fluxApply, sameApply]), 'kustomize-controller'),
    ).toEqual([]);
  });

  it('counts top-level fields beside spec (a Role edited with kubectl)', () => {
    const role = {
      kind: 'Role',
      metadata: {
        managedFields: [
          {
            manager: 'kubectl-edit',
            operation: 'Update',
            fieldsV1: { 'f:rules': {} },
          },
        ],
      },
      rules: [{ verbs: ['*'] }],
    };
    expect(driftedFields(role, 'kustomize-controller')).toEqual([
      expect.objectContaining({ path: 'rules', live: '[{"verbs":["*"]}]' }),
    ]);
  });

  it('never shows a last-applied copy of an object', () => {
    const configMap = {
      kind: 'ConfigMap',
      metadata: {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}',
        },
        managedFields: [
          {
            manager: 'kubectl-client-side-apply',
            operation: 'Update',
            fieldsV1: {
              'f:metadata': {
                'f:annotations': {
                  'f:kubectl.kubernetes.io/last-applied-configuration': {},
                },
              },
            },
          },
        ],
      },
    };
    const [field] = driftedFields(configMap, 'kustomize-controller');
    expect(field.path).toBe(
      'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
    );
    expect(field.live).toBeUndefined();
  });

  it("names a Secret's changed keys but never their values", () => {
    const secret = {
      kind: 'Secret',
      metadata: {
        // A client-side apply leaves the whole Secret in an annotation.
        annotations: { note: '{"data":{"password":"c2VjcmV0"}}' },
        managedFields: [
          {
            manager: 'kubectl-edit',
            operation: 'Update',
            fieldsV1: {
              'f:data': { 'f:password': {} },
              'f:metadata': { 'f:annotations': { 'f:note': {} } },
            },
          },
        ],
      },
      data: { password: 'c2VjcmV0' },
    };
    const fields = driftedFields(secret, 'kustomize-controller');
    expect(fields.map(f => [f.path, f.live])).toEqual([
      ['data.password', undefined],
      ['metadata.annotations.note', undefined],
    ]);
    expect(JSON.stringify(fields)).not.toContain('c2VjcmV0');
  });

  it('shortens long live values', () => {
    const long = deployment([kubectlSetEnv]);
    long.spec.template.spec.containers[0].env[0].value = 'x'.repeat(500);
    const [field] = driftedFields(long, 'kustomize-controller');
    expect(field.live!.length).toBe(200);
    expect(field.live!.endsWith('…')).toBe(true);
  });
});

describe('syncEffectOnDrift', () => {
  it('says what Sync does for each kind and setting', () => {
    expect(syncEffectOnDrift({ kind: 'Kustomization', spec: {} })).toMatch(
      /fields written by kubectl are removed/,
    );
    expect(
      syncEffectOnDrift({ kind: 'Kustomization', spec: { force: true } }),
    ).toMatch(/spec.force is on/);
    expect(
      syncEffectOnDrift({
        kind: 'HelmRelease',
        spec: { driftDetection: { mode: 'enabled' } },
      }),
    ).toMatch(/correct the drift/);
    expect(syncEffectOnDrift({ kind: 'HelmRelease', spec: {} })).toMatch(
      /does not undo this drift: driftDetection is disabled/,
    );
  });
});
