import { GitOpsRoute } from '@gitops-backstage/plugin-gitops-common';
import { BadRequest, bodyShapeCases, long } from './badRequestGenerators';
import { EntityFixture } from './entityFixture';
import { SeededRandom } from './seeded';

/** Routes without a body: bodies sent anyway, and queries of the wrong shape. */
export function bodilessRouteCases(
  f: EntityFixture,
  random: SeededRandom,
): BadRequest[] {
  const cases: BadRequest[] = [];
  const object = `${f.objectPath}`;
  const deploys = `${f.entityPath}/deploys`;

  const gets: Array<[GitOpsRoute, string]> = [
    ['GET /clusters', '/clusters'],
    ['GET /objects', '/objects'],
    ['GET /entities/:kind/:namespace/:name/status', `${f.entityPath}/status`],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events',
      `${object}/events`,
    ],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/inventory',
      `${object}/inventory`,
    ],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/drift',
      `${object}/drift`,
    ],
    [
      'GET /entities/:kind/:namespace/:name/environments/:environment/pending',
      `${f.entityPath}/environments/development/pending`,
    ],
    ['GET /entities/:kind/:namespace/:name/deploys', deploys],
    [
      'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)',
      `${deploys}/${f.firstDeployId}`,
    ],
    [
      'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes',
      `${deploys}/${f.firstDeployId}/changes`,
    ],
    ['GET /health', '/health'],
    ['GET /health/clusters/:cluster/reports', '/health/clusters/local/reports'],
    ['GET /health/repairs', '/health/repairs'],
  ];
  for (const [route, path] of gets) {
    cases.push(...bodyShapeCases(route, 'GET', path, 'owner', false));
  }

  // Queries of the wrong shape.
  const query = (route: GitOpsRoute, path: string, q: string, names: string) =>
    cases.push({
      route,
      what: `?${q}`,
      method: 'GET',
      path: `${path}?${q}`,
      as: 'owner',
      names,
    });
  for (const [q, names] of [
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=-3', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1e9', 'limit'],
    ['limit=', 'limit'],
    ['limit[]=1&limit[]=2', 'limit'],
    ['limit[a]=1', 'limit'],
    ['method=bogus', 'method'],
    ['method=GITOPS-UI', 'method'],
    ['method[]=manual', 'method'],
    ['environment=', 'environment'],
    [`environment=${long(64)}`, 'environment'],
    ['environment=a&environment=b', 'environment'],
    ['environment[x]=1', 'environment'],
  ] as const) {
    query('GET /entities/:kind/:namespace/:name/deploys', deploys, q, names);
  }
  for (let i = 0; i < 4; i++) {
    const key = random.unknownKey();
    query(
      'GET /entities/:kind/:namespace/:name/deploys',
      deploys,
      `${key}=1`,
      key,
    );
    query(
      'GET /health/clusters/:cluster/reports',
      '/health/clusters/local/reports',
      `${key}=1`,
      key,
    );
  }
  for (const q of [
    'since=abc',
    'since=0',
    'since=-1',
    'since=1.5',
    'since=4294967296',
    'since[]=1',
    'since=',
  ]) {
    query(
      'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes',
      `${deploys}/${f.firstDeployId}/changes`,
      q,
      'since',
    );
  }
  for (const q of [
    'limit=abc',
    'limit=0',
    'limit=51',
    'limit=-1',
    'limit=2.5',
    'limit[]=1',
    'limit=%00',
    'limit=💥',
  ]) {
    query(
      'GET /health/clusters/:cluster/reports',
      '/health/clusters/local/reports',
      encodeURI(q).replace('%25', '%'),
      'limit',
    );
  }
  return cases;
}
