import { usePermission } from '@backstage/plugin-permission-react';
import {
  gitopsDeployPermission,
  gitopsReconcilePermission,
  gitopsSuspendPermission,
} from '@gitops-backstage/plugin-gitops-common';

/** Which GitOps actions the signed-in user may take on an entity. */
export interface ActionPermissions {
  reconcile: boolean;
  suspend: boolean;
  deploy: boolean;
  /** True until the permission backend has answered. */
  loading: boolean;
}

/**
 * Asks the permission backend (with the entity as resource, so the app's
 * owner conditions apply) which action buttons to offer; none while it
 * answers. The backend checks again on every action.
 */
export function useActionPermissions(entityRef: string): ActionPermissions {
  const reconcile = usePermission({
    permission: gitopsReconcilePermission,
    resourceRef: entityRef,
  });
  const suspend = usePermission({
    permission: gitopsSuspendPermission,
    resourceRef: entityRef,
  });
  const deploy = usePermission({
    permission: gitopsDeployPermission,
    resourceRef: entityRef,
  });
  return {
    reconcile: reconcile.allowed,
    suspend: suspend.allowed,
    deploy: deploy.allowed,
    loading: reconcile.loading || suspend.loading || deploy.loading,
  };
}
