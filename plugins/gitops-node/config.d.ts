// What both the GitOps backend plugin and the scaffolder module read through
// this package (readClusterDetails, readDeployKeyHosts); their own keys are
// in their own packages' schemas.
export interface Config {
  gitops?: {
    /**
     * The GitOps plugins' own credentials per cluster of the `kubernetes`
     * block. They write Flux objects, Secrets and RoleBindings; give
     * Backstage's Kubernetes plugin (whose proxy forwards any request with
     * its credentials) a read-only token there, and this one here.
     */
    clusterCredentials?: Array<{
      /** A cluster name under kubernetes.clusterLocatorMethods. */
      name: string;
      /**
       * Service-account token the GitOps plugins use for this cluster.
       * @visibility secret
       */
      serviceAccountToken: string;
    }>;
    /** Namespace of the Flux controllers. Default flux-system. */
    fluxNamespace?: string;
    /**
     * Git hosts where Flux gets a read-only deploy key per repository and
     * environment, added through the host's Backstage integration (Gitea
     * and GitHub). The integration's own token or password is never copied
     * into a tenant namespace.
     */
    deployKeys?: Array<{
      /** Host of the Backstage integration, e.g. github.com or git.example.com:3000. */
      host: string;
      /** Where Flux clones over SSH; default ssh://git@<host name>. */
      sshUrl?: string;
      /** known_hosts lines of the SSH server, e.g. from ssh-keyscan. */
      knownHosts: string;
    }>;
  };
}
