import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';

/** The fields of a package.json these checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  module?: string;
  types?: string;
  exports?: unknown;
  typesVersions?: unknown;
  files?: string[];
  configSchema?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  backstage?: { role?: string };
}

/** A publishable plugin package of the workspace (plugins/*). */
export interface PluginPackage {
  name: string;
  /** Its folder, relative to the repository root. */
  dir: string;
  role: string;
  manifest: PackageManifest;
}

export interface PackedPlugin extends PluginPackage {
  tarball: string;
  /** package/package.json of the tarball. */
  packed: PackageManifest;
  /** Paths in the tarball, without the leading `package/`. */
  files: string[];
  /** Its `package/` folder, unpacked for inspection. */
  unpackedDir: string;
  /** What makes the tarball unfit to publish; empty when it is fit. */
  problems: string[];
  /** Packages its declaration files import without depending on them. */
  undeclaredTypeImports: string[];
}

export type Log = (line: string) => void;

/**
 * The environment of a child process, without what the `yarn` running Jest
 * and Jest itself set (a nested Yarn would take the workspace for its
 * project; the backend would run as NODE_ENV=test).
 */
export function childEnv(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const dropped =
    /^(npm_package_|npm_lifecycle_|npm_config_user_agent$|npm_execpath$|npm_node_execpath$|BERRY_BIN_FOLDER$|PROJECT_CWD$|INIT_CWD$|NODE_OPTIONS$|NODE_ENV$|JEST_WORKER_ID$)/;
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !dropped.test(key)),
  );
  // Native modules compile against these headers; node-gyp cannot download them here.
  const nodeHome = path.resolve(process.execPath, '../..');
  if (
    !env.npm_config_nodedir &&
    fs.existsSync(path.join(nodeHome, 'include/node'))
  ) {
    env.npm_config_nodedir = nodeHome;
  }
  env.PATH = [path.dirname(process.execPath), env.PATH].join(path.delimiter);
  return { ...env, ...extra };
}

/** Runs a command to its end; its output, or an error with its last lines. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) {
        resolve(output);
        return;
      }
      reject(
        new Error(
          `${path.basename(command)} ${args.join(' ')} (in ${
            options.cwd
          }) exited with ${code}:\n${output.split('\n').slice(-40).join('\n')}`,
        ),
      );
    });
  });
}

/** The Yarn release a project's .yarnrc.yml names (yarnPath). */
export function yarnReleaseOf(projectDir: string): string {
  const rc = parse(
    fs.readFileSync(path.join(projectDir, '.yarnrc.yml'), 'utf8'),
  );
  if (typeof rc?.yarnPath !== 'string') {
    throw new Error(`${projectDir}/.yarnrc.yml names no yarnPath`);
  }
  return path.resolve(projectDir, rc.yarnPath);
}

/** Runs the project's own Yarn release on the Node.js running the tests. */
export function runYarn(
  projectDir: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return runCommand(process.execPath, [yarnReleaseOf(projectDir), ...args], {
    cwd: options.cwd ?? projectDir,
    env: options.env,
  });
}

export function readManifest(file: string): PackageManifest {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function listPluginPackages(repoRoot: string): PluginPackage[] {
  return fs
    .readdirSync(path.join(repoRoot, 'plugins'))
    .filter(dir =>
      fs.existsSync(path.join(repoRoot, 'plugins', dir, 'package.json')),
    )
    .map(dir => {
      const manifest = readManifest(
        path.join(repoRoot, 'plugins', dir, 'package.json'),
      );
      return {
        name: manifest.name,
        dir: `plugins/${dir}`,
        role: manifest.backstage?.role ?? 'unknown',
        manifest,
      };
    });
}

function walkFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walkFiles(full) : [full];
  });
}

const mtime = (file: string) =>
  fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;

