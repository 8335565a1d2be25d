import {
  ANNOTATION_ENTITY_REF,
  type DeployMethod,
  type DeployRecord,
} from '@gitops-backstage/plugin-gitops-common';
import {
  backendUrl,
  callPortal,
  pollPortal,
  runTemplate,
} from '../portal/portalApi';
import { adminToken } from '../portal/users';
import { loseDeployKey } from '../stack/deployKeyLoss';
import { TestGitServer } from '../stack/gitea';
import { FluxObject, TestCluster, waitFor } from '../stack/kube';
import { StackEnv } from '../stack/stackEnv';

/**
 * The sample data `scripts/start` gives the portal: two components made the
 * way users make them, through the project-initialization templates and the
 * deploy APIs, so that a first start shows every part of the product.
 */
export const SAMPLE_SHOP = {
  id: 'sample-shop',
  template: 'gitops-service',
  /** Promotion order; production waits for staging, staging for development. */
  environments: ['development', 'staging', 'production'],
  workloadKind: 'Kustomization',
  workloadApiVersion: 'kustomize.toolkit.fluxcd.io/v1',
} as const;

export const SAMPLE_WEB = {
  id: 'sample-web',
  template: 'gitops-helm-service',
  environments: ['development', 'staging'],
  workloadKind: 'HelmRelease',
  workloadApiVersion: 'helm.toolkit.fluxcd.io/v2',
  /** Its deploy key is revoked on the Git host right after creation. */
  brokenEnvironment: 'staging',
} as const;

export type SampleComponent = typeof SAMPLE_SHOP | typeof SAMPLE_WEB;

export interface SeedStep {
  component: string;
  step: string;
  outcome: 'done' | 'kept' | 'adopted';
  ms: number;
}

export interface SeedReport {
  steps: SeedStep[];
  totalMs: number;
}

const PIPELINE_TOKEN =
  process.env.GITOPS_PIPELINE_TOKEN ?? 'local-stack-pipeline-token';

function namespaceOf(id: string, environment: string) {
  return `project-${id}-${environment}`;
}

/**
 * The one failure the sample data keeps on purpose, for the health page to
 * explain: present in every test file that runs after a seed.
 */
export const SAMPLE_FAILURE = {
  code: 'GIT_AUTH_FAILED',
  kind: 'GitRepository',
  namespace: namespaceOf(SAMPLE_WEB.id, SAMPLE_WEB.brokenEnvironment),
  name: `${SAMPLE_WEB.id}-repo`,
} as const;

/** What the templates deploy first, before the sample deploys change it. */
const TEMPLATE_WORKLOAD = { image: 'nginx:1.27', replicas: 1 };

function templateValues(env: StackEnv, component: SampleComponent) {
  const common = {
    name: component.id,
    owner: 'group:default/guests',
    environments: [...component.environments],
    ...TEMPLATE_WORKLOAD,
    repoUrl: `${new URL(env.GITEA_URL).host}?owner=${env.GITEA_ORG}&repo=${
      component.id
    }`,
  };
  if (component.id === SAMPLE_SHOP.id) {
    return {
      ...common,
      description:
        'Sample: a Kustomize service promoted through three environments',
      environmentSettings: {
        development: { interval: '1m' },
        staging: { dependsOn: ['development'] },
        // Auto-sync off: deployed by hand with Sync from the GitOps tab.
        production: { dependsOn: ['staging'], autoSync: false },
      },
    };
  }
  return {
    ...common,
    description: 'Sample: a Helm chart from its own repository',
  };
}

/** Seeds the sample data; every step checks first and keeps what exists. */
export class SampleDataSeeder {
  private readonly cluster: TestCluster;
  private readonly git: TestGitServer;
  private readonly steps: SeedStep[] = [];

  constructor(
    private readonly env: StackEnv,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.cluster = new TestCluster(env);
    this.git = new TestGitServer(env);
  }

