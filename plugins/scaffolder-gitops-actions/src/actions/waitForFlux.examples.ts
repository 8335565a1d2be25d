import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Wait until the environments created by gitops:flux:create run the published commit',
    example: yaml.stringify({
      steps: [
        {
          id: 'wait',
          action: 'gitops:flux:wait',
          name: 'Wait for Flux',
          input: {
            environments: '${{ steps.flux.output.environments }}',
            revision: '${{ steps.publish.output.commitHash }}',
            timeout: '5m',
          },
        },
      ],
    }),
  },
  {
    description: 'Wait for one Kustomization given by hand',
    example: yaml.stringify({
      steps: [
        {
          id: 'wait',
          action: 'gitops:flux:wait',
          name: 'Wait for Flux',
          input: {
            environments: [
              {
                name: 'development',
                cluster: 'local',
                workload: {
                  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
                  kind: 'Kustomization',
                  namespace: 'project-shop-api-development',
                  name: 'shop-api-development',
                },
              },
            ],
            timeout: '2m',
          },
        },
      ],
    }),
  },
];
