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
       * (gitops.fluxNamespace, default flux-system) is always added.
       */
      protectedNamespaces?: string[];
      /**
       * Lets templates choose namespaces (a namespacePattern or a namespace
       * per environment); protected namespaces stay refused. Default false.
       */
      allowNamespaceOverrides?: boolean;
    };
  };
}