  async seed(): Promise<SeedReport> {
    const started = Date.now();
    await this.waitForPortal();
    // The two components share nothing: in parallel.
    await Promise.all([
      this.seedComponent(SAMPLE_SHOP).then(created =>
        this.seedDeployHistory(created),
      ),
      this.seedComponent(SAMPLE_WEB).then(created =>
        created ? this.breakGitCredential() : undefined,
      ),
    ]);
    await this.step('portal', 'health check run', async () => {
      const response = await callPortal('/api/gitops/health/run', {
        method: 'POST',
        body: {},
      });
      if (!response.ok) {
        throw new Error(
          `health run: ${response.status} ${await response.text()}`,
        );
      }
      return 'done';
    });
    return { steps: this.steps, totalMs: Date.now() - started };
  }

  private async step(
    component: string,
    step: string,
    body: () => Promise<SeedStep['outcome']>,
  ): Promise<SeedStep['outcome']> {
    const started = Date.now();
    const outcome = await body();
    const ms = Date.now() - started;
    this.steps.push({ component, step, outcome, ms });
    this.log(`${component}: ${step}: ${outcome} (${(ms / 1000).toFixed(1)} s)`);
    return outcome;
  }

  private async waitForPortal(): Promise<void> {
    await waitFor(
      'the portal backend and the sample templates in the catalog',
      async () => {
        const ready = await fetch(
          `${backendUrl}/.backstage/health/v1/readiness`,
        );
        if (!ready.ok) {
          return undefined;
        }
        for (const { template } of [SAMPLE_SHOP, SAMPLE_WEB]) {
          const found = await callPortal(
            `/api/catalog/entities/by-name/template/default/${template}`,
          );
          if (!found.ok) {
            return undefined;
          }
        }
        return true;
      },
      300_000,
    );
  }

  private async giteaRepoExists(id: string): Promise<boolean> {
    const response = await fetch(
      `${this.env.GITEA_URL}/api/v1/repos/${this.env.GITEA_ORG}/${id}`,
      { headers: { Authorization: `token ${this.env.GITEA_TOKEN}` } },
    );
    return response.ok;
  }

  private async workloadExists(component: SampleComponent): Promise<boolean> {
    const environment = component.environments[0];
    return this.cluster
      .read(
        component.workloadApiVersion,
        component.workloadKind,
        namespaceOf(component.id, environment),
        `${component.id}-${environment}`,
      )
      .then(
        () => true,
        () => false,
      );
  }

  private async entityExists(id: string): Promise<boolean> {
    return (
      await pollPortal(`/api/catalog/entities/by-name/component/default/${id}`)
    ).ok;
  }

  /**
   * Runs the component's template unless its repository, Flux objects and
   * catalog entity are all there. Resolves to whether it created it now.
   */
  private async seedComponent(component: SampleComponent): Promise<boolean> {
    const outcome = await this.step(component.id, 'template', async () => {
      const [repo, workload, entity] = await Promise.all([
        this.giteaRepoExists(component.id),
        this.workloadExists(component),
        this.entityExists(component.id),
      ]);
      if (repo && workload && entity) {
        return 'kept';
      }
      if (repo && workload && (await this.madeByThePortalFor(component))) {
        // Seeded earlier with another database (scripts/test runs the
        // portal on its own): register the entity from its repository
        // again, as the template did.
        await this.register(component.id);
        return 'adopted';
      }
      if (repo) {
        // A half-done earlier run or a stack reset: not something to guess at.
        throw new Error(
          `${component.id}: the repository exists but ${
            workload ? 'the catalog entity' : 'its Flux objects'
          } do not; reset the stack (stack/stop && rm -rf .stack) or delete repository ${
            this.env.GITEA_ORG
          }/${component.id}`,
        );
      }
      if (entity) {
        // The stack was reset but the portal's database kept the entity:
        // its location points at a repository that is gone.
        await this.unregister(component.id);
      }
      const run = await runTemplate(
        component.template,
        templateValues(this.env, component),
        300_000,
      );
      if (run.status !== 'completed') {
        throw new Error(
          `template ${component.template} for ${component.id} ${
            run.status
          }:\n${run.log.slice(-15).join('\n')}`,
        );
      }
      return 'done';
    });
    return outcome === 'done';
  }

