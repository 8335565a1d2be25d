/** A deterministic pseudo-random source (mulberry32): same seed, same cases. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(next() * items.length)];
  /** A key no schema knows: letters, digits and an underscore. */
  const unknownKey = () =>
    `x_${Math.floor(next() * 36 ** 6)
      .toString(36)
      .padStart(6, '0')}`;
  /** A string of unicode and control characters, some invalid anywhere. */
  const oddString = (length: number) =>
    Array.from({ length }, () =>
      pick([
        '\u0000',
        '\u0007',
        '\u001b[31m',
        '\n',
        '\t',
        '\u202e',
        '\ufeff',
        '💥',
        'é',
        'ß',
        '中',
        '/',
        '..',
        '%00',
        '%2e%2e',
        ' ',
        '"',
        "'",
        '\\',
        '<script>',
        '${{ secrets }}',
      ]),
    ).join('');
  return { next, pick, unknownKey, oddString };
}

/** One seeded source, shared by generators that must draw in a fixed order. */
export type SeededRandom = ReturnType<typeof seededRandom>;
