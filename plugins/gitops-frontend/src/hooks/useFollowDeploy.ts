import { useEffect, useState } from 'react';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { DeployRecord } from '@gitops-backstage/plugin-gitops-common';
import { gitopsApiRef } from '../api';

const POLL_MS = 1500;

/** A deploy, re-read until Flux applied it or it failed. */
export function useFollowDeploy(
  entityRef: CompoundEntityRef,
  started: DeployRecord,
  onDone?: (deploy: DeployRecord) => void,
): DeployRecord {
  const api = useApi(gitopsApiRef);
  const [deploy, setDeploy] = useState(started);
  const finished = deploy.status === 'succeeded' || deploy.status === 'failed';

  useEffect(() => {
    if (finished) {
      onDone?.(deploy);
      return undefined;
    }
    const timer = setTimeout(async () => {
      try {
        setDeploy(await api.getDeploy(entityRef, deploy.id));
      } catch {
        // The next tick tries again.
        setDeploy({ ...deploy });
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [api, entityRef, deploy, finished, onDone]);

  return deploy;
}
