import { execFileSync } from 'node:child_process';
import { commentLine, shellQuote, shellWord } from './shell';

const echo = (word: string) =>
  execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

describe('fix lines a person may paste into a shell', () => {
  const hostile = `https://host/x.git$(echo pwned)';echo "pwned"`;

  it('quotes tenant text as one word, so a copied command runs nothing it carries', () => {
    expect(echo(shellQuote(hostile))).toBe(hostile);
    expect(echo(shellWord(hostile))).toBe(hostile);
    expect(echo(shellWord('a b\nc'))).toBe('a b\nc');
  });

  it('leaves plain names as they are', () => {
    expect(shellWord('project-shop-development')).toBe(
      'project-shop-development',
    );
    expect(shellWord('ssh://git@host:22/a/b.git')).toBe(
      'ssh://git@host:22/a/b.git',
    );
  });

  it('keeps a comment one line, whatever the text holds', () => {
    expect(commentLine('create Secret x\nrm -rf ~\r\ncurl evil')).toBe(
      '# create Secret x rm -rf ~ curl evil',
    );
  });
});
