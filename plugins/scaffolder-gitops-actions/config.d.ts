export interface Config {
  gitops?: {
    /** Where project initialization (gitops:flux:create) may put a project. */
    projects?: {
      /**
       * Namespace of each environment; `{id}` and `{env}` are replaced.
       * Default `project-{id}-{env}`.
       */
      namespacePattern?: string;
      /**
       * Namespaces no project may use, `*` matching any characters. Default
       * `kube-*`, `flux-system`, `default`, `backstage`; the Flux namespace
       * (gitops.fluxNamespace) is always added.
       */
      protectedNamespaces?: string[];
      /**
       * Lets templates choose namespaces (a namespacePattern or a namespace
       * per environment); protected namespaces stay refused. Default false.
       */
      allowNamespaceOverrides?: boolean;
    };
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
