import { GitOpsRoute } from '@gitops-backstage/plugin-gitops-common';
import {
  BadRequest,
  bodyShapeCases,
  Field,
  fieldCases,
  Json,
  long,
} from './badRequestGenerators';
import { EntityFixture } from './entityFixture';
import { SeededRandom } from './seeded';

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

/** The routes with a body: its shape, then each field of its schema. */
export function bodyRouteCases(
  f: EntityFixture,
  random: SeededRandom,
): BadRequest[] {
  const cases: BadRequest[] = [];
  const object = `${f.objectPath}`;
  const deploys = `${f.entityPath}/deploys`;

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
