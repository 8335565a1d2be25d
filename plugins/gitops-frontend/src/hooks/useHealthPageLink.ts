import { useRouteRef } from '@backstage/core-plugin-api';
import { healthRouteRef } from '../routes';

/**
 * The health page's URL, narrowed to an error code when given; undefined
 * in an app that shows the GitOps tab without mounting the GitOps page.
 */
export function useHealthPageLink(): ((code?: string) => string) | undefined {
  let route: (() => string) | undefined;
  try {
    // useRouteRef runs its own hooks before it throws for a missing route,
    // so the hook order stays the same either way.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    route = useRouteRef(healthRouteRef);
  } catch {
    route = undefined;
  }
  if (!route) {
    return undefined;
  }
  const base = route();
  return code => (code ? `${base}?code=${encodeURIComponent(code)}` : base);
}
