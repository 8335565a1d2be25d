import { ANNOTATION_ORIGIN_LOCATION, Entity } from '@backstage/catalog-model';
import { DeployKeyHost } from './deployKeys';

/**
 * A repository on a Git host as `host/owner/name` (the host with its port,
 * lower case), or why a URL does not name one.
 *
 * Every check of "is this the entity's repository" in the plugins goes
 * through these functions: a URL that two parsers could read as two
 * repositories is refused, never normalised.
 *
 * @public
 */
export type RepositoryOfUrl =
  | { repository: string; problem?: undefined }
  | { repository?: undefined; problem: string };

/** An owner's or a repository's name on Gitea and GitHub. */
const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Segments that end the repository part of a location URL and start the
 * file's: Gitea `/src/branch/main/...` (also `/src/commit/...`, `/raw/...`),
 * GitHub `/blob/main/...` and `/tree/main/...`.
 */
const LOCATION_MARKERS = new Set(['src', 'blob', 'tree', 'raw']);

const problem = (text: string): RepositoryOfUrl => ({ problem: text });

/** Whether the text has whitespace, a control character, or one of `extra`. */
function hasForbiddenCharacter(text: string, extra = ''): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (
      code < 0x20 ||
      code === 0x7f ||
      /\s/.test(char) ||
      extra.includes(char)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The problems of a raw path that parsers disagree on, or undefined. Git
 * hosts, URL readers and `new URL()` treat dot segments, percent-encoding,
 * backslashes and empty segments differently, so two of them could name two
 * repositories from one string: such a URL is refused, not normalised.
 */
function rawPathProblem(path: string): string | undefined {
  if (path.includes('%')) {
    return 'has percent-encoding';
  }
  if (path.includes('\\')) {
    return 'has a backslash';
  }
  const segments = path.split('/');
  if (segments.some(s => s === '.' || s === '..')) {
    return 'has a dot segment';
  }
  if (segments.some(s => s === '')) {
    return 'has an empty path segment';
  }
  return undefined;
}

/** Host and path segments of a strict http(s) URL. */
function strictHttpUrl(
  raw: string,
): { host: string; segments: string[] } | { problem: string } {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) {
    return { problem: 'is not a URL' };
  }
  if (hasForbiddenCharacter(raw)) {
    return { problem: 'has whitespace or control characters' };
  }
  if (raw.includes('\\')) {
    return { problem: 'has a backslash' };
  }
  if (raw.includes('?')) {
    return { problem: 'has a query' };
  }
  if (raw.includes('#')) {
    return { problem: 'has a fragment' };
  }
  const match = /^https?:\/\/([^/]*)(.*)$/.exec(raw);
  if (!match) {
    return { problem: 'is not an http(s) URL' };
  }
  const [, authority, path] = match;
  if (authority.includes('@')) {
    return { problem: 'has user information' };
  }
  if (!authority) {
    return { problem: 'has no host' };
  }
  if (!path || path === '/') {
    return { problem: 'names no repository' };
  }
  const pathProblem = rawPathProblem(path.slice(1));
  if (pathProblem) {
    return { problem: pathProblem };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a URL' };
  }
  // Whatever the URL parser would rewrite (an encoded character, a host in
  // another notation, a default port) is not taken as written.
  if (url.pathname !== path || url.host !== authority.toLowerCase()) {
    return { problem: 'is not written in canonical form' };
  }
  return { host: url.host, segments: path.slice(1).split('/') };
}

/** `host/owner/name` of owner and name segments, `.git` stripped. */
function repositoryOf(
  host: string,
  owner: string,
  name: string,
): RepositoryOfUrl {
  const bare = name.replace(/\.git$/, '');
  if (!NAME.test(owner) || !NAME.test(bare)) {
    return problem('does not name a repository as <owner>/<name>');
  }
  return { repository: `${host}/${owner}/${bare}` };
}

/**
 * A repository on this machine's disk, `file:///absolute/path`: what the
 * plugins' own tests clone from. No URL reader of the catalog reads such a
 * location, so in the portal no entity is ever registered from one.
 */
