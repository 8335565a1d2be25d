/**
 * The fix lines of a finding are shell a person may paste: names and URLs
 * from a tenant's objects or from controller messages must stay one word
 * or inside a comment.
 */

/** One shell word, whatever the text holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A name from a spec as an argument, only when it is a name Kubernetes
 * accepts (DNS subdomain): anything else, e.g. `--server=https://elsewhere`,
 * would be read as an option, quoted or not.
 */
export function kubernetesName(text: string | undefined): string | undefined {
  return text && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(text)
    ? text
    : undefined;
}

/** A comment line: whatever the text holds, it cannot start a command. */
export function commentLine(text: string): string {
  // Line breaks and control characters (a pasted ESC sequence drives the
  // terminal's line editor).
  return `# ${text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g,
    ' ',
  )}`;
}
