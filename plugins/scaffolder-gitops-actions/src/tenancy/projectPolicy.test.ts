import { ConfigReader } from '@backstage/config';
import { protectedMatch, readProjectPolicy } from './projectPolicy';

describe('readProjectPolicy', () => {
  it("protects Flux's default namespace when a platform lists its own protected namespaces", () => {
    const policy = readProjectPolicy(
      new ConfigReader({
        gitops: { projects: { protectedNamespaces: ['kube-*', 'platform'] } },
      }),
    );
    expect(protectedMatch('flux-system', policy)).toBeDefined();
    expect(protectedMatch('platform', policy)).toBeDefined();
    expect(protectedMatch('project-shop-dev', policy)).toBeUndefined();
  });

  it('protects the configured Flux namespace too', () => {
    const policy = readProjectPolicy(
      new ConfigReader({
        gitops: {
          fluxNamespace: 'gitops-system',
          projects: { protectedNamespaces: ['kube-*'] },
        },
      }),
    );
    expect(protectedMatch('gitops-system', policy)).toBeDefined();
  });
});
