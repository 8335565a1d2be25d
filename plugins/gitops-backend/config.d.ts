export interface Config {
  /** GitOps backend plugin. Clusters come from the `kubernetes` block. */
  gitops?: {
    /**
     * Users and groups the portal's permission policy lets apply repairs
     * (gitops.health.repair). Empty: nobody.
     */
    repairers?: string[];
    /**
     * Users and groups the portal's permission policy lets run a health
     * check (gitops.health.run), besides the repairers. Empty: repairers only.
     */
    healthCheckers?: string[];
    /**
     * Service principals that may report pipeline deploys
     * (POST /api/gitops/deploys/pipeline), and for what. Service principals
     * skip the permission policy: any other service principal is refused.
     */
    pipelines?: Array<{
      /**
       * The principal's subject: the `subject` of a
       * `backend.auth.externalAccess` static token.
       */
      subject: string;
      /** Entity refs the pipeline may report for (kind defaults to component). */
      entities?: string[];
      /** Owner refs (kind defaults to group) whose entities it may report for. */
      owners?: string[];
    }>;
    deploys?: {
      /** Committer of portal deploys; the author is the user. */
      committer?: { name?: string; email?: string };
      /** A deploy Flux has not applied within this time failed. Default 10. */
      timeoutMinutes?: number;
    };
    health?: {
      /**
       * Whether the Flux check warns (FLUX_LOCKDOWN_OFF) about controllers
       * running without Flux's multi-tenancy lockdown flags
       * (--default-service-account, --no-cross-namespace-refs,
       * --no-remote-bases). Default true; turn off where one team owns
       * the cluster.
       */
      fluxLockdown?: boolean;
      /**
       * When the health checks of every cluster run (scheduler format,
       * e.g. `{ frequency: { minutes: 30 }, timeout: { minutes: 5 } }`).
       * Default every 30 minutes.
       */
      schedule?: {
        frequency: { minutes?: number; hours?: number } | string;
        timeout: { minutes?: number; seconds?: number } | string;
        initialDelay?: { minutes?: number; seconds?: number } | string;
      };
      /**
       * Repairs the scheduled run may apply without a person: any of
       * restart-controller, refresh-git-credentials, remove-zombies, resync.
       * Empty (the default): nothing runs unattended.
       */
      autoRepair?: string[];
      staleSync?: {
        /** A Ready Kustomization is stale past this many intervals. Default 2. */
        intervalMultiple?: number;
        /** ...and never before this Go duration. Default 10m. */
        minimum?: string;
      };
      gitProbe?: {
        /**
         * Hosts (`host` or `host:port`) the Git probe may send a
         * GitRepository Secret's credentials to, besides those of the
         * configured integrations. URLs on other hosts are not probed.
         */
        allowedHosts?: string[];
      };
    };
  };
}