  /**
   * Whether the component's first workload is the one project
   * initialization made for this entity: it carries the entity's claim,
   * written by the portal's field manager.
   */
  private async madeByThePortalFor(
    component: SampleComponent,
  ): Promise<boolean> {
    const environment = component.environments[0];
    const workload = await this.cluster.read<FluxObject>(
      component.workloadApiVersion,
      component.workloadKind,
      namespaceOf(component.id, environment),
      `${component.id}-${environment}`,
    );
    const claim = workload.metadata?.annotations?.[ANNOTATION_ENTITY_REF];
    const byPortal = (workload.metadata?.managedFields ?? []).some(
      field =>
        field.manager === 'backstage-gitops' &&
        JSON.stringify(field.fieldsV1 ?? {}).includes(ANNOTATION_ENTITY_REF),
    );
    return claim === `component:default/${component.id}` && byPortal;
  }

  /** Registers the catalog file the template wrote, as catalog:register did. */
  private async register(id: string): Promise<void> {
    const target = `${this.env.GITEA_URL}/${this.env.GITEA_ORG}/${id}/src/branch/main/catalog-info.yaml`;
    const response = await callPortal('/api/catalog/locations', {
      method: 'POST',
      body: { type: 'url', target },
    });
    if (!response.ok) {
      throw new Error(
        `registering ${target}: ${response.status} ${await response.text()}`,
      );
    }
    await waitFor(
      `entity ${id} in the catalog`,
      async () => ((await this.entityExists(id)) ? true : undefined),
      120_000,
    );
  }

  private async unregister(id: string): Promise<void> {
    const response = await callPortal(
      `/api/catalog/locations/by-entity/component/default/${id}`,
    );
    if (!response.ok) {
      return;
    }
    const location = await response.json();
    // Deleting a location is for the platform's admins (the app's policy).
    await callPortal(`/api/catalog/locations/${location.id}`, {
      method: 'DELETE',
      token: adminToken(this.env),
    });
    await waitFor(
      `stale entity ${id} gone`,
      async () => ((await this.entityExists(id)) ? undefined : true),
      60_000,
    );
  }

  private async history(id: string): Promise<DeployRecord[]> {
    const response = await callPortal(
      `/api/gitops/entities/component/default/${id}/deploys?limit=500`,
    );
    if (!response.ok) {
      throw new Error(`deploy history of ${id}: ${response.status}`);
    }
    return (await response.json()).items;
  }

  /** Waits for a seeded deploy; one that failed fails the seeding, loudly. */
  private async succeeded(id: string, deployId: number): Promise<DeployRecord> {
    const deploy = await waitFor(
      `deploy ${deployId} of ${id} to finish`,
      async () => {
        const response = await pollPortal(
          `/api/gitops/entities/component/default/${id}/deploys/${deployId}`,
        );
        const record: DeployRecord = await response.json();
        return ['succeeded', 'failed'].includes(record.status)
          ? record
          : undefined;
      },
      180_000,
    );
    if (deploy.status !== 'succeeded') {
      throw new Error(
        `the seeded ${deploy.method} deploy ${deployId} of ${id} on ${
          deploy.environment
        } failed: ${deploy.reason ?? ''} ${deploy.message ?? ''}`.trim(),
      );
    }
    return deploy;
  }

