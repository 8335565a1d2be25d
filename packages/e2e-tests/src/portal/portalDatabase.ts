import { execFileSync } from 'node:child_process';

/**
 * The portal's PostgreSQL, when it runs as deployed (scripts/test:
 * app-config.deployed.yaml, databases named by GITOPS_DATABASE_PREFIX).
 */
export function portalOnPostgres(): boolean {
  return Boolean(
    process.env.POSTGRES_HOST && process.env.GITOPS_DATABASE_PREFIX,
  );
}

/**
 * Runs SQL in a plugin's database with psql (synchronous, for synchronous
 * callers); `:'name'` in the SQL is replaced by psql with the quoted value
 * of `variables[name]`. Rows come back one per line, columns split by `|`.
 */
export function psqlInPluginDatabase(
  pluginId: string,
  sql: string,
  variables: Record<string, string> = {},
): string[] {
  const { POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER } = process.env;
  const database = `${process.env.GITOPS_DATABASE_PREFIX}${pluginId}`;
  const output = execFileSync(
    'psql',
    [
      `postgresql://${POSTGRES_USER}@${POSTGRES_HOST}:${POSTGRES_PORT}/${database}`,
      '--quiet',
      '--no-psqlrc',
      '--tuples-only',
      '--no-align',
      '-v',
      'ON_ERROR_STOP=1',
      ...Object.entries(variables).flatMap(([name, value]) => [
        '-v',
        `${name}=${value}`,
      ]),
    ],
    { input: `${sql};`, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return output.split('\n').filter(line => line !== '');
}
