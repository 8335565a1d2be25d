import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Base and one overlay per environment',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifests',
          action: 'gitops:manifests:create',
          name: 'Write Kustomize manifests',
          input: {
            name: 'shop-api',
            image: 'ghcr.io/acme/shop-api:1.0.0',
            environments: [
              { name: 'development', replicas: 1, env: { LOG_LEVEL: 'debug' } },
              { name: 'staging', replicas: 2 },
              {
                name: 'production',
                replicas: 3,
                resources: {
                  requests: { cpu: '250m', memory: '256Mi' },
                  limits: { cpu: '1', memory: '512Mi' },
                },
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description: 'Manifests in a sub-directory with a different port',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifests',
          action: 'gitops:manifests:create',
          name: 'Write Kustomize manifests',
          input: {
            name: 'billing',
            kubernetesId: 'billing-service',
            image: 'registry.example.com/billing:2.3.1',
            port: 9000,
            targetPath: 'deploy',
            environments: [{ name: 'development' }],
          },
        },
      ],
    }),
  },
];
