import { StackEnv } from '../stack/stackEnv';
import { seededRandom } from './seeded';

/** One malformed run of a gitops template through the scaffolder API. */
export interface BadTemplateInput {
  what: string;
  template: 'gitops-service' | 'gitops-onboard' | 'gitops-helm-service';
  values: Record<string, unknown>;
  /** The field the refusal (400 or failed step) must name. */
  names: string;
  /** Whether the scaffolder's form schema refuses it, or the action does. */
  refusedBy: 'schema' | 'action';
}

/**
 * Malformed inputs of the gitops templates; every name starts with
 * `prefix`, so what a run would create can be looked for afterwards.
 */
export function badTemplateInputs(
  env: StackEnv,
  prefix: string,
  seed = 13,
): BadTemplateInput[] {
  const random = seededRandom(seed);
  const cases: BadTemplateInput[] = [];
  let n = 0;
  const nextName = () => `${prefix}-${(n++).toString(36)}`;
  const host = new URL(env.GITEA_URL).host;

  const serviceValues = (name: string) => ({
    name,
    owner: 'group:default/guests',
    environments: ['development'],
    image: 'nginx:1.27',
    replicas: 1,
    repoUrl: `${host}?owner=${env.GITEA_ORG}&repo=${name}`,
  });
  const onboardValues = (name: string) => ({
    name,
    repoUrl: `${env.GITEA_URL}/${env.GITEA_ORG}/${name}.git`,
    environments: ['development'],
  });
  const templates = [
    ['gitops-service', serviceValues],
    ['gitops-helm-service', serviceValues],
    ['gitops-onboard', onboardValues],
  ] as const;

  // ---- what the form's JSON schema refuses: 400 at task creation ----
  const badNames: unknown[] = [
    'UPPER',
    '-lead',
    'trail-',
    'a'.repeat(41),
    '../etc',
    'a b',
    '',
    'é',
    'a_b',
    'a.b',
    'kube-system\n',
    123,
    null,
    true,
    [],
    {},
  ];
  const badEnvironments: unknown[] = [
    [],
    ['qa'],
    'development',
    [1],
    ['development', 'development'],
    null,
    [null],
    ['kube-system'],
    {},
  ];
  for (const [template, valuesOf] of templates) {
    for (const bad of badNames) {
      const name = nextName();
      cases.push({
        what: `name ${JSON.stringify(bad)}`,
        template,
        values: { ...valuesOf(name), name: bad },
        names: 'name',
        refusedBy: 'schema',
      });
    }
    for (let i = 0; i < 12; i++) {
      const bad = `${nextName()}${random.oddString(1 + (i % 4))}`;
      cases.push({
        what: `name ${JSON.stringify(bad)}`,
        template,
        values: { ...valuesOf(nextName()), name: bad },
        names: 'name',
        refusedBy: 'schema',
      });
    }
    for (const bad of badEnvironments) {
      cases.push({
        what: `environments ${JSON.stringify(bad)}`,
        template,
        values: { ...valuesOf(nextName()), environments: bad },
        names: 'environments',
        refusedBy: 'schema',
      });
    }
    for (const field of Object.keys(valuesOf('x'))) {
      const values: Record<string, unknown> = valuesOf(nextName());
      delete values[field];
      if (
        ['name', 'repoUrl', 'environments', 'owner', 'image'].includes(field) &&
        !(template === 'gitops-onboard' && field === 'owner')
      ) {
        cases.push({
          what: `${field} missing`,
          template,
          values,
          names: field,
          refusedBy: 'schema',
        });
      }
    }
    for (const repoUrl of [7, null, [], {}]) {
      cases.push({
        what: `repoUrl ${JSON.stringify(repoUrl)}`,
        template,
        values: { ...valuesOf(nextName()), repoUrl },
        names: 'repoUrl',
        refusedBy: 'schema',
      });
    }
    if (template === 'gitops-helm-service') {
      // Its form has no environment settings: nothing to smuggle in.
      continue;
    }
    // Settings the form does not show, and settings of the wrong type.
    for (const [setting, value] of [
      ['namespace', 'kube-system'],
      ['namespace', 'flux-system'],
      ['serviceAccountName', 'default'],
      ['path', '../../'],
      ['prune', false],
      ['targetNamespace', 'default'],
      [random.unknownKey(), 'x'],
      ['autoSync', 'yes'],
      ['branch', 7],
      ['interval', false],
    ] as const) {
      const values = {
        ...valuesOf(nextName()),
        environmentSettings: { development: { [setting]: value } },
      };
      cases.push({
        what: `environmentSettings.development.${setting} = ${JSON.stringify(
          value,
        )}`,
        template,
        values,
        names: setting,
        refusedBy: 'schema',
      });
    }
    cases.push({
      what: 'settings of an environment that does not exist',
      template,
      values: { ...valuesOf(nextName()), environmentSettings: { qa: {} } },
      names: 'qa',
      refusedBy: 'schema',
    });
    cases.push({
      what: 'environmentSettings of the wrong type',
      template,
      values: { ...valuesOf(nextName()), environmentSettings: 'development' },
      names: 'environmentSettings',
      refusedBy: 'schema',
    });
  }
  for (const template of ['gitops-service', 'gitops-helm-service'] as const) {
    for (const replicas of [-1, 21, 1.5, 'one', null, 1e9]) {
      cases.push({
        what: `replicas ${JSON.stringify(replicas)}`,
        template,
        values: { ...serviceValues(nextName()), replicas },
        names: 'replicas',
        refusedBy: 'schema',
      });
    }
    for (const image of [7, null, [], {}, true]) {
      cases.push({
        what: `image ${JSON.stringify(image)}`,
        template,
        values: { ...serviceValues(nextName()), image },
        names: 'image',
        refusedBy: 'schema',
      });
    }
    for (const owner of [7, null, [], {}]) {
      cases.push({
        what: `owner ${JSON.stringify(owner)}`,
        template,
        values: { ...serviceValues(nextName()), owner },
        names: 'owner',
        refusedBy: 'schema',
      });
    }
    for (const dependsOn of template === 'gitops-service'
      ? [['production'], 'development', [7], ['development', 'development']]
      : []) {
      cases.push({
        what: `staging dependsOn ${JSON.stringify(dependsOn)}`,
        template,
        values: {
          ...serviceValues(nextName()),
          environments: ['development', 'staging'],
          environmentSettings: { staging: { dependsOn } },
        },
        names: 'dependsOn',
        refusedBy: 'schema',
      });
    }
  }
  for (const repoUrl of [
    'ftp://x/y.git',
    'git@host:x/y.git',
    '',
    'file:///etc',
    ' http://x',
  ]) {
    cases.push({
      what: `onboard repoUrl ${JSON.stringify(repoUrl)}`,
      template: 'gitops-onboard',
      values: { ...onboardValues(nextName()), repoUrl },
      names: 'repoUrl',
      refusedBy: 'schema',
    });
  }

  // ---- what only the action can refuse: a failed first step ----
  for (const interval of [
    'soon',
    '5 minutes',
    '1y',
    '-1m',
    '',
    '${{ secrets.x }}',
    'm5',
  ]) {
    cases.push({
      what: `interval ${JSON.stringify(interval)}`,
      template: 'gitops-onboard',
      values: {
        ...onboardValues(nextName()),
        environmentSettings: { development: { interval } },
      },
      names: 'interval',
      refusedBy: 'action',
    });
  }
  cases.push({
    what: 'an empty branch',
    template: 'gitops-onboard',
    values: {
      ...onboardValues(nextName()),
      environmentSettings: { development: { branch: '' } },
    },
    names: 'branch',
    refusedBy: 'action',
  });
  for (const repoUrl of [
    `${env.GITEA_URL}/x y.git`,
    'http://',
    `http://${random.oddString(2).replace(/\s/g, '')}\t/x.git`,
  ]) {
    cases.push({
      what: `onboard repoUrl ${JSON.stringify(repoUrl)}`,
      template: 'gitops-onboard',
      values: { ...onboardValues(nextName()), repoUrl },
      names: 'repoUrl',
      refusedBy: 'action',
    });
  }
  for (const image of ['NGINX', 'nginx:', '../x:1', 'nginx:1 2']) {
    cases.push({
      what: `image ${JSON.stringify(image)}`,
      template: 'gitops-service',
      values: { ...serviceValues(nextName()), image },
      names: 'image',
      refusedBy: 'action',
    });
  }
  return cases;
}
