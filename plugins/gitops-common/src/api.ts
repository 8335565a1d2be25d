/**
 * A cluster the backend reads Flux objects from, without its credentials.
 * `GET /api/gitops/clusters` answers `{ items: ClusterSummary[] }`.
 *
 * @public
 */
export interface ClusterSummary {
  name: string;
  title?: string;
  url: string;
}
