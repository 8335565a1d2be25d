import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The production config is what a platform team starts from: every file it
 * names must exist where the backend reads it (the repository root, its
 * working directory in production).
 */
const repoRoot = path.resolve(__dirname, '../../../..');

describe('app-config.production.yaml', () => {
  const config = parse(
    fs.readFileSync(path.join(repoRoot, 'app-config.production.yaml'), 'utf8'),
  );

  it('points every catalog file location at a file of the repository', () => {
    const files: string[] = (config.catalog?.locations ?? [])
      .filter((l: { type: string }) => l.type === 'file')
      .map((l: { target: string }) => l.target);
    expect(files.length).toBeGreaterThan(0);
    expect(
      files.filter(target => !fs.existsSync(path.resolve(repoRoot, target))),
    ).toEqual([]);
  });
});
