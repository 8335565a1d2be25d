/**
 * Go durations as Flux writes them (1h30m, 10m, 45s, 500ms) in
 * milliseconds, or undefined when the text is not one.
 *
 * @public
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) {
    return undefined;
  }
  const units = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(m[1]) * units[m[2] as keyof typeof units];
    matched += m[0];
  }
  return matched === text ? total : undefined;
}
