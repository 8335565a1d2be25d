import { emptyDeployForm, readDeployForm } from './deployForm';

describe('readDeployForm', () => {
  it('turns the fields into changes', () => {
    expect(
      readDeployForm({
        ...emptyDeployForm('staging'),
        image: ' nginx:1.28 ',
        replicas: '2',
        env: 'A=1\nB=x=y\n',
        memoryLimit: '256Mi',
      }),
    ).toEqual({
      changes: {
        image: 'nginx:1.28',
        replicas: 2,
        env: { A: '1', B: 'x=y' },
        resources: { limits: { cpu: undefined, memory: '256Mi' } },
      },
      errors: {},
    });
  });

  it('names the fields that are wrong', () => {
    const { errors } = readDeployForm({
      ...emptyDeployForm('staging'),
      replicas: '-3',
      env: '9X=1',
      cpuRequest: 'lots',
    });
    expect(errors).toEqual({
      replicas: 'must be between 0 and 100',
      env: expect.stringMatching(/not a valid environment variable name/),
      cpuRequest: expect.stringMatching(/not a Kubernetes quantity/),
    });
  });
});
