import { GitOpsRoute } from '@gitops-backstage/plugin-gitops-common';
import { SeededRandom } from './seeded';

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

export type Json = unknown;
export const json = (value: Json) => JSON.stringify(value);

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
export interface Field {
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

export const long = (n: number) => 'a'.repeat(n);

/** Bad JSON, other content types and oversize bodies: for every route. */
export function bodyShapeCases(
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
export function fieldCases(
  route: GitOpsRoute,
  path: string,
  as: BadRequest['as'],
  valid: Json,
  fields: Field[],
  random: SeededRandom,
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
