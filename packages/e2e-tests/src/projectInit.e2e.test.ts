import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { callPortal, runTemplate } from './portal/portalApi';
import { condition, FluxObject, TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const ENVIRONMENTS = ['development', 'staging', 'production'];

const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36).slice(-5)}`;

function serviceValues(name: string) {
  return {
    name,
    owner: 'group:default/guests',
    description: 'created by the e2e tests',
    environments: ENVIRONMENTS,
    image: 'nginx:1.27',
    replicas: 1,
    environmentSettings: { production: { autoSync: true } },
    repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
      env.GITEA_ORG
    }&repo=${name}`,
  };
}

async function headCommit(repo: string): Promise<string> {
  const response = await fetch(
    `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${repo}/branches/main`,
    { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
  );
  expect(response.status).toBe(200);
  return (await response.json()).commit.id;
}

async function kustomization(name: string, environment: string) {
  return cluster.read<FluxObject>(
    'kustomize.toolkit.fluxcd.io/v1',
    'Kustomization',
    `project-${name}-${environment}`,
    `${name}-${environment}`,
  );
}

async function waitForReadyAt(name: string, environment: string, sha: string) {
  return waitFor(`${environment} Ready at ${sha}`, async () => {
    const object = await kustomization(name, environment);
    return condition(object, 'Ready')?.status === 'True' &&
      object.status?.lastAppliedRevision === `main@sha1:${sha}`
      ? object
      : undefined;
  });
}

describe('project initialization through the scaffolder', () => {
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(
      created.flatMap(name =>
        ENVIRONMENTS.map(e => cluster.deleteNamespace(`project-${name}-${e}`)),
      ),
    );
  });

  const name = uniqueName('e2e-init');

  it('creates repo, Flux objects in 3 environments and the catalog entity', async () => {
    created.push(name);
    const run = await runTemplate('gitops-service', serviceValues(name));
    expect({ status: run.status, log: run.log.slice(-5) }).toMatchObject({
      status: 'completed',
    });

    const sha = await headCommit(name);
    for (const environment of ENVIRONMENTS) {
      const object = await waitForReadyAt(name, environment, sha);
      expect(object.metadata?.labels).toMatchObject({
        'backstage.io/kubernetes-id': name,
        'gitops.backstage.io/environment': environment,
      });
      await waitFor(`${environment} Deployment Available`, async () => {
        const deployment = await cluster.apps.readNamespacedDeployment({
          name,
          namespace: `project-${name}-${environment}`,
        });
        return deployment.status?.conditions?.some(
          c => c.type === 'Available' && c.status === 'True',
        )
          ? true
          : undefined;
      });
    }
    // Progress per environment in the step log, credentials nowhere.
    expect(run.log).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^flux .*\[production\] GitRepository .* created/,
        ),
        expect.stringMatching(
          /^wait .*\[staging\] Kustomization .* Ready at main@sha1:/,
        ),
      ]),
    );
    expect(run.log.join('\n')).not.toContain(env.GITEA_ADMIN_PASSWORD);

    // The catalog processes the registered location asynchronously.
    const entity = await waitFor('entity in the catalog', async () => {
      const response = await callPortal(
        `/api/catalog/entities/by-name/component/default/${name}`,
      );
      return response.ok ? response.json() : undefined;
    });
    expect(entity.metadata.annotations['backstage.io/kubernetes-id']).toBe(
      name,
    );
    expect(entity.spec.owner).toBe('group:default/guests');
  });

  it('changes nothing when the Flux objects are applied again', async () => {
    const run = await runTemplate('gitops-onboard', {
      name,
      repoUrl: `${env.GITEA_URL}/${env.GITEA_ORG}/${name}.git`,
      environments: ENVIRONMENTS,
      environmentSettings: { production: { autoSync: true } },
    });
    expect(run.status).toBe('completed');
    expect(run.log).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          '0 of 18 object(s) created or changed, 18 unchanged',
        ),
      ]),
    );
  });

  it('reports a failing environment and still applies the others', async () => {
    const other = uniqueName('e2e-conflict');
    created.push(other);
    // Someone else already manages the production GitRepository's interval.
    const namespace = `project-${other}-production`;
    await cluster.core.createNamespace({
      body: { metadata: { name: namespace } },
    });
    await cluster.objects.patch(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: `${other}-repo`, namespace },
        spec: { url: 'http://example.invalid/x.git', interval: '7m' },
      },
      undefined,
      undefined,
      'someone-else',
      true,
      'application/apply-patch+yaml' as any,
    );

    const run = await runTemplate('gitops-service', serviceValues(other));
    expect(run.status).toBe('failed');
    const log = run.log.join('\n');
    expect(log).toContain('1 of 3 environment(s) failed:');
    expect(log).toMatch(
      /- production: applying GitRepository project-e2e-conflict-\w+-production\/e2e-conflict-\w+-repo: fields are owned by another field manager \(409 Conflict: [\s\S]*someone-else[\s\S]*\)[\s\S]*Applied before the failure: Namespace project-e2e-conflict-\w+-production \(configured\), Secret .* \(created\)/,
    );
    expect(log).toContain('Applied completely: development, staging');

    const sha = await headCommit(other);
    await waitForReadyAt(other, 'development', sha);
    await waitForReadyAt(other, 'staging', sha);
  });

  it('creates nothing in a dry run', async () => {
    const dir = repoPath('examples/templates/gitops-service');
    const template = yaml.parse(
      fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'),
    );
    const skeleton = path.join(dir, 'skeleton');
    const directoryContents = fs.readdirSync(skeleton).map(file => ({
      path: `skeleton/${file}`,
      base64Content: fs
        .readFileSync(path.join(skeleton, file))
        .toString('base64'),
    }));
    const dryName = uniqueName('e2e-dry');
    const response = await callPortal('/api/scaffolder/v2/dry-run', {
      method: 'POST',
      body: { template, values: serviceValues(dryName), directoryContents },
    });
    const body = await response.json();
    expect({ status: response.status, error: body.error }).toEqual({
      status: 200,
      error: undefined,
    });
    const log = body.log.map((l: any) => l.body.message).join('\n');
    expect(log).toContain(
      `would apply Namespace project-${dryName}-development`,
    );

    const namespaces = await cluster.core.listNamespace();
    expect(
      namespaces.items.filter(n => n.metadata?.name?.includes(dryName)),
    ).toEqual([]);
    const repo = await fetch(
      `${env.GITEA_URL}/api/v1/repos/${env.GITEA_ORG}/${dryName}`,
      { headers: { Authorization: `token ${env.GITEA_TOKEN}` } },
    );
    expect(repo.status).toBe(404);
  });

  it('refuses an invalid name before doing anything', async () => {
    const response = await callPortal('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: {
        templateRef: 'template:default/gitops-service',
        values: serviceValues('Not_A_Name'),
      },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/name/);
  });
});
