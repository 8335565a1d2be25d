import { stringify } from 'yaml';

/** A Kustomize directory `deploy/` with one Deployment `hello`. */
export function appManifests(image: string): Record<string, string> {
  const labels = { app: 'hello' };
  return {
    'deploy/kustomization.yaml': stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment.yaml'],
    }),
    'deploy/deployment.yaml': stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image }] },
        },
      },
    }),
  };
}
