import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FluxDependencyGraph } from './FluxDependencyGraph';

function kustomization(
  name: string,
  dependsOn: string[],
  state: FluxObjectStatus['state'] = 'Ready',
): FluxObjectStatus {
  return {
    cluster: 'local',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'apps',
    name,
    state,
    ready: state === 'Ready' ? 'True' : 'False',
    message: '',
    suspended: false,
    // The backend names the state of each dependency it sees.
    dependsOn: dependsOn.map(d => ({
      namespace: 'apps',
      name: d,
      state: d === 'gone' ? undefined : 'Ready',
    })),
    workloads: [],
  };
}

describe('FluxDependencyGraph', () => {
  it('says so when nothing waits for anything', async () => {
    await renderInTestApp(
      <FluxDependencyGraph
        objects={[kustomization('a', []), kustomization('b', [])]}
      />,
    );
    expect(screen.getByTestId('dependency-graph-empty')).toBeInTheDocument();
    expect(
      screen.getByText('2 objects without dependsOn either way not drawn.'),
    ).toBeInTheDocument();
  });

  it('draws the chain, names the cycle and the missing object, and opens a node', async () => {
    const onOpen = jest.fn();
    const objects = [
      kustomization('development', []),
      kustomization('staging', ['development'], 'Failed'),
      kustomization('x', ['y'], 'Reconciling'),
      kustomization('y', ['x'], 'Reconciling'),
      kustomization('orphan', ['gone'], 'Reconciling'),
    ];
    await renderInTestApp(
      <FluxDependencyGraph objects={objects} onOpen={onOpen} />,
    );
    expect(
      screen.getByText('Error: dependsOn cycle: x → y → x'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Error: Kustomization apps/gone does not exist on cluster local',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Kustomization apps/orphan waits for it forever.'),
    ).toBeInTheDocument();
    // Backstage loads the graph lazily.
    expect(await screen.findAllByTestId('edge')).toHaveLength(4);
    // The state in words on every node, not only its colour; shown once
    // the graph has settled its layout.
    const node = (name: string) =>
      screen.getByTestId(`dependency-node-Kustomization-apps-${name}`);
    await waitFor(() => expect(node('staging')).toBeVisible(), {
      timeout: 3_000,
    });
    expect(node('staging')).toHaveTextContent(
      'Kustomization staging apps · Failed',
    );
    expect(node('x')).toHaveTextContent(
      'Kustomization x apps · Reconciling · in a cycle',
    );
    // Not among the objects: nothing to open.
    expect(node('gone')).toHaveTextContent('Kustomization gone apps · missing');
    expect(node('gone')).not.toHaveAttribute('role', 'button');
    expect(node('staging')).toHaveAttribute('role', 'button');
    await userEvent.click(node('staging'));
    expect(onOpen).toHaveBeenCalledWith(objects[1]);
  });
});
