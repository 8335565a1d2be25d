import { useEffect } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  GITOPS_SIGNAL_CHANNEL,
  GitOpsChangeSignal,
} from '@gitops-backstage/plugin-gitops-common';

const POLL_MS = 10_000;

/**
 * Calls `refresh` when the backend signals a change to one of `ids` (or to
 * anything, without ids); polls only where signals are unavailable.
 */
export function useLiveStatus(refresh: () => void, ids?: string[]) {
  const { lastSignal, isSignalsAvailable } = useSignal<
    GitOpsChangeSignal & { [key: string]: any }
  >(GITOPS_SIGNAL_CHANNEL);
  const key = ids?.join(',');

  useEffect(() => {
    if (!lastSignal) {
      return;
    }
    if (
      !key ||
      lastSignal.kubernetesIds.some(id => key.split(',').includes(id))
    ) {
      refresh();
    }
  }, [lastSignal]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (isSignalsAvailable) {
      return undefined;
    }
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, refresh]);
}
