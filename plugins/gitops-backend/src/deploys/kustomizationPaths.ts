import { parse } from 'yaml';

/** The lists of kustomization.yaml that name paths (patches by `path:`). */
const PATH_LISTS = [
  'resources',
  'bases',
  'components',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
];

/**
 * Normalizes `relative` against the repository directory `dir`; undefined
 * when it leaves the repository or is a remote (URL, git::, etc.).
 */
export function repoRelativePath(
  dir: string,
  relative: string,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative) || relative.startsWith('/')) {
    return undefined;
  }
  const parts = dir ? dir.split('/') : [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      if (parts.length === 0) {
        return undefined;
      }
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/**
 * The paths a kustomization.yaml in `dir` reads outside `dir` (its bases,
 * components and resources in sibling directories), inside the repository.
 * Unparsable files name nothing.
 */
export function kustomizationReferences(dir: string, text: string): string[] {
  let doc: any;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  const refs = new Set<string>();
  for (const list of PATH_LISTS) {
    const entries = Array.isArray(doc?.[list]) ? doc[list] : [];
    for (const item of entries) {
      // Patches name their file as `path:`; the other lists as strings.
      const entry = typeof item === 'string' ? item : item?.path;
      if (typeof entry !== 'string') {
        continue;
      }
      const path = repoRelativePath(dir, entry);
      if (path !== undefined && !isUnder(path, dir)) {
        refs.add(path);
      }
    }
  }
  return [...refs];
}

/**
 * Whether `path` is `dir` or inside it (`''` is the repository root).
 */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}