/** Entry points of a package: `index`, plus e.g. `alpha` from its exports. */
function entryNames(manifest: PackageManifest): string[] {
  const keys = Object.keys((manifest.exports as object | undefined) ?? {})
    .filter(key => key !== '.' && key !== './package.json')
    .map(key => key.replace(/^\.\//, ''));
  return ['index', ...keys];
}

/** What `backstage-cli package build` writes for a role (besides types). */
function scriptOutputs(role: string): string[] {
  if (role === 'frontend-plugin' || role === 'web-library') return ['esm'];
  if (role === 'common-library') return ['cjs', 'esm'];
  return ['cjs'];
}

/**
 * Whether the package's dist/ lacks an output or is older than its sources.
 * `yarn workspace backend build` leaves the backend's plugin packages with
 * JavaScript but no declarations, which the tarballs need.
 */
function needsBuild(repoRoot: string, pkg: PluginPackage): boolean {
  const dist = path.join(repoRoot, pkg.dir, 'dist');
  const outputs = entryNames(pkg.manifest).flatMap(entry => [
    path.join(dist, `${entry}.d.ts`),
    ...scriptOutputs(pkg.role).map(kind =>
      path.join(dist, `${entry}.${kind}.js`),
    ),
  ]);
  const newestSource = Math.max(
    ...walkFiles(path.join(repoRoot, pkg.dir, 'src')).map(mtime),
  );
  return outputs.some(
    file => !fs.existsSync(file) || mtime(file) < newestSource,
  );
}

/** Whether `yarn tsc` wrote the declarations of every source file since it changed. */
function declarationsAreFresh(repoRoot: string, pkg: PluginPackage): boolean {
  return walkFiles(path.join(repoRoot, pkg.dir, 'src'))
    .filter(file => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .every(file => {
      const declaration = path
        .join(repoRoot, 'dist-types', path.relative(repoRoot, file))
        .replace(/\.tsx?$/, '.d.ts');
      return mtime(declaration) >= mtime(file);
    });
}

/** Bare module specifiers a built file imports or requires. */
function importedSpecifiers(source: string): string[] {
  const patterns = [
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*(?:import|export)\s[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ];
  return patterns.flatMap(pattern =>
    [...source.matchAll(pattern)].map(match => match[1]),
  );
}

/** The package a bare specifier names, or undefined for relative paths and Node's modules. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) {
    return undefined;
  }
  const [first, second] = specifier.split('/');
  if (builtinModules.includes(first)) return undefined;
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** Packages the files import, beyond the package's dependencies and peers. */
function undeclaredImports(
  manifest: PackageManifest,
  files: string[],
): string[] {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const imported = files.flatMap(file =>
    importedSpecifiers(fs.readFileSync(file, 'utf8')).map(packageOfSpecifier),
  );
  return [
    ...new Set(
      imported.filter((p): p is string => p !== undefined && !declared.has(p)),
    ),
  ].sort();
}

/** Every path a manifest's entry-point fields point at. */
export function entryPointTargets(manifest: PackageManifest): string[] {
  const targets: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') {
      // `backstage` marks an entry point's kind (e.g. a frontend plugin), not a file.
      Object.entries(value)
        .filter(([condition]) => condition !== 'backstage')
        .forEach(([, target]) => collect(target));
    }
  };
  [
    manifest.main,
    manifest.module,
    manifest.types,
    manifest.exports,
    manifest.typesVersions,
  ].forEach(collect);
  return targets;
}

/** What keeps a packed package from being installed as published. */
function tarballProblems(
  pkg: PluginPackage,
  packed: PackageManifest,
  files: string[],
  unpackedDir: string,
): string[] {
  const problems: string[] = [];
  const has = (file: string) => files.includes(file);
  if ('private' in packed) problems.push('package.json has "private"');
  for (const field of ['main', 'types'] as const) {
    if (!packed[field]?.replace(/^\.\//, '').startsWith('dist/')) {
      problems.push(`"${field}" is ${packed[field]}, not a file in dist/`);
    }
  }
  for (const target of entryPointTargets(packed)) {
    if (!has(target)) problems.push(`an entry point names ${target}, missing`);
  }
  const workspaceRanges = Object.entries({
    ...(packed as { devDependencies?: Record<string, string> }).devDependencies,
    ...packed.peerDependencies,
    ...packed.dependencies,
  }).filter(([, range]) => range.startsWith('workspace:'));
  for (const [dependency, range] of workspaceRanges) {
    problems.push(`depends on ${dependency}@${range}`);
  }
  for (const file of ['LICENSE', 'README.md']) {
    if (!has(file)) problems.push(`${file} is missing`);
  }
  // Every entry of "files" ships (dist, migrations, the config schema).
  for (const entry of packed.files ?? []) {
    if (!files.some(f => f === entry || f.startsWith(`${entry}/`))) {
      problems.push(`"files" names ${entry}, which is not in the tarball`);
    }
  }
  if (pkg.manifest.configSchema) {
    const schemaFile = packed.configSchema ?? '';
    if (!has(schemaFile)) {
      problems.push(`config schema ${schemaFile || '(none)'} is missing`);
    } else if (schemaFile.endsWith('.json')) {
      const schema = JSON.parse(
        fs.readFileSync(path.join(unpackedDir, schemaFile), 'utf8'),
      );
      if (!schema?.properties) {
        problems.push(`${schemaFile} declares no configuration`);
      }
    }
  }
  const scripts = files
    .filter(f => f.startsWith('dist/') && /\.(c|m)?js$/.test(f))
    .map(f => path.join(unpackedDir, f));
  for (const missing of undeclaredImports(packed, scripts)) {
    problems.push(`dist/ imports ${missing}, which is not a dependency`);
  }
  return problems;
}

/** `@scope/name` at `version` as npm names its tarball. */
const tarballName = (manifest: PackageManifest) =>
  `${manifest.name.replace(/^@/, '').replace('/', '-')}-${
    manifest.version
  }.tgz`;

/**
 * Packs one package with `yarn pack` in its folder. Its prepack script
 * rewrites package.json in place and postpack restores it; when the pack
 * fails in between, postpack runs here so the folder is left as it was.
 */
async function packPackage(
  repoRoot: string,
  pkg: PluginPackage,
  tarball: string,
): Promise<void> {
  const dir = path.join(repoRoot, pkg.dir);
  const manifestFile = path.join(dir, 'package.json');
  const backup = path.join(dir, 'package.json-prepack');
  if (fs.existsSync(backup)) {
    throw new Error(
      `${backup} exists: an earlier pack stopped before postpack; run \`yarn postpack\` in ${pkg.dir}`,
    );
  }
  const before = fs.readFileSync(manifestFile, 'utf8');
  try {
    await runYarn(repoRoot, ['pack', '--out', tarball], { cwd: dir });
  } finally {
    if (fs.existsSync(backup)) {
      await runYarn(repoRoot, ['run', 'postpack'], { cwd: dir });
    }
  }
  if (fs.readFileSync(manifestFile, 'utf8') !== before) {
    throw new Error(
      `${manifestFile} changed while it was packed: postpack did not restore it, or it was edited meanwhile`,
    );
  }
}

/**
 * Builds the plugin packages whose dist/ is missing or stale, packs each
 * with `yarn pack` into `outDir`, unpacks and inspects the tarballs.
 */
export async function packPlugins(options: {
  repoRoot: string;
  outDir: string;
  log: Log;
}): Promise<PackedPlugin[]> {
  const { repoRoot, outDir, log } = options;
  const timed = async (what: string, step: () => Promise<unknown>) => {
    const started = Date.now();
    await step();
    log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  const packages = listPluginPackages(repoRoot);
  const stale = packages.filter(pkg => needsBuild(repoRoot, pkg));
  // The build bundles declarations from dist-types, which `yarn tsc` writes.
  if (stale.some(pkg => !declarationsAreFresh(repoRoot, pkg))) {
    await timed('yarn tsc (declarations for the build)', () =>
      runYarn(repoRoot, ['tsc']),
    );
  }
  for (const pkg of stale) {
    await timed(`build ${pkg.name}`, () =>
      runYarn(repoRoot, ['workspace', pkg.name, 'build']),
    );
  }
  fs.mkdirSync(outDir, { recursive: true });
  const packed: PackedPlugin[] = [];
  for (const pkg of packages) {
    const tarball = path.join(outDir, tarballName(pkg.manifest));
    await timed(`pack ${pkg.name}`, () => packPackage(repoRoot, pkg, tarball));
    const unpackedDir = path.join(outDir, 'unpacked', path.basename(pkg.dir));
    fs.mkdirSync(unpackedDir, { recursive: true });
    await runCommand('tar', ['-xzf', tarball, '-C', unpackedDir], {
      cwd: outDir,
    });
    const root = path.join(unpackedDir, 'package');
    const files = walkFiles(root).map(file =>
      path.relative(root, file).split(path.sep).join('/'),
    );
    const manifest = readManifest(path.join(root, 'package.json'));
    const declarations = files
      .filter(f => f.endsWith('.d.ts'))
      .map(f => path.join(root, f));
    packed.push({
      ...pkg,
      tarball,
      packed: manifest,
      files,
      unpackedDir: root,
      problems: tarballProblems(pkg, manifest, files, root),
      undeclaredTypeImports: undeclaredImports(manifest, declarations),
    });
  }
  return packed;
}
