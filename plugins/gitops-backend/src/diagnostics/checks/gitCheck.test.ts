import { withoutUserinfo } from './gitCheck';

describe('what the Git check shows of a GitRepository URL', () => {
  it('drops a password written into the URL', () => {
    expect(withoutUserinfo('https://bot:s3cret@git.example.com/a/b.git')).toBe(
      'https://git.example.com/a/b.git',
    );
    expect(withoutUserinfo('not a url://bot:s3cret@host/x')).not.toContain(
      's3cret',
    );
  });
});
