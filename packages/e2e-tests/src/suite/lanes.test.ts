import fs from 'node:fs';
import path from 'node:path';

const packageDir = path.resolve(__dirname, '../..');
const scriptsTest = path.resolve(packageDir, '../../scripts/test');

/** Test file names (without `.e2e.test.ts`) under src, at any depth. */
function e2eFileNames(): string[] {
  const names: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.e2e.test.ts')) {
        names.push(entry.name.slice(0, -'.e2e.test.ts'.length));
      }
    }
  };
  walk(path.join(packageDir, 'src'));
  return names.sort();
}

/**
 * The file names one package script runs, read from its --testMatch
 * (`**\/name`, `**\/{a,b}` or `**\/*`) minus its --testPathIgnorePatterns
 * (`/(a|b)\.e2e...`). Only the forms the scripts use; anything else throws.
 */
function namesRunBy(script: string, allNames: string[]): string[] {
  const match = /--testMatch '\*\*\/([^']+)\.e2e\.test\.ts'/.exec(script);
  if (!match) throw new Error(`no e2e --testMatch in: ${script}`);
  const pattern = match[1];
  let names: string[];
  if (pattern === '*') names = allNames;
  else if (/^\{[\w,]+\}$/.test(pattern))
    names = pattern.slice(1, -1).split(',');
  else if (/^\w+$/.test(pattern)) names = [pattern];
  else throw new Error(`unsupported --testMatch pattern: ${pattern}`);
  const ignore = /--testPathIgnorePatterns '\/\(([\w|]+)\)/.exec(script);
  const ignored = new Set(ignore ? ignore[1].split('|') : []);
  return names.filter(name => !ignored.has(name));
}

describe('the lanes of scripts/test', () => {
  const scripts: Record<string, string> = JSON.parse(
    fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
  ).scripts;
  const laneScripts = [
    ...fs
      .readFileSync(scriptsTest, 'utf8')
      .matchAll(/e2e-tests (test:[\w:-]+)/g),
  ].map(m => m[1]);
  const allNames = e2eFileNames();

  it('calls only scripts the package defines', () => {
    expect(laneScripts.length).toBeGreaterThan(5);
    for (const name of laneScripts) {
      expect({ name, defined: name in scripts }).toEqual({
        name,
        defined: true,
      });
    }
  });

  // A file in two lanes runs twice; drain.e2e in the parallel lane stopped
  // the portal under every file after it.
  it('runs every e2e file in exactly one lane', () => {
    const lanesOf = new Map<string, string[]>(allNames.map(n => [n, []]));
    for (const lane of laneScripts) {
      for (const name of namesRunBy(scripts[lane], allNames)) {
        if (!lanesOf.has(name)) {
          throw new Error(
            `${lane} names ${name}.e2e.test.ts, which does not exist`,
          );
        }
        lanesOf.get(name)!.push(lane);
      }
    }
    const notExactlyOnce = [...lanesOf]
      .filter(([, lanes]) => lanes.length !== 1)
      .map(([name, lanes]) => `${name}: ${lanes.join(', ') || 'no lane'}`);
    expect(notExactlyOnce).toEqual([]);
  });
});
