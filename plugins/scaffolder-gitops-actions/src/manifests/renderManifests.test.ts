import { renderManifests } from './renderManifests';

describe('renderManifests', () => {
  it('writes an overlay patch with replicas first and no empty env list', () => {
    const files = renderManifests({
      name: 'shop',
      kubernetesId: 'shop',
      image: 'nginx:1.27',
      port: 8080,
      environments: [
        {
          name: 'production',
          replicas: 3,
          env: {},
          resources: { requests: { cpu: '250m' }, limits: { memory: '1Gi' } },
        },
      ],
    });
    expect(files.get('k8s/overlays/production/deployment.yaml')).toBe(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: shop',
        'spec:',
        '  replicas: 3',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: nginx:1.27',
        '          resources:',
        '            requests:',
        '              cpu: 250m',
        '            limits:',
        '              memory: 1Gi',
        '',
      ].join('\n'),
    );
  });
});
