import crypto from 'node:crypto';
import fs from 'node:fs';
import type {
  DeployRecord,
  DeployResult,
} from '@gitops-backstage/plugin-gitops-common';
import {
  backendUrl,
  callPortal,
  runTemplate,
  TaskRun,
} from './portal/portalApi';
import {
  PIPELINE_TOKEN,
  SERVICE_TOKEN,
  userTokenKeyFile,
} from './portal/users';
import { findSecrets, pemForms } from './authz/secretScan';
import { TestCluster, waitFor } from './stack/kube';
import { readStackEnv, repoPath } from './stack/stackEnv';

jest.setTimeout(600_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const stackValues = env as unknown as Record<string, string>;

/**
 * After a real project initialization and a deploy, no configured secret
 * (nor a deploy key the portal made) is in the portal log, in any API
 * response these tests got, or in the scaffolder task's log and output.
 */
describe('Credentials stay out of logs, responses and task output', () => {
  const name = `e2e-cred-${Date.now().toString(36).slice(-5)}`;
  const namespace = `project-${name}-development`;
  const entityPath = `/api/gitops/entities/component/default/${name}`;
  /** Every response body these tests got, by request. */
  const responses: Record<string, string> = {};
  let task: TaskRun;

  /** A call as the guest whose answer is kept for the scan. */
  async function call(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; json: () => any }> {
    const response = await callPortal(path, init);
    const text = await response.text();
    responses[
      `${init.method ?? 'GET'} ${path} #${Object.keys(responses).length}`
    ] = text;
    return {
      status: response.status,
      json: () => JSON.parse(text),
    };
  }

  beforeAll(async () => {
    task = await runTemplate('gitops-service', {
      name,
      owner: 'group:default/guests',
      description: 'credentials e2e',
      environments: ['development'],
      image: 'nginx:1.27',
      replicas: 1,
      repoUrl: `${new URL(env.GITEA_URL).host}?owner=${
        env.GITEA_ORG
      }&repo=${name}`,
    });
  }, 600_000);

  afterAll(async () => {
    await cluster.deleteNamespace(namespace);
  });

  it('runs the template for real and deploys through Git, keeping every answer', async () => {
    expect({ status: task.status, log: task.log.slice(-5) }).toMatchObject({
      status: 'completed',
    });
    await call(`/api/scaffolder/v2/tasks/${task.id}`);
    await call(`/api/scaffolder/v2/tasks/${task.id}/events`);
    await waitFor(
      'the component in the catalog',
      async () =>
        (
          await call(`/api/catalog/entities/by-name/component/default/${name}`)
        ).status === 200
          ? true
          : undefined,
      120_000,
    );
    const preview = await call(`${entityPath}/deploys/preview`, {
      method: 'POST',
      body: { environment: 'development', changes: { replicas: 2 } },
    });
    expect(preview.status).toBe(200);
    const deployed = await call(`${entityPath}/deploys`, {
      method: 'POST',
      body: {
        environment: 'development',
        changes: { replicas: 2 },
        message: 'credentials e2e',
        expectedOverlayDigest: preview.json().overlayDigest,
      },
    });
    expect(deployed.status).toBe(201);
    const { deploy }: DeployResult = deployed.json();
    const settled = await waitFor(
      `deploy ${deploy.id} to finish`,
      async () => {
        const state: DeployRecord = (
          await call(`${entityPath}/deploys/${deploy.id}`)
        ).json();
        return ['succeeded', 'failed'].includes(state.status)
          ? state
          : undefined;
      },
      180_000,
    );
    expect(settled.status).toBe('succeeded');

    // Every read the portal offers on the project, and a repair plan for
    // its Git credentials (which reads the Secret).
    const status = await call(`${entityPath}/status`);
    expect(status.status).toBe(200);
    for (const path of [
      '/api/gitops/clusters',
      '/api/gitops/objects',
      `${entityPath}/deploys`,
      `${entityPath}/objects/local/GitRepository/${namespace}/${name}-repo/events`,
      `${entityPath}/objects/local/Kustomization/${namespace}/${name}-development/events`,
      '/api/gitops/health',
      '/api/gitops/health/clusters/local/reports',
      '/api/gitops/health/repairs',
    ]) {
      await call(path);
    }
    // What Backstage's Kubernetes plugin shows of the project, too.
    const entity = (
      await call(`/api/catalog/entities/by-name/component/default/${name}`)
    ).json();
    await call(`/api/kubernetes/services/${name}`, {
      method: 'POST',
      body: { entity },
    });
    await call('/api/gitops/health/run', {
      method: 'POST',
      body: { cluster: 'local' },
    });
    // Planned whether or not the source needs it: the answer is scanned.
    await call('/api/gitops/health/repairs/plan', {
      method: 'POST',
      body: {
        cluster: 'local',
        type: 'refresh-git-credentials',
        target: { kind: 'GitRepository', namespace, name: `${name}-repo` },
      },
    });
    expect(Object.keys(responses).length).toBeGreaterThan(15);
  });

  it('finds no configured secret and no deploy key, plain or base64, anywhere the portal wrote', async () => {
    const deployKey = await cluster.core.readNamespacedSecret({
      name: `${name}-git-auth`,
      namespace,
    });
    const identity = Buffer.from(deployKey.data!.identity, 'base64').toString();
    const secrets: Record<string, string[]> = {
      'the Gitea admin password': [env.GITEA_ADMIN_PASSWORD],
      'the Gitea token': [env.GITEA_TOKEN],
      "the integration's basic auth": [
        `${env.GITEA_ADMIN_USER}:${env.GITEA_ADMIN_PASSWORD}`,
      ],
      "the portal's cluster token": [stackValues.K8S_SA_TOKEN],
      'the cluster admin token': [stackValues.K8S_ADMIN_TOKEN],
      'the pipeline token': [PIPELINE_TOKEN],
      'the static service token': [SERVICE_TOKEN],
      'the user-token signing key': pemForms(
        fs.readFileSync(userTokenKeyFile(env), 'utf8'),
      ),
      'the deploy key the portal made': [
        ...pemForms(identity),
        deployKey.data!.identity,
      ],
    };
    for (const [what, values] of Object.entries(secrets)) {
      expect({ what, long: values.every(v => v?.length > 12) }).toEqual({
        what,
        long: true,
      });
    }

    // The scan finds what it looks for: a canary sent in a request URL
    // shows up in the portal's request log and is reported.
    const canary = crypto.randomBytes(18).toString('hex');
    await fetch(`${backendUrl}/api/gitops/no-such-route?canary=${canary}`);
    const portalLog = await waitFor(
      'the canary in the portal log',
      async () => {
        const text = fs.readFileSync(
          repoPath('test-results/portal.log'),
          'utf8',
        );
        return text.includes(canary) ? text : undefined;
      },
    );
    expect(
      findSecrets({ canary: [canary] }, { 'the portal log': portalLog }),
    ).toEqual(['canary in the portal log']);

    const places: Record<string, string> = {
      'the portal log': portalLog,
      'the task log': task.log.join('\n'),
      'the task output': JSON.stringify(task.output ?? {}),
      ...Object.fromEntries(
        Object.entries(responses).map(([request, text]) => [
          `the answer to ${request}`,
          text,
        ]),
      ),
    };
    expect(findSecrets(secrets, places)).toEqual([]);
  });
});
