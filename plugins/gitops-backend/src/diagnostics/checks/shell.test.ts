import { execFileSync } from 'node:child_process';
import { commentLine, kubernetesName, shellQuote } from './shell';

const echo = (word: string) =>
  execFileSync('sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

describe('fix lines a person may paste into a shell', () => {
  const hostile = `https://host/x.git$(echo pwned)';echo "pwned"`;

  it('quotes tenant text as one word, so a copied command runs nothing it carries', () => {
    expect(echo(shellQuote(hostile))).toBe(hostile);
    expect(echo(shellQuote('a b\nc'))).toBe('a b\nc');
  });

  it('takes a name from a spec as an argument only when Kubernetes would accept it', () => {
    expect(kubernetesName('project-shop-development')).toBe(
      'project-shop-development',
    );
    expect(kubernetesName('--server=https://elsewhere')).toBeUndefined();
    expect(kubernetesName('ghost;touch /tmp/pwned')).toBeUndefined();
    expect(kubernetesName(undefined)).toBeUndefined();
  });

  it('keeps a comment one line, whatever the text holds', () => {
    expect(commentLine('create Secret x\nrm -rf ~\r\ncurl evil')).toBe(
      '# create Secret x rm -rf ~ curl evil',
    );
    expect(commentLine('a\u001b[2Kb\u0085c')).toBe('# a [2Kb c');
  });
});
