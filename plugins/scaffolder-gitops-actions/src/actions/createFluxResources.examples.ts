import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Three environments from the repository published and registered earlier in the run, credentials from the Backstage integration',
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'gitops:flux:create',
          name: 'Create Flux resources',
          input: {
            id: 'shop-api',
            // The catalog shows the entity once it processed the location.
            entityRef: '${{ steps.register.output.entityRef }}',
            waitForEntity: '2m',
            repoUrl: '${{ steps.publish.output.remoteUrl }}',
            environments: [
              { name: 'development', branch: 'main', interval: '1m' },
              { name: 'staging', dependsOn: ['development'] },
              { name: 'production', interval: '10m', autoSync: false },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'A token from a template secret as bearer token, and a health check',
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'gitops:flux:create',
          name: 'Create Flux resources',
          input: {
            id: 'billing',
            entityRef: 'component:default/billing',
            cluster: 'prod-eu',
            repoUrl: 'https://git.example.com/acme/billing.git',
            auth: { from: 'secret', secret: 'gitToken', type: 'bearerToken' },
            environments: [
              {
                name: 'production',
                wait: true,
                timeout: '5m',
                healthChecks: [
                  {
                    apiVersion: 'apps/v1',
                    kind: 'Deployment',
                    name: 'billing',
                  },
                ],
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'Development and staging on the run\'s cluster, production on a cluster of its own (dependsOn stays within a cluster)',
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'gitops:flux:create',
          name: 'Create Flux resources',
          input: {
            id: 'orders',
            entityRef: 'component:default/orders',
            cluster: 'local',
            repoUrl: 'https://git.example.com/acme/orders.git',
            environments: [
              { name: 'development' },
              { name: 'staging', dependsOn: ['development'] },
              { name: 'production', cluster: 'prod-eu', autoSync: false },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'A HelmRelease from a Helm repository instead of a Kustomization',
    example: yaml.stringify({
      steps: [
        {
          id: 'flux',
          action: 'gitops:flux:create',
          name: 'Create Flux resources',
          input: {
            id: 'cache',
            entityRef: 'component:default/cache',
            repoUrl: '${{ steps.publish.output.remoteUrl }}',
            helm: {
              chart: 'redis',
              version: '20.x',
              repositoryUrl: 'oci://registry-1.docker.io/bitnamicharts',
              values: { architecture: 'standalone' },
            },
            environments: [
              { name: 'development', values: { replica: { replicaCount: 1 } } },
            ],
          },
        },
      ],
    }),
  },
];
