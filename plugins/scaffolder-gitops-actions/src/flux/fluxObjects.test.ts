import { EnvironmentPlan, renderEnvironmentObjects } from './fluxObjects';

const plan: EnvironmentPlan = {
  environment: 'development',
  namespace: 'project-shop-development',
  branch: 'main',
  path: './k8s/overlays/development',
  interval: '5m',
  sourceInterval: '1m',
  timeout: '2m',
  autoSync: true,
  prune: true,
  wait: false,
  dependsOn: [],
};
const project = {
  id: 'shop',
  entityRef: 'component:default/shop',
  repoUrl: 'ssh://git@git.example.com:2222/acme/shop.git',
  webUrl: 'https://git.example.com/acme/shop',
};
const deployKey = {
  identity: 'PRIVATE',
  'identity.pub': 'ssh-ed25519 AAAA',
  known_hosts: '[git.example.com]:2222 ssh-ed25519 AAAAhost',
};

describe('renderEnvironmentObjects', () => {
  it('locks the workload down to a ServiceAccount with admin in its own namespace', () => {
    const objects = renderEnvironmentObjects(project, plan, deployKey) as any[];
    expect(objects.map(o => o.kind)).toEqual([
      'Namespace',
      'Secret',
      'ServiceAccount',
      'RoleBinding',
      'GitRepository',
      'Kustomization',
    ]);
    const [, secret, account, binding, source, kustomization] = objects;
    expect(Object.keys(secret.data)).toEqual([
      'identity',
      'identity.pub',
      'known_hosts',
    ]);
    expect(account.metadata).toMatchObject({
      name: 'shop-development',
      namespace: 'project-shop-development',
    });
    expect(binding).toMatchObject({
      kind: 'RoleBinding',
      metadata: { namespace: 'project-shop-development' },
      roleRef: { kind: 'ClusterRole', name: 'admin' },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: 'shop-development',
          namespace: 'project-shop-development',
        },
      ],
    });
    expect(source.spec.url).toBe(project.repoUrl);
    expect(source.metadata.annotations).toEqual({
      'gitops.backstage.io/entity-ref': 'component:default/shop',
      'gitops.backstage.io/repository-url': 'https://git.example.com/acme/shop',
    });
    expect(kustomization.spec).toMatchObject({
      serviceAccountName: 'shop-development',
      targetNamespace: 'project-shop-development',
    });
  });

  it('has a HelmRelease impersonate the same ServiceAccount', () => {
    const objects = renderEnvironmentObjects(
      { ...project, helm: { chart: 'redis' } },
      plan,
      deployKey,
    ) as any[];
    const release = objects.find(o => o.kind === 'HelmRelease');
    expect(release.spec.serviceAccountName).toBe('shop-development');
  });
});
