import { Entity } from '@backstage/catalog-model';
import { registeredRepository, repositoryOfUrl } from './registeredRepository';

const entity = (origin?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    annotations: origin
      ? { 'backstage.io/managed-by-origin-location': origin }
      : {},
  },
});

describe('the repository an entity was registered from', () => {
  it('reads it from the catalog origin location (Gitea and GitHub file URLs)', () => {
    expect(
      registeredRepository(
        entity(
          'url:http://127.0.0.1:3300/gitops/shop/src/branch/main/catalog-info.yaml',
        ),
      ),
    ).toBe('127.0.0.1:3300/gitops/shop');
    expect(
      registeredRepository(
        entity('url:https://github.com/acme/shop/blob/main/catalog-info.yaml'),
      ),
    ).toBe('github.com/acme/shop');
  });

  it('has none for an entity from a file, a bare host or no location', () => {
    expect(registeredRepository(entity('file:/tmp/catalog-info.yaml'))).toBe(
      undefined,
    );
    expect(registeredRepository(entity('url:https://git.example.com/'))).toBe(
      undefined,
    );
    expect(registeredRepository(entity())).toBeUndefined();
  });

  it('names a clone URL the same way', () => {
    expect(repositoryOfUrl('http://127.0.0.1:3300/gitops/shop.git')).toBe(
      '127.0.0.1:3300/gitops/shop',
    );
    expect(repositoryOfUrl('http://127.0.0.1:3300/gitops/payments.git')).not.toBe(
      '127.0.0.1:3300/gitops/shop',
    );
    expect(repositoryOfUrl('not a url')).toBeUndefined();
  });
});
