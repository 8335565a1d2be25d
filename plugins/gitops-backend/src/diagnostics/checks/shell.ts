/**
 * The fix lines of a finding are shell a person may paste: names and URLs
 * from a tenant's objects or from controller messages must stay one word
 * or inside a comment.
 */

/** One shell word, whatever the text holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The text as it is when it is a plain word, else quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._/:@=+,-]+$/.test(text) ? text : shellQuote(text);
}

/** A comment line: whatever the text holds, it cannot start a command. */
export function commentLine(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`;
}
