import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { FluxResource } from '@gitops-backstage/plugin-gitops-common';

/**
 * A Flux object captured from the real controllers by the e2e tests; the
 * captures live in gitops-common next to the mapping they test. For tests.
 */
export function capturedFixture(
  area: 'status' | 'diagnostics',
  name: string,
): FluxResource {
  const file = resolvePackagePath(
    '@gitops-backstage/plugin-gitops-common',
    'src',
    area,
    '__fixtures__',
    `${name}.json`,
  );
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
