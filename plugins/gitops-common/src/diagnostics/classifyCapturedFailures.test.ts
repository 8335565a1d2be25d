import fs from 'node:fs';
import path from 'node:path';
import { FluxResource } from '../status';
import { classifyFluxFailure } from './classifyFluxFailure';

// Objects as the real controllers left them in each failure, captured by
// packages/e2e-tests/src/diagnostics.e2e.test.ts (CAPTURE_FIXTURES=1).
const expected: Record<string, string> = {
  'wrong-password-gitrepository': 'GIT_AUTH_FAILED',
  'wrong-url-gitrepository': 'GIT_CLONE_FAILED',
  'broken-yaml-kustomization': 'YAML_INVALID',
  'needs-ghost-kustomization': 'DEPENDENCY_NOT_READY',
  'never-ready-kustomization': 'HEALTH_CHECK_FAILED',
};

const dir = path.join(__dirname, '__fixtures__');

describe('classifyFluxFailure on captured failures', () => {
  it('has a fixture for every expectation', () => {
    const files = fs.readdirSync(dir).map(f => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s is %s', (name, code) => {
    const object: FluxResource = JSON.parse(
      fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'),
    );
    const ready = object.status?.conditions?.find(c => c.type === 'Ready');
    expect(ready?.status).toBe('False');
    expect(
      classifyFluxFailure({
        kind: object.kind,
        reason: ready?.reason,
        message: ready?.message,
      }).code,
    ).toBe(code);
  });
});
