import { healthRouteRef } from '../routes';
import { useOptionalRouteRef } from './useOptionalRouteRef';

/**
 * The health page's URL, narrowed to an error code when given; undefined
 * in an app that shows the GitOps tab without mounting the GitOps page.
 */
export function useHealthPageLink(): ((code?: string) => string) | undefined {
  const route = useOptionalRouteRef(healthRouteRef);
  if (!route) {
    return undefined;
  }
  const base = route();
  return code => (code ? `${base}?code=${encodeURIComponent(code)}` : base);
}