function repositoryOfFileUrl(raw: string): RepositoryOfUrl {
  const path = raw.slice('file://'.length);
  if (hasForbiddenCharacter(path, '?#')) {
    return problem('has characters that are not part of a repository path');
  }
  const pathProblem = rawPathProblem(path.slice(1));
  return pathProblem
    ? problem(pathProblem)
    : { repository: `file:${path.replace(/\.git$/, '')}` };
}

/**
 * The repository of a clone URL: exactly `http(s)://host/owner/name` with
 * an optional `.git`, nothing else in it (or a `file:///` repository).
 *
 * @public
 */
export function repositoryOfCloneUrl(raw: string): RepositoryOfUrl {
  if (typeof raw === 'string' && raw.startsWith('file:///')) {
    return repositoryOfFileUrl(raw);
  }
  const parsed = strictHttpUrl(raw);
  if ('problem' in parsed) {
    return problem(parsed.problem);
  }
  if (parsed.segments.length !== 2) {
    return problem('does not name a repository as <owner>/<name>');
  }
  return repositoryOf(parsed.host, parsed.segments[0], parsed.segments[1]);
}

/**
 * The repository of a location URL on the host's web UI: `/owner/name`,
 * optionally followed by `/src/...`, `/blob/...`, `/tree/...` or `/raw/...`
 * and the file's path.
 *
 * @public
 */
export function repositoryOfLocationUrl(raw: string): RepositoryOfUrl {
  if (typeof raw === 'string' && raw.startsWith('file:///')) {
    return repositoryOfFileUrl(raw);
  }
  const parsed = strictHttpUrl(raw);
  if ('problem' in parsed) {
    return problem(parsed.problem);
  }
  const { host, segments } = parsed;
  if (
    segments.length < 2 ||
    (segments.length > 2 &&
      (!LOCATION_MARKERS.has(segments[2]) || segments.length < 4))
  ) {
    return problem(
      'does not name a file in a repository as <owner>/<name>/(src|blob|tree|raw)/...',
    );
  }
  return repositoryOf(host, segments[0], segments[1]);
}

/**
 * The repository of a URL Flux may be given: an http(s) clone URL, or the
 * SSH URL of a deploy-key host (`gitops.deployKeys`), which names the
 * repository of that host's integration.
 *
 * @public
 */
export function repositoryOfRepoUrl(
  raw: string,
  hosts: DeployKeyHost[],
): RepositoryOfUrl {
  if (!raw.startsWith('ssh://')) {
    return repositoryOfCloneUrl(raw);
  }
  const host = hosts.find(h => raw.startsWith(`${h.sshUrl}/`));
  if (!host) {
    return problem(
      "is an SSH URL of no host under gitops.deployKeys; use the repository's http(s) URL",
    );
  }
  const path = raw.slice(host.sshUrl.length + 1);
  if (hasForbiddenCharacter(path, '?#@')) {
    return problem('has characters that are not part of a repository path');
  }
  const pathProblem = rawPathProblem(path);
  if (pathProblem) {
    return problem(pathProblem);
  }
  const segments = path.split('/');
  if (segments.length !== 2) {
    return problem('does not name a repository as <owner>/<name>');
  }
  return repositoryOf(host.host.toLowerCase(), segments[0], segments[1]);
}

/**
 * The repository an entity was registered from: its catalog origin
 * location (`backstage.io/managed-by-origin-location`), which nothing on
 * the cluster or in a template can rewrite.
 *
 * @public
 */
export function registeredRepositoryOf(entity: Entity): RepositoryOfUrl {
  const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
  if (!origin) {
    return problem(`has no ${ANNOTATION_ORIGIN_LOCATION} annotation`);
  }
  if (!origin.startsWith('url:')) {
    return problem(`was not registered from a URL (${origin.split(':')[0]})`);
  }
  const located = repositoryOfLocationUrl(origin.slice('url:'.length));
  return located.problem
    ? problem(`was registered from a location that ${located.problem}`)
    : located;
}
