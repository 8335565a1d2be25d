import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';

/**
 * A Flux object captured from the real controllers by the corpus capture
 * (packages/e2e-tests/src/corpus); the captures live in gitops-common next
 * to the mapping they test. For tests.
 */
export function capturedFixture(
  area: 'status' | 'diagnostics/corpus',
  name: string,
): FluxResource {
  const file = resolvePackagePath(
    '@gitops-backstage/plugin-gitops-common',
    'src',
    ...area.split('/').slice(0, 1),
    '__fixtures__',
    ...area.split('/').slice(1),
    `${name}.json`,
  );
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Corpus entries hold the object beside its facts and expectation.
  return parsed.object ?? parsed;
}
