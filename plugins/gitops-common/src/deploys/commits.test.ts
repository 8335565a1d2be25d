import { commitWebUrl, revisionSha } from './commits';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('commits', () => {
  it('reads the sha of a Flux revision or a bare sha, nothing else', () => {
    expect(revisionSha(`main@sha1:${SHA}`)).toBe(SHA);
    expect(revisionSha(SHA)).toBe(SHA);
    expect(revisionSha('6.2.0')).toBeUndefined();
    expect(revisionSha(undefined)).toBeUndefined();
  });

  it('links a commit on http(s) hosts, GitLab with its /-/ path', () => {
    expect(commitWebUrl('https://git.example.com/acme/shop.git', SHA)).toBe(
      `https://git.example.com/acme/shop/commit/${SHA}`,
    );
    expect(commitWebUrl('https://gitlab.example.com/acme/shop/', SHA)).toBe(
      `https://gitlab.example.com/acme/shop/-/commit/${SHA}`,
    );
    expect(commitWebUrl('ssh://git@git.example.com/acme/shop.git', SHA)).toBe(
      undefined,
    );
    const script = ['javascript', 'alert(1)//'].join(':');
    expect(commitWebUrl(script, SHA)).toBeUndefined();
    expect(commitWebUrl(undefined, SHA)).toBeUndefined();
  });
});
