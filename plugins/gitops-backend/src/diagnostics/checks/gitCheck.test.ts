import { execFileSync } from 'node:child_process';
import { shellQuote, withoutUserinfo } from './gitCheck';

describe('what the Git check shows of a GitRepository URL', () => {
  it('drops a password written into the URL', () => {
    expect(withoutUserinfo('https://bot:s3cret@git.example.com/a/b.git')).toBe(
      'https://git.example.com/a/b.git',
    );
    expect(withoutUserinfo('not a url://bot:s3cret@host/x')).not.toContain(
      's3cret',
    );
  });

  it('quotes it as one shell word, so a copied fix command runs nothing it carries', () => {
    const hostile = `https://host/x.git$(echo pwned)';echo "pwned"`;
    const echoed = execFileSync(
      'sh',
      ['-c', `printf %s ${shellQuote(hostile)}`],
      {
        encoding: 'utf8',
      },
    );
    expect(echoed).toBe(hostile);
  });
});
