import { InputError } from '@backstage/errors';
import * as diffLibrary from 'diff';
import { unifiedDiff } from './PreviewService';
import { OVERLAY_LIMITS, requireParsable } from './overlayRepo';

const lines = (count: number, line: (n: number) => string) =>
  Array.from({ length: count }, (_, n) => `${line(n)}\n`).join('');

describe('unifiedDiff', () => {
  it('shows the diff of an ordinary change', () => {
    const diff = unifiedDiff([
      {
        path: 'k8s/overlays/dev/gitops-deploy-patch.yaml',
        before: 'image: shop:1\nreplicas: 1\n',
        after: 'image: shop:2\nreplicas: 1\n',
      },
    ]);
    expect(diff).toContain('--- a/k8s/overlays/dev/gitops-deploy-patch.yaml');
    expect(diff).toContain('-image: shop:1\n+image: shop:2\n');
  });

  // Tenant content: a line diff of two large, very different files takes
  // seconds on the event loop; they are named with their sizes instead.
  it('names a file changed too much to diff instead of diffing it', () => {
    const before = lines(2000, n => `a${n}`);
    const after = lines(2000, n => `b${n}`);
    expect(Buffer.byteLength(before + after)).toBeLessThan(
      OVERLAY_LIMITS.diffFileBytes,
    );
    const diff = unifiedDiff([{ path: 'o/x.yaml', before, after }]);
    expect(diff).toBe(
      `--- a/o/x.yaml\n+++ b/o/x.yaml\n# not shown: ${Buffer.byteLength(
        before,
      )} -> ${Buffer.byteLength(
        after,
      )} bytes, too large or too changed for the portal to diff\n`,
    );
  });

  it('does not start a diff whose line counts alone are past the edit bound', () => {
    const patch = jest.spyOn(diffLibrary, 'createTwoFilesPatch');
    const before = '\n'.repeat(16_000);
    const diff = unifiedDiff([
      { path: 'o/gitops-deploy-patch.yaml', before, after: 'image: x\n' },
    ]);
    expect(diff).toContain('# not shown: 16000 -> 9 bytes');
    expect(patch).not.toHaveBeenCalled();
    patch.mockRestore();
  });

  it('names files beyond the size of one diff or of all diffs together', () => {
    const large = 'x'.repeat(OVERLAY_LIMITS.diffFileBytes + 1);
    const half = lines(600, n => `line ${n} ${'y'.repeat(10)}`);
    const files = [
      { path: 'large.yaml', after: large },
      ...Array.from({ length: 6 }, (_, n) => ({
        path: `f${n}.yaml`,
        before: half,
        after: `${half}one more\n`,
      })),
    ];
    const shown = unifiedDiff(files)
      .split('\n')
      .filter(line => line.startsWith('+++ '))
      .map(line => line.slice(6));
    const notShown = unifiedDiff(files)
      .split('\n+++ b/')
      .filter(part => part.includes('# not shown'))
      .map(part => part.split('\n')[0]);
    expect(shown).toHaveLength(7);
    expect(notShown[0]).toBe('large.yaml');
    // Each of the others is ~23 KB before and after together: the 64 KiB
    // of all diffs hold two of them.
    expect(notShown.slice(1)).toEqual([
      'f2.yaml',
      'f3.yaml',
      'f4.yaml',
      'f5.yaml',
    ]);
  });
});

describe('requireParsable', () => {
  it('refuses a file the portal edits beyond what it parses', () => {
    const path = 'k8s/overlays/dev/kustomization.yaml';
    expect(() =>
      requireParsable(path, 'a'.repeat(OVERLAY_LIMITS.parsedFileBytes)),
    ).not.toThrow();
    expect(() => requireParsable(path, undefined)).not.toThrow();
    expect(() =>
      requireParsable(path, 'a'.repeat(OVERLAY_LIMITS.parsedFileBytes + 1)),
    ).toThrow(
      new InputError(
        `overlay: ${path} is 16385 bytes; the portal edits overlay files of at most 16384 bytes (kustomization.yaml and gitops-deploy-patch.yaml)`,
      ),
    );
  });
});
