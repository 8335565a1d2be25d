/**
 * Every route of the GitOps backend (`/api/gitops`), as its routers
 * register them. The backend's unit test keeps this list equal to what the
 * routers register, and the authorization matrix on the real stack needs a
 * row for each entry: a new route cannot miss its authorization cases.
 *
 * @public
 */
export const GITOPS_ROUTES = [
  'GET /clusters',
  'GET /objects',
  'GET /entities/:kind/:namespace/:name/status',
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/reconcile',
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/suspend',
  'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/resume',
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events',
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/inventory',
  'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/drift',
  'GET /entities/:kind/:namespace/:name/deploys',
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)',
  'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes',
  'GET /entities/:kind/:namespace/:name/environments/:environment/pending',
  'POST /entities/:kind/:namespace/:name/deploys/preview',
  'POST /entities/:kind/:namespace/:name/deploys',
  'POST /entities/:kind/:namespace/:name/deploys/manual',
  'POST /entities/:kind/:namespace/:name/deploys/:id(\\d+)/rollback',
  'POST /deploys/pipeline',
  'GET /health',
  'GET /health/clusters/:cluster/reports',
  'POST /health/run',
  'POST /health/repairs/plan',
  'POST /health/repairs',
  'GET /health/repairs',
] as const;

/**
 * One route of the GitOps backend: method and Express path.
 *
 * @public
 */
export type GitOpsRoute = (typeof GITOPS_ROUTES)[number];
