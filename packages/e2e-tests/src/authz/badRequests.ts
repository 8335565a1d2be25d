import { GitOpsRoute } from '@gitops-backstage/plugin-gitops-common';
import { EntityFixture } from './entityFixture';
import { seededRandom } from './seeded';

/** One malformed request and what its answer must say. */
export interface BadRequest {
  route: GitOpsRoute;
  what: string;
  method: 'GET' | 'POST';
  /** Under /api/gitops. */
  path: string;
  contentType?: string;
  body?: string;
  /** The pipeline route is called with the pipeline token, all else as owner. */
  as: 'owner' | 'pipeline';
  /**
   * What a 400 must name (a field, `body` or `Content-Type`); undefined where
   * the request is refused as not found (a path that names nothing).
   */
  names?: string;
}

type Json = unknown;
const json = (value: Json) => JSON.stringify(value);

/** Values of every JSON type but the one a field takes. */
const WRONG_TYPES: Record<string, Json[]> = {
  string: [0, 42, -1.5, true, false, null, [], ['x'], {}, { a: 'b' }],
  boolean: ['true', 'false', 0, 1, null, [], {}, 'yes'],
  number: ['1', 'one', true, null, [], {}, [1]],
  object: ['x', 1, true, null, [], ['x']],
  /** An environment variable's value: null removes it, so it is valid. */
  envValue: [0, 42, true, [], ['x'], {}, { a: 'b' }],
};

/** A field of a body schema and the values it must refuse. */
interface Field {
  path: string[];
  type: keyof typeof WRONG_TYPES;
  required?: boolean;
  /** Values of the right type the schema refuses. */
  invalid: Json[];
}

/** Sets `value` at `path` in a copy of `body`; undefined deletes. */
function withValue(body: any, path: string[], value: Json): any {
  const copy = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key];
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

const long = (n: number) => 'a'.repeat(n);

/** Bad JSON, other content types and oversize bodies: for every route. */
function bodyShapeCases(
  route: GitOpsRoute,
  method: 'GET' | 'POST',
  path: string,
  as: BadRequest['as'],
  hasSchema: boolean,
): BadRequest[] {
  const base = { route, method, path, as };
  const broken = [
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'nul',
    'undefined',
    '"x"',
    '1',
    'null',
    '\u0000{}',
    '{"a":1}}',
    '[1,',
  ];
  const cases: BadRequest[] = broken.map(text => ({
    ...base,
    what: `the body ${JSON.stringify(text)} is not JSON`,
    contentType: 'application/json',
    body: text,
    names: 'body',
  }));
  for (const contentType of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/yaml',
  ]) {
    cases.push({
      ...base,
      what: `a body of type ${contentType}`,
      contentType,
      body: contentType.startsWith('application/x-www') ? 'a=1' : '{"a":1}',
      names: 'Content-Type',
    });
  }
  cases.push({
    ...base,
    what: 'a body of 70 KiB',
    contentType: 'application/json',
    body: json({ reason: long(70 * 1024) }),
    names: 'body',
  });
  if (hasSchema) {
    for (const value of [[], [{}], 'x', 7]) {
      // JSON that parses (arrays) or strings in a JSON content type.
      if (typeof value !== 'object') continue;
      cases.push({
        ...base,
        what: `the body ${json(value)} is no object`,
        contentType: 'application/json',
        body: json(value),
        names: 'body',
      });
    }
  }
  return cases;
}

/** Each field missing, of a wrong type, or of a value the schema refuses. */
function fieldCases(
  route: GitOpsRoute,
  path: string,
  as: BadRequest['as'],
  valid: Json,
  fields: Field[],
  random: ReturnType<typeof seededRandom>,
): BadRequest[] {
  const cases: BadRequest[] = [];
  const post = (what: string, body: Json, names: string) =>
    cases.push({
      route,
      what,
      method: 'POST',
      path,
      contentType: 'application/json',
      body: json(body),
      as,
      names,
    });
  for (const field of fields) {
    const name = field.path.join('.');
    if (field.required) {
      post(`${name} missing`, withValue(valid, field.path, undefined), name);
    }
    for (const value of WRONG_TYPES[field.type]) {
      post(
        `${name} = ${json(value)}`,
        withValue(valid, field.path, value),
        name,
      );
    }
    for (const value of field.invalid) {
      post(
        `${name} = ${json(value).slice(0, 60)}`,
        withValue(valid, field.path, value),
        name,
      );
    }
  }
  for (let i = 0; i < 3; i++) {
    const key = random.unknownKey();
    post(
      `an unknown field ${key}`,
      withValue(valid, [key], random.oddString(5)),
      key,
    );
  }
  return cases;
}

