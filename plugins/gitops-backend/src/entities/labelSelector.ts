import { InputError } from '@backstage/errors';

type Requirement = (labels: Record<string, string>) => boolean;

/**
 * Compiles a Kubernetes label selector (`a=b`, `a==b`, `a!=b`, `a`, `!a`,
 * `a in (x,y)`, `a notin (x,y)`, comma-separated) into a predicate.
 */
export function compileLabelSelector(
  selector: string,
): (labels: Record<string, string> | undefined) => boolean {
  const requirements: Requirement[] = [];
  // Split on commas that are not inside parentheses.
  const parts = selector.match(/([^,(]+(\([^)]*\))?)+/g) ?? [];
  // What the split skipped (a stray parenthesis) would silently match all.
  const strip = (text: string) => text.replace(/[\s,]/g, '');
  if (strip(parts.join('')) !== strip(selector)) {
    throw new InputError(`invalid label selector '${selector}'`);
  }
  for (const raw of parts.map(p => p.trim()).filter(Boolean)) {
    requirements.push(compileRequirement(raw, selector));
  }
  return labels => requirements.every(r => r(labels ?? {}));
}

function compileRequirement(raw: string, selector: string): Requirement {
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw);
  if (set) {
    const [, key, op, list] = set;
    const values = new Set(list.split(',').map(v => v.trim()));
    return labels =>
      op === 'in'
        ? key in labels && values.has(labels[key])
        : !(key in labels) || !values.has(labels[key]);
  }
  const equality = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(raw);
  if (equality) {
    const [, key, op, value] = equality;
    return labels =>
      op === '!=' ? labels[key] !== value : labels[key] === value;
  }
  const exists = /^(!?)([\w./-]+)$/.exec(raw);
  if (exists) {
    const [, not, key] = exists;
    return labels => (not ? !(key in labels) : key in labels);
  }
  throw new InputError(`invalid label selector '${selector}' near '${raw}'`);
}
