import { CSSProperties } from 'react';

/**
 * Tables lay out with fixed column widths (`tableLayout: 'fixed'`), so they
 * never grow past their card; what does not fit is cut with an ellipsis,
 * never broken inside a word.
 */
export const NO_WRAP: CSSProperties = {
  whiteSpace: 'nowrap',
  wordBreak: 'normal',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
};
/** Names that may wrap, but only where the text allows (spaces, hyphens). */
export const WRAP_AT_WORDS: CSSProperties = {
  wordBreak: 'normal',
  overflowWrap: 'normal',
};
/** A cell whose content truncates itself (TruncatedText). */
export const SHRINKING: CSSProperties = {
  wordBreak: 'normal',
  overflow: 'hidden',
};