const BAD_IMAGES = [
  '',
  'NGINX:1.27',
  'nginx:',
  'nginx:1.27 ',
  '../etc/passwd',
  'nginx@sha256:xyz',
  ':latest',
  'a'.repeat(513),
  'nginx\u0000:1',
  'nginx:💥',
  'http://registry/x:1',
  '-nginx:1',
];
const BAD_QUANTITIES = [
  '',
  'lots',
  '1.2.3',
  '-1',
  '1Zi',
  '💥',
  '1 Gi',
  'Infinity',
];
const BAD_ENV_NAMES = ['1ABC', 'A B', 'A=B', 'ÄÖ', 'A\u0000B', '$PATH', 'a/b'];

/** Every malformed request of the generator, for the fixture's entity. */
export function badRequests(f: EntityFixture, seed = 13): BadRequest[] {
  const random = seededRandom(seed);
  const cases: BadRequest[] = [];
  const object = `${f.objectPath}`;
  const deploys = `${f.entityPath}/deploys`;

  // ---- routes without a body: only bad bodies, paths and queries ----
  const gets: Array<[GitOpsRoute, string]> = [
    ['GET /clusters', '/clusters'],
    ['GET /objects', '/objects'],
    ['GET /entities/:kind/:namespace/:name/status', `${f.entityPath}/status`],
    [
      'GET /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/events',
      `${object}/events`,
    ],
    ['GET /entities/:kind/:namespace/:name/deploys', deploys],
    [
      'GET /entities/:kind/:namespace/:name/deploys/:id(\\d+)',
      `${deploys}/${f.firstDeployId}`,
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

  // Paths that name nothing: traversal, invalid names, unicode, huge.
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

  // ---- routes with a body ----
  const posts: Array<[GitOpsRoute, string, BadRequest['as'], Json, Field[]]> = [
    [
      'POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/reconcile',
      `${object}/reconcile`,
      'owner',
      { withSource: true },
      [{ path: ['withSource'], type: 'boolean', invalid: [] }],
    ],
    ...(['suspend', 'resume'] as const).map(
      verb =>
        [
          `POST /entities/:kind/:namespace/:name/objects/:cluster/:objectKind/:objectNamespace/:objectName/${verb}` as GitOpsRoute,
          `${object}/${verb}`,
          'owner',
          { reason: 'bad input' },
          [
            {
              path: ['reason'],
              type: 'string',
              invalid: [long(501), long(5000)],
            },
          ],
        ] as [GitOpsRoute, string, BadRequest['as'], Json, Field[]],
    ),
  ];
  const changes: Field[] = [
    {
      path: ['environment'],
      type: 'string',
      required: true,
      invalid: ['', long(64)],
    },
    { path: ['deployment'], type: 'string', invalid: ['', long(254)] },
    {
      path: ['changes'],
      type: 'object',
      required: true,
      invalid: [{}, { image: undefined }],
    },
    { path: ['changes', 'image'], type: 'string', invalid: BAD_IMAGES },
    {
      path: ['changes', 'replicas'],
      type: 'number',
      invalid: [-1, 101, 1.5, 1e9, -0.5],
    },
    {
      path: ['changes', 'env'],
      type: 'object',
      invalid: [
        Object.fromEntries(
          Array.from({ length: 101 }, (_, i) => [`V${i}`, 'x']),
        ),
      ],
    },
    ...BAD_ENV_NAMES.map(name => ({
      path: ['changes', 'env', name],
      type: 'envValue' as const,
      invalid: ['x'] as Json[],
    })),
    {
      path: ['changes', 'env', 'GOOD'],
      type: 'envValue',
      invalid: [long(32_769)],
    },
    { path: ['changes', 'resources'], type: 'object', invalid: [] },
    {
      path: ['changes', 'resources', 'requests', 'cpu'],
      type: 'string',
      invalid: BAD_QUANTITIES,
    },
    {
      path: ['changes', 'resources', 'limits', 'memory'],
      type: 'string',
      invalid: [...BAD_QUANTITIES, long(33)],
    },
  ];
  posts.push(
    [
      'POST /entities/:kind/:namespace/:name/deploys/preview',
      `${deploys}/preview`,
      'owner',
      { environment: 'development', changes: { replicas: 2 } },
      changes,
    ],
    [
      'POST /entities/:kind/:namespace/:name/deploys',
      deploys,
      'owner',
      {
        environment: 'development',
        changes: { replicas: 2 },
        message: 'bad input',
      },
      [
        ...changes,
        {
          path: ['message'],
          type: 'string',
          required: true,
          invalid: ['', '   ', '\n\t', long(5001)],
        },
        {
          path: ['expectedOverlayDigest'],
          type: 'string',
          invalid: [long(65)],
        },
      ],
    ],
    [
      'POST /entities/:kind/:namespace/:name/deploys/manual',
      `${deploys}/manual`,
      'owner',
      { environment: 'development', image: 'nginx:1.28', reason: 'bad input' },
      [
        {
          path: ['environment'],
          type: 'string',
          required: true,
          invalid: ['', long(64)],
        },
        { path: ['deployment'], type: 'string', invalid: ['', long(254)] },
        {
          path: ['image'],
          type: 'string',
          required: true,
          invalid: BAD_IMAGES,
        },
        { path: ['container'], type: 'string', invalid: [long(254)] },
        { path: ['reason'], type: 'string', invalid: [long(1001)] },
      ],
    ],
    [
      'POST /entities/:kind/:namespace/:name/deploys/:id(\\d+)/rollback',
      `${deploys}/${f.firstDeployId}/rollback`,
      'owner',
      { dryRun: true },
      [
        { path: ['dryRun'], type: 'boolean', invalid: [] },
        { path: ['message'], type: 'string', invalid: [long(5001)] },
      ],
    ],
    [
      'POST /deploys/pipeline',
      '/deploys/pipeline',
      'pipeline',
      {
        entityRef: `component:default/${f.id}`,
        environment: 'development',
        revision: f.firstSha,
      },
      [
        {
          path: ['entityRef'],
          type: 'string',
          required: true,
          invalid: ['', long(513)],
        },
        {
          path: ['environment'],
          type: 'string',
          required: true,
          invalid: ['', long(64)],
        },
        {
          path: ['revision'],
          type: 'string',
          required: true,
          invalid: [
            '',
            'main',
            f.firstSha.slice(0, 7),
            f.firstSha.toUpperCase(),
            `${f.firstSha}0`,
            'g'.repeat(40),
            `${f.firstSha.slice(0, 39)}\u0000`,
          ],
        },
        {
          path: ['pipelineUrl'],
          type: 'string',
          invalid: [
            'not a url',
            'ci.example.com/run/1',
            `https://ci.example.com/${long(1024)}`,
            '',
          ],
        },
        { path: ['pipeline'], type: 'string', invalid: ['', long(201)] },
      ],
    ],
    [
      'POST /health/run',
      '/health/run',
      'owner',
      { cluster: 'local' },
      [{ path: ['cluster'], type: 'string', invalid: [''] }],
    ],
  );
  const repairFields: Field[] = [
    { path: ['cluster'], type: 'string', required: true, invalid: [''] },
    {
      path: ['type'],
      type: 'string',
      required: true,
      invalid: ['', 'bogus', 'RESYNC', 'resync ', 'delete-everything'],
    },
    { path: ['target'], type: 'object', invalid: [{}] },
    { path: ['target', 'kind'], type: 'string', required: true, invalid: [''] },
    { path: ['target', 'name'], type: 'string', required: true, invalid: [''] },
    { path: ['target', 'namespace'], type: 'string', invalid: [] },
  ];
  const repairTarget = {
    cluster: 'local',
    type: 'resync',
    target: {
      kind: 'Kustomization',
      namespace: f.namespace,
      name: 'development',
    },
  };
  posts.push(
    [
      'POST /health/repairs/plan',
      '/health/repairs/plan',
      'owner',
      repairTarget,
      repairFields,
    ],
    [
      'POST /health/repairs',
      '/health/repairs',
      'owner',
      { ...repairTarget, planDigest: 'a'.repeat(64) },
      [
        ...repairFields,
        {
          path: ['planDigest'],
          type: 'string',
          required: true,
          invalid: [
            '',
            'a'.repeat(63),
            'A'.repeat(64),
            'g'.repeat(64),
            `${'a'.repeat(64)}\n`,
            long(65),
          ],
        },
      ],
    ],
  );
  for (const [route, path, as, valid, fields] of posts) {
    cases.push(...bodyShapeCases(route, 'POST', path, as, true));
    cases.push(...fieldCases(route, path, as, valid, fields, random));
  }
  return cases;
}
