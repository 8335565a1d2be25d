export interface Config {
  permission?: {
    /**
     * Users and groups the portal's permission policy gives the admin rules:
     * the Kubernetes proxy, deleting catalog locations and any entity,
     * catalog ingestion, template editing and dry runs, and every user's
     * scaffolder tasks. Empty: nobody.
     */
    admins?: string[];
  };
}
