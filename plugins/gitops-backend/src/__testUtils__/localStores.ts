import { execFileSync } from 'node:child_process';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { Knex } from 'knex';
import { DeployStore } from '../deploys/DeployStore';

/** Runs git in a directory as a fixed author; answers its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev Eloper',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev Eloper',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
  })
    .toString()
    .trim();
}

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/** A fresh SQLite database with the plugin's tables. */
export async function migratedDatabase(): Promise<Knex> {
  const knex = await databases.init('SQLITE_3');
  await DeployStore.migrate(knex);
  return knex;
}

/**
 * Integrations whose Gitea entry answers for any URL: file:// repositories
 * have no integration, and the deploy flows ask one for credentials.
 */
export function integrationsForFileRepos(): ScmIntegrations {
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  jest
    .spyOn(integrations.gitea, 'byUrl')
    .mockReturnValue({ config: { username: 'bot', password: 'pw' } } as any);
  return integrations;
}
