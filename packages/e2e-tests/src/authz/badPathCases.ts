import { GitOpsRoute } from '@gitops-backstage/plugin-gitops-common';
import { BadRequest, Json, json, long } from './badRequestGenerators';
import { EntityFixture } from './entityFixture';
import { SeededRandom } from './seeded';

/** Paths that name nothing: traversal, invalid names, unicode, huge. */
export function badPathCases(
  f: EntityFixture,
  random: SeededRandom,
): BadRequest[] {
  const cases: BadRequest[] = [];
  const deploys = `${f.entityPath}/deploys`;

  const badSegments = [
    '..',
    '%2e%2e',
    '..%2f..%2fetc',
    '%00',
    'a%20b',
    encodeURIComponent('💥'),
    long(300),
    'UPPER_case!',
    '%252e%252e',
    encodeURIComponent(random.oddString(6)),
  ];
  const entityRoutes: Array<
    [GitOpsRoute, 'GET' | 'POST', (e: string, o: string) => string, Json]
  > = [
    [
      'GET /entities/:kind/:namespace/:name/status',
      'GET',
      e => `${e}/status`,
      undefined,
    ],
    [
      'GET /entities/:kind/:namespace/:name/deploys',
      'GET',
      e => `${e}/deploys`,
      undefined,
    ],
    [
      'GET /entities/:kind/:namespace/:name/environments/:environment/pending',
      'GET',
      e => `${e}/environments/development/pending`,
      undefined,
    ],
    [
      'POST /entities/:kind/:namespace/:name/deploys/preview',
      'POST',
      e => `${e}/deploys/preview`,
      { environment: 'development', changes: { replicas: 2 } },
    ],
    [
      'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/reconcile',
      'POST',
      (_e, o) => `${o}/reconcile`,
      {},
    ],
    [
      'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/suspend',
      'POST',
      (_e, o) => `${o}/suspend`,
      {},
    ],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events',
      'GET',
      (_e, o) => `${o}/events`,
      undefined,
    ],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/inventory',
      'GET',
      (_e, o) => `${o}/inventory`,
      undefined,
    ],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/drift',
      'GET',
      (_e, o) => `${o}/drift`,
      undefined,
    ],
  ];
  for (const segment of badSegments) {
    const [route, method, pathOf, body] = random.pick(entityRoutes);
    const variants: Array<[string, string, string]> = [
      [
        'entity name',
        `/api/gitops/entities/component/default/${segment}`,
        `/api/gitops/entities/component/default/${segment}/objects/local/Kustomization/${f.namespace}/development`,
      ],
      [
        'entity kind',
        `/api/gitops/entities/${segment}/default/${f.id}`,
        `/api/gitops/entities/${segment}/default/${f.id}/objects/local/Kustomization/${f.namespace}/development`,
      ],
      [
        'entity namespace',
        `/api/gitops/entities/component/${segment}/${f.id}`,
        `/api/gitops/entities/component/${segment}/${f.id}/objects/local/Kustomization/${f.namespace}/development`,
      ],
      [
        'cluster',
        f.entityPath,
        `${f.entityPath}/objects/${segment}/Kustomization/${f.namespace}/development`,
      ],
      [
        'object kind',
        f.entityPath,
        `${f.entityPath}/objects/local/${segment}/${f.namespace}/development`,
      ],
      [
        'object namespace',
        f.entityPath,
        `${f.entityPath}/objects/local/Kustomization/${segment}/development`,
      ],
      [
        'object name',
        f.entityPath,
        `${f.entityPath}/objects/local/Kustomization/${f.namespace}/${segment}`,
      ],
    ];
    // A route without an object in its path only takes the entity parts.
    const relevant = pathOf('', 'OBJECT').includes('OBJECT')
      ? variants
      : variants.slice(0, 3);
    for (const [part, entity, objectPath] of relevant) {
      const path = pathOf(entity, objectPath).replace('/api/gitops', '');
      cases.push({
        route,
        what: `the ${part} ${segment.slice(0, 40)}`,
        method,
        path,
        as: 'owner',
        ...(body !== undefined
          ? { contentType: 'application/json', body: json(body) }
          : {}),
      });
    }
  }
  // An environment the entity does not have: 400 naming it.
  for (const segment of badSegments.slice(0, 4)) {
    cases.push({
      route:
        'GET /entities/:kind/:namespace/:name/environments/:environment/pending',
      what: `the environment ${segment.slice(0, 40)}`,
      method: 'GET',
      path: `${f.entityPath.replace(
        '/api/gitops',
        '',
      )}/environments/${segment}/pending`,
      as: 'owner',
    });
  }
  for (const id of [
    '0',
    '99999999999999999999',
    '9007199254740993',
    '4294967296',
  ]) {
    cases.push({
      route: 'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)',
      what: `deploy id ${id}`,
      method: 'GET',
      path: `${deploys}/${id}`,
      as: 'owner',
    });
    cases.push({
      route: 'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)/changes',
      what: `changes of deploy id ${id}`,
      method: 'GET',
      path: `${deploys}/${id}/changes`,
      as: 'owner',
    });
    cases.push({
      route: 'POST /entities/:kind/:namespace/:name/deploys/:id(\\d+)/rollback',
      what: `rollback of deploy id ${id}`,
      method: 'POST',
      path: `${deploys}/${id}/rollback`,
      contentType: 'application/json',
      body: json({ dryRun: true }),
      as: 'owner',
    });
  }
  for (const cluster of [
    'nope',
    '..',
    '%00',
    long(300),
    encodeURIComponent('💥'),
  ]) {
    cases.push({
      route: 'GET /health/clusters/:cluster/reports',
      what: `reports of cluster ${cluster.slice(0, 20)}`,
      method: 'GET',
      path: `/health/clusters/${cluster}/reports`,
      as: 'owner',
    });
  }
  return cases;
}
