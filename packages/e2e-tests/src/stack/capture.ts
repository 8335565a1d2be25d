import fs from 'node:fs';
import path from 'node:path';
import { FluxObject } from './kube';
import { repoPath } from './stackEnv';

/**
 * With CAPTURE_FIXTURES=1, keeps an object as the real controllers left it
 * (without server bookkeeping) for the unit tests of gitops-common.
 */
export function captureFixture(dir: string, name: string, object: FluxObject) {
  if (!process.env.CAPTURE_FIXTURES) {
    return;
  }
  const {
    managedFields,
    uid,
    resourceVersion,
    creationTimestamp,
    ...metadata
  } = object.metadata as any;
  const target = repoPath(dir);
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(
    path.join(target, `${name}.json`),
    `${JSON.stringify({ ...object, metadata }, null, 2)}\n`,
  );
}