  /** One deploy of each method on sample-shop, unless the history has it. */
  private async seedDeployHistory(created: boolean): Promise<void> {
    const { id } = SAMPLE_SHOP;
    const entityPath = `/api/gitops/entities/component/default/${id}`;
    const has = async (method: DeployMethod) =>
      (await this.history(id)).some(d => d.method === method);

    await this.step(id, 'gitops-git rows from the first commit', async () => {
      if (!created && (await has('gitops-git'))) {
        return 'kept';
      }
      await waitFor(
        'the template commit in the deploy history',
        async () => ((await has('gitops-git')) ? true : undefined),
        120_000,
      );
      return 'done';
    });

    await Promise.all([
      this.step(id, 'gitops-ui deploy on development', async () => {
        if (await has('gitops-ui')) {
          return 'kept';
        }
        const deploy = (changes: object, message: string) =>
          callPortal(`${entityPath}/deploys`, {
            method: 'POST',
            body: { environment: 'development', changes, message },
          });
        const sample = () =>
          deploy(
            { image: 'nginx:1.28', replicas: 2 },
            'Sample: nginx 1.28 with 2 replicas on development',
          );
        let response = await sample();
        if (
          response.status === 400 &&
          (await response.clone().text()).includes('already has these values')
        ) {
          // A portal on another database made this deploy before (its row is
          // in that database): back to the template's values, then again.
          const back = await deploy(
            TEMPLATE_WORKLOAD,
            "Sample: back to the template's values, to deploy the sample again",
          );
          if (back.status !== 201) {
            throw new Error(
              `gitops-ui deploy: ${back.status} ${await back.text()}`,
            );
          }
          await this.succeeded(id, (await back.json()).deploy.id);
          response = await sample();
        }
        if (response.status !== 201) {
          throw new Error(
            `gitops-ui deploy: ${response.status} ${await response.text()}`,
          );
        }
        await this.succeeded(id, (await response.json()).deploy.id);
        return 'done';
      }),
      this.step(id, 'pipeline report on staging', async () => {
        if (await has('pipeline')) {
          return 'kept';
        }
        const head = await this.headCommit(id);
        const response = await fetch(
          `${backendUrl}/api/gitops/deploys/pipeline`,
          {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${PIPELINE_TOKEN}`,
              'Content-Type': 'application/json',
            },
            body: JSON.stringify({
              entityRef: `component:default/${id}`,
              environment: 'staging',
              revision: head,
              pipeline: 'sample-ci',
              pipelineUrl: `http://ci.example.com/${id}/builds/42`,
            }),
          },
        );
        if (response.status !== 201) {
          throw new Error(
            `pipeline report: ${response.status} ${await response.text()}`,
          );
        }
        await this.succeeded(id, (await response.json()).deploy.id);
        return 'done';
      }),
    ]);

    // After the Git deploy: Flux applying it would otherwise race this.
    await this.step(id, 'manual deploy on development', async () => {
      if (await has('manual')) {
        return 'kept';
      }
      const response = await callPortal(`${entityPath}/deploys/manual`, {
        method: 'POST',
        body: {
          environment: 'development',
          image: 'nginx:1.29',
          reason: 'Sample: trying nginx 1.29 before committing it',
        },
      });
      if (response.status !== 201) {
        throw new Error(
          `manual deploy: ${response.status} ${await response.text()}`,
        );
      }
      return 'done';
    });
  }

  private async headCommit(repo: string): Promise<string> {
    const response = await fetch(
      `${this.env.GITEA_URL}/api/v1/repos/${this.env.GITEA_ORG}/${repo}/branches/main`,
      { headers: { Authorization: `token ${this.env.GITEA_TOKEN}` } },
    );
    if (!response.ok) {
      throw new Error(`head of ${repo}: ${response.status}`);
    }
    return (await response.json()).commit.id;
  }

  /**
   * The failure the health page explains and repairs: sample-web's staging
   * deploy key revoked on the Git host, as when someone cleans up keys they
   * do not recognise. Only right after creation, so a repair made in the
   * portal (a new read-only key) stays repaired on the next start.
   */
  private async breakGitCredential(): Promise<void> {
    const { id, brokenEnvironment } = SAMPLE_WEB;
    const namespace = namespaceOf(id, brokenEnvironment);
    await this.step(
      id,
      `revoked deploy key of ${brokenEnvironment}`,
      async () => {
        await loseDeployKey(this.cluster, this.git, {
          repo: id,
          keyTitle: `flux ${id} ${brokenEnvironment}`,
          namespace,
          source: `${id}-repo`,
        });
        return 'done';
      },
    );
  }
}
