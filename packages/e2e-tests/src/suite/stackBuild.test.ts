import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const stackDir = path.resolve(__dirname, '../../../../stack');

/**
 * stack/build with the named component's build replaced by one that fails,
 * on an empty cache of its own: nothing is compiled.
 */
function buildWithFailing(component: string, ...components: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-build-'));
  const script = fs
    .readFileSync(path.join(stackDir, 'build'), 'utf8')
    .replace(
      'STACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)',
      `STACK_DIR=${JSON.stringify(stackDir)}`,
    )
    .replace(
      `build_${component}() {`,
      `build_${component}() {\n  echo "simulated failure"; return 1\n}\nunused_${component}() {`,
    );
  fs.writeFileSync(path.join(dir, 'build'), script);
  return new Promise<{ code: number; output: string }>(resolve =>
    execFile(
      'bash',
      [path.join(dir, 'build'), ...components],
      { env: { ...process.env, GITOPS_STACK_CACHE: path.join(dir, 'cache') } },
      (error, stdout, stderr) => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          output: stdout + stderr,
        });
      },
    ),
  );
}

describe('stack/build', () => {
  // A cold run once printed "all 8 components ready" after etcd's build
  // failed, and the suite then found no etcd to start.
  it('fails, naming the component, when a build fails', async () => {
    const { code, output } = await buildWithFailing('etcd', 'etcd');
    expect(output).toContain('[build] etcd');
    expect(output).toMatch(/\[build\] FAILED: etcd \(total /);
    expect(output).not.toContain('components ready');
    expect(code).toBe(1);
  });
});
