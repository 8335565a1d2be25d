import { useEffect, useRef } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  GITOPS_SIGNAL_CHANNEL,
  GitOpsChangeSignal,
} from '@gitops-backstage/plugin-gitops-common';

const POLL_MS = 10_000;
// Enough for the changes of a busy page's last few minutes.
const SEEN_CHANGES_KEPT = 2_000;

/**
 * Notes a signal's changes as seen; true when it names changes and all of
 * them were seen before (the same change, heard from another replica).
 */
function heardBefore(seen: Set<string>, changes: string[] | undefined) {
  if (!changes?.length) {
    return false;
  }
  const before = changes.every(change => seen.has(change));
  for (const change of changes) {
    seen.add(change);
  }
  // Sets iterate in insertion order: the oldest go first.
  for (const oldest of seen) {
    if (seen.size <= SEEN_CHANGES_KEPT) {
      break;
    }
    seen.delete(oldest);
  }
  return before;
}

/**
 * Calls `refresh` when the backend signals a change to one of `ids` (or to
 * anything, without ids), once per change however many replicas announce
 * it; polls only where signals are unavailable.
 *
 * A signal that arrives while `loading` is remembered and answered once the
 * load ends: react-use's retry is a no-op during a load, and that load may
 * have read the state from before the change.
 */
export function useLiveStatus(
  refresh: () => void,
  ids?: string[],
  loading = false,
) {
  const { lastSignal, isSignalsAvailable } = useSignal<
    GitOpsChangeSignal & { [key: string]: any }
  >(GITOPS_SIGNAL_CHANNEL);
  const key = ids?.join(',');
  const missed = useRef(false);
  const seen = useRef(new Set<string>());

  useEffect(() => {
    if (!lastSignal || heardBefore(seen.current, lastSignal.changes)) {
      return;
    }
    if (
      !key ||
      lastSignal.kubernetesIds.some(id => key.split(',').includes(id))
    ) {
      if (loading) {
        missed.current = true;
      } else {
        refresh();
      }
    }
  }, [lastSignal]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!loading && missed.current) {
      missed.current = false;
      refresh();
    }
  }, [loading, refresh]);

  useEffect(() => {
    if (isSignalsAvailable) {
      return undefined;
    }
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, refresh]);
}
