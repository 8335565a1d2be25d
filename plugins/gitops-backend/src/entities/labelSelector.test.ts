import { compileLabelSelector } from './labelSelector';

describe('compileLabelSelector', () => {
  const labels = {
    'backstage.io/kubernetes-id': 'shop',
    env: 'prod',
    tier: 'web',
  };
  it.each([
    ['backstage.io/kubernetes-id=shop', true],
    ['backstage.io/kubernetes-id==shop,env=prod', true],
    ['backstage.io/kubernetes-id=cart', false],
    ['env!=dev', true],
    ['env in (prod, staging)', true],
    ['env notin (prod)', false],
    ['tier', true],
    ['!tier', false],
    ['env in (dev,staging),tier', false],
  ])('%s matches: %s', (selector, expected) => {
    expect(compileLabelSelector(selector)(labels)).toBe(expected);
  });

  it('rejects garbage', () => {
    expect(() => compileLabelSelector('a=b=c')).toThrow(
      /invalid label selector/,
    );
    // Skipped by the split, it would otherwise match everything.
    expect(() => compileLabelSelector('(((')).toThrow(/invalid label selector/);
    expect(() => compileLabelSelector('tier,(x)')).toThrow(
      /invalid label selector/,
    );
  });
});
