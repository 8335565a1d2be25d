import { CSSProperties } from 'react';

/**
 * Cells that never break a word inside: short values stay on one line,
 * longer ones wrap only where the text allows (spaces, hyphens).
 */
export const NO_WRAP: CSSProperties = {
  whiteSpace: 'nowrap',
  wordBreak: 'normal',
};
export const WRAP_AT_WORDS: CSSProperties = {
  wordBreak: 'normal',
  overflowWrap: 'normal',
};
/** A cell whose content truncates itself (TruncatedText) must be able to shrink. */
export const SHRINKING: CSSProperties = {
  maxWidth: 0,
  width: '100%',
  wordBreak: 'normal',
};
