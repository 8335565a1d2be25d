/** Where each secret (plain or base64) shows up in each place. */
export function findSecrets(
  secrets: Record<string, string[]>,
  places: Record<string, string>,
): string[] {
  const leaks: string[] = [];
  for (const [what, values] of Object.entries(secrets)) {
    const forms = values.flatMap(value => [
      value,
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
    ]);
    for (const [where, text] of Object.entries(places)) {
      if (forms.some(form => text.includes(form))) {
        leaks.push(`${what} in ${where}`);
      }
    }
  }
  return leaks;
}

/**
 * The forms a PEM private key could be written in: whole, its body on one
 * line, and each full line of its body.
 */
export function pemForms(pem: string): string[] {
  const body = pem
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('-----'));
  return [pem.trim(), body.join(''), ...body.filter(l => l.length >= 40)];
}
