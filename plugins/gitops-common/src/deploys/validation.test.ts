import {
  envNameError,
  imageReferenceError,
  parseQuantity,
  quantityError,
  replicasError,
} from './validation';

describe('deploy input validation', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:1.27-alpine',
    'ghcr.io/org/app:v1.2.3',
    'localhost:5000/app',
    `registry.example.com/team/app@sha256:${'a'.repeat(64)}`,
  ])('accepts the image %s', image => {
    expect(imageReferenceError(image)).toBeUndefined();
  });

  it.each(['', 'Nginx:1', 'nginx:', 'nginx:1 2', 'app@sha256:abc', '-x/y'])(
    'rejects the image %j',
    image => {
      expect(imageReferenceError(image)).toBeDefined();
    },
  );

  it('bounds replicas', () => {
    expect(replicasError(0)).toBeUndefined();
    expect(replicasError(3)).toBeUndefined();
    expect(replicasError(-1)).toMatch(/between 0 and 100/);
    expect(replicasError(100000)).toMatch(/between 0 and 100/);
    expect(replicasError(1.5)).toMatch(/whole number/);
  });

  it('checks environment variable names', () => {
    expect(envNameError('LOG_LEVEL')).toBeUndefined();
    expect(envNameError('my.var-1')).toBeUndefined();
    expect(envNameError('1ABC')).toMatch(/not a valid/);
    expect(envNameError('A B')).toMatch(/not a valid/);
    expect(envNameError('')).toBeDefined();
  });

  it('parses quantities like Kubernetes', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(quantityError('100MB')).toMatch(/not a Kubernetes quantity/);
    expect(quantityError('-1')).toMatch(/negative/);
    expect(quantityError('1Gi')).toBeUndefined();
  });
});
