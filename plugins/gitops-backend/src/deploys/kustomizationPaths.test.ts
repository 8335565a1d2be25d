import {
  isUnder,
  kustomizationReferences,
  repoRelativePath,
} from './kustomizationPaths';

describe('repoRelativePath', () => {
  it('resolves inside the repository and refuses what leaves it', () => {
    expect(repoRelativePath('overlays/dev', '../../base')).toBe('base');
    expect(repoRelativePath('overlays/dev', './patch.yaml')).toBe(
      'overlays/dev/patch.yaml',
    );
    expect(repoRelativePath('', 'base')).toBe('base');
    expect(repoRelativePath('overlays', '../../etc')).toBeUndefined();
    expect(repoRelativePath('a', '/etc/passwd')).toBeUndefined();
    expect(
      repoRelativePath('a', 'https://github.com/org/repo//base?ref=v1'),
    ).toBeUndefined();
    expect(repoRelativePath('a', 'git::ssh://host/repo')).toBeUndefined();
  });
});

describe('kustomizationReferences', () => {
  it('names bases, components and resources outside the directory', () => {
    const text = [
      'resources:',
      '  - ../../base',
      '  - deployment.yaml',
      '  - ../shared/config.yaml',
      '  - https://example.com/remote.yaml',
      'components:',
      '  - ../../components/monitoring',
      'bases:',
      '  - ../../legacy',
      'patches:',
      '  - path: ../shared/replicas.yaml',
      '  - patch: |-',
      '      - op: remove',
      'patchesStrategicMerge:',
      '  - ../../patches/memory.yaml',
    ].join('\n');
    expect(kustomizationReferences('overlays/dev', text).sort()).toEqual([
      'base',
      'components/monitoring',
      'legacy',
      'overlays/shared/config.yaml',
      'overlays/shared/replicas.yaml',
      'patches/memory.yaml',
    ]);
  });
  it('names nothing for a file it cannot read', () => {
    expect(kustomizationReferences('a', 'resources: [unclosed')).toEqual([]);
    expect(kustomizationReferences('a', 'resources: 3')).toEqual([]);
  });
});

describe('isUnder', () => {
  it('tells a path inside a directory from a sibling with the same prefix', () => {
    expect(isUnder('overlays/dev/a.yaml', 'overlays/dev')).toBe(true);
    expect(isUnder('overlays/dev', 'overlays/dev')).toBe(true);
    expect(isUnder('overlays/dev2/a.yaml', 'overlays/dev')).toBe(false);
    expect(isUnder('anything', '')).toBe(true);
  });
});
