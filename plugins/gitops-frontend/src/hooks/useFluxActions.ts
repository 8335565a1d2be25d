import { useState } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../api';

/** An action the user asked for and has yet to confirm. */
export type PendingAction =
  | { type: 'reconcile'; object: FluxObjectStatus }
  | { type: 'suspend'; object: FluxObjectStatus }
  | { type: 'resume'; object: FluxObjectStatus };

/**
 * Sync, suspend and resume of an entity's Flux objects: what is awaiting
 * confirmation, and running it with the outcome posted as an alert.
 */
export function useFluxActions(
  entityRef: CompoundEntityRef,
  onDone: () => void,
) {
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);

  const confirm = async (options: { withSource: boolean; reason: string }) => {
    if (!pending) {
      return;
    }
    setBusy(true);
    const { object } = pending;
    try {
      let result;
      if (pending.type === 'reconcile') {
        result = await api.reconcile(entityRef, object, {
          withSource: options.withSource,
        });
      } else if (pending.type === 'suspend') {
        result = await api.suspend(entityRef, object, options.reason);
      } else {
        result = await api.resume(entityRef, object);
      }
      const what = `${object.kind} ${object.name}`;
      if (!result.handled) {
        alertApi.post({
          message: `${what}: Flux has not handled the request yet; it will when the controller is back`,
          severity: 'warning',
        });
      } else if (result.status.state === 'Failed') {
        alertApi.post({
          message: `${what} failed: ${result.status.reason}: ${result.status.message}`,
          severity: 'error',
        });
      } else {
        alertApi.post({
          message: `${what}: ${result.status.state} at ${
            result.status.shortRevision ?? 'its revision'
          }`,
          severity: 'success',
          display: 'transient',
        });
      }
      setPending(undefined);
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    } finally {
      setBusy(false);
      onDone();
    }
  };

  return {
    pending,
    busy,
    request: setPending,
    cancel: () => setPending(undefined),
    confirm,
  };
}
