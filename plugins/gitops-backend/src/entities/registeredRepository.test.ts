import { NotAllowedError } from '@backstage/errors';
import { requireRegisteredRepository } from './registeredRepository';

const shop = { repository: '127.0.0.1:3300/gitops/shop' };

describe('the repository the portal may use for an entity', () => {
  it('is the one the entity was registered from', () => {
    expect(() =>
      requireRegisteredRepository(
        'http://127.0.0.1:3300/gitops/shop.git',
        shop,
        shop,
      ),
    ).not.toThrow();
  });

  it('is refused for another repository, a URL parsers disagree on, or an entity registered from none', () => {
    const payments = { repository: '127.0.0.1:3300/gitops/payments' };
    expect(() =>
      requireRegisteredRepository(
        'http://127.0.0.1:3300/gitops/payments.git',
        payments,
        shop,
      ),
    ).toThrow(
      new NotAllowedError(
        'http://127.0.0.1:3300/gitops/payments.git is not the repository the entity was registered from (127.0.0.1:3300/gitops/shop); the portal commits and reads with its own credentials only there',
      ),
    );
    expect(() =>
      requireRegisteredRepository(
        'http://127.0.0.1:3300/gitops/x/../shop.git',
        { problem: 'has a dot segment' },
        shop,
      ),
    ).toThrow(/the URL has a dot segment/);
    expect(() =>
      requireRegisteredRepository(
        'http://127.0.0.1:3300/gitops/shop.git',
        shop,
        { problem: 'was not registered from a URL (file)' },
      ),
    ).toThrow(/the entity was not registered from a URL \(file\)/);
  });
});
