import {
  DNS1123_LABEL,
  ENV_VAR_NAME,
  IMAGE_REFERENCE,
  RESOURCE_QUANTITY,
} from './environments';

describe('input rules', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:1.27-alpine',
    'ghcr.io/fluxcd/source-controller:v1.9.4',
    `localhost:5000/team/app@sha256:${'a'.repeat(64)}`,
  ])('accepts the image %s', image => {
    expect(IMAGE_REFERENCE.test(image)).toBe(true);
  });

  it.each([
    '',
    'Nginx',
    'nginx:',
    'nginx latest',
    'a//b',
    ':tag',
    'nginx@sha256:xyz',
  ])('rejects the image %j', image => {
    expect(IMAGE_REFERENCE.test(image)).toBe(false);
  });

  it('checks names, env vars and quantities', () => {
    expect(DNS1123_LABEL.test('shop-api')).toBe(true);
    expect(DNS1123_LABEL.test('Shop_api')).toBe(false);
    expect(DNS1123_LABEL.test('a'.repeat(64))).toBe(false);
    expect(ENV_VAR_NAME.test('LOG_LEVEL')).toBe(true);
    expect(ENV_VAR_NAME.test('1LOG')).toBe(false);
    expect(
      ['250m', '1', '1.5', '512Mi', '2Gi', '1e3'].every(q =>
        RESOURCE_QUANTITY.test(q),
      ),
    ).toBe(true);
    expect(
      ['-1', '1.5.2', 'lots', '512MB'].some(q => RESOURCE_QUANTITY.test(q)),
    ).toBe(false);
  });
});
