import { stringify } from 'yaml';
import { appManifests } from '../stack/fixtures';

const labels = { app: 'hello' };

function deployment(
  spec: Record<string, unknown>,
  selector: Record<string, string> = labels,
): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hello', labels: selector },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
      ...spec,
    },
  });
}

const kustomization = (resources: string[]) =>
  stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });

/** A chart `charts/hello` whose values can break it in each way Helm fails. */
const chart: Record<string, string> = {
  'charts/hello/Chart.yaml': stringify({
    apiVersion: 'v2',
    name: 'hello',
    version: '0.1.0',
  }),
  'charts/hello/values.yaml': stringify({
    image: 'nginx:1.27',
    replicas: 1,
    selectorSuffix: '',
    nodeSelector: {},
  }),
  'charts/hello/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}{{ .Values.selectorSuffix }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}{{ .Values.selectorSuffix }}
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: app
          image: {{ required "values.image is required" .Values.image }}
`,
  'charts/hello/templates/tests/test-connection.yaml': `{{- if .Values.withTest }}
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox:1.36
      command: ['wget', '-qO-', 'http://{{ .Release.Name }}']
{{- end }}
`,
  'charts/broken/Chart.yaml': stringify({ apiVersion: 'v2', name: 'broken' }),
  'charts/broken/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
};

/**
 * The corpus repository: a good app, a chart, and one directory per kind
 * of broken manifest.
 */
export function corpusRepository(): Record<string, string> {
  const neverReady = deployment({
    template: {
      metadata: { labels },
      spec: {
        nodeSelector: { 'e2e.gitops/no-such-node': 'true' },
        containers: [{ name: 'app', image: 'nginx:1.27' }],
      },
    },
  });
  return {
    ...appManifests('nginx:1.27'),
    ...chart,
    'broken/kustomization.yaml': 'resources: [deployment.yaml\n  - : :\n',
    'never-ready/kustomization.yaml': kustomization(['deployment.yaml']),
    'never-ready/deployment.yaml': neverReady,
    'immutable-v1/kustomization.yaml': kustomization(['deployment.yaml']),
    'immutable-v1/deployment.yaml': deployment({}),
    'immutable-v2/kustomization.yaml': kustomization(['deployment.yaml']),
    'immutable-v2/deployment.yaml': deployment({}, { app: 'hello-v2' }),
    'invalid/kustomization.yaml': kustomization(['deployment.yaml']),
    'invalid/deployment.yaml': deployment({ replicas: -1 }),
    'unknown-kind/kustomization.yaml': kustomization(['widget.yaml']),
    'unknown-kind/widget.yaml': stringify({
      apiVersion: 'example.gitops.test/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: {},
    }),
    'other-namespace/kustomization.yaml': kustomization(['configmap.yaml']),
    'other-namespace/configmap.yaml': stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'e2e-corpus-absent' },
      data: { a: 'b' },
    }),
    'substituted/kustomization.yaml': kustomization(['configmap.yaml']),
    'substituted/configmap.yaml': stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { greeting: '${greeting}' },
    }),
  };
}
