import {
  FLUX_KIND,
  FLUX_KINDS,
  fluxApiVersion,
  fluxKindInfo,
} from './fluxKinds';
import { parseDuration } from './durations';

describe('the Flux kind registry', () => {
  it('names every kind once', () => {
    const names = FLUX_KINDS.map(k => k.kind);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.values(FLUX_KIND).sort());
  });

  it('writes each kind with its newest version', () => {
    expect(fluxApiVersion('GitRepository')).toBe('source.toolkit.fluxcd.io/v1');
    expect(fluxApiVersion('Kustomization')).toBe(
      'kustomize.toolkit.fluxcd.io/v1',
    );
    expect(fluxApiVersion('HelmRelease')).toBe('helm.toolkit.fluxcd.io/v2');
  });

  it('knows which kinds apply manifests', () => {
    expect(fluxKindInfo('Kustomization')?.appliesManifests).toBe(true);
    expect(fluxKindInfo('GitRepository')?.appliesManifests).toBe(false);
    expect(fluxKindInfo('Deployment')).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m0s', 120_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('refuses what is not a duration', () => {
    expect(parseDuration('ten minutes')).toBeUndefined();
    expect(parseDuration('10m and more')).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });
});
