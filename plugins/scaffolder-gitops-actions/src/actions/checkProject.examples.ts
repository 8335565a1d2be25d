import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'The first step of a template that creates a repository, registers its entity and sets up Flux: refuses a name or namespaces that are not yours before anything is created',
    example: yaml.stringify({
      steps: [
        {
          id: 'check',
          action: 'gitops:project:check',
          name: 'Check the project is yours to create',
          input: {
            id: '${{ parameters.name }}',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            environments: '${{ parameters.environments }}',
          },
        },
      ],
    }),
  },
  {
    description: 'An existing project of yours on a named cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'check',
          action: 'gitops:project:check',
          name: 'Check the project is yours',
          input: {
            id: 'shop',
            entityRef: 'component:default/shop',
            cluster: 'prod-eu',
            environments: ['development', 'staging', 'production'],
          },
        },
      ],
    }),
  },
];
