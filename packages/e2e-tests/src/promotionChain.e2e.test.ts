import { callPortal } from './portal/portalApi';
import {
  DeployTarget,
  newDeployTarget,
  reportPipeline,
} from './portal/deployTarget';
import { TestGitServer } from './stack/gitea';
import { TestCluster } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);
const git = new TestGitServer(env);

/**
 * A promotion chain (staging depends on development): a development deploy
 * and a staging pipeline report at the same moment. Staging waits for
 * development (DependencyNotReady) while development deploys; that is
 * progress, so both rows must end succeeded, every round.
 */
describe('a promotion chain deploying both stages at once', () => {
  let target: DeployTarget;

  beforeAll(async () => {
    target = await newDeployTarget('e2e-chain', ['development', 'staging']);
    await cluster.mergePatch(
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      target.namespaces.staging,
      'staging',
      {
        spec: {
          dependsOn: [
            { name: 'development', namespace: target.namespaces.development },
          ],
        },
      },
    );
    await target.appliedEverywhere();
  }, 300_000);

  afterAll(async () => {
    await target?.remove();
  });

  it('ends both rows succeeded, ten rounds in a row', async () => {
    const chain = target;
    for (let round = 1; round <= 10; round++) {
      const sha = await git.commit(
        chain.repo,
        { [`notes/round-${round}.txt`]: `${round}\n` },
        `release ${round}`,
      );
      const [deployed, reported] = await Promise.all([
        callPortal(`${chain.entityPath}/deploys`, {
          method: 'POST',
          body: {
            environment: 'development',
            changes: { env: { CHAIN_ROUND: String(round) } },
            message: `chain round ${round}`,
          },
        }),
        reportPipeline({
          entityRef: `component:default/${chain.id}`,
          environment: 'staging',
          revision: sha,
          pipeline: 'release',
          pipelineUrl: `https://ci.example.com/runs/chain-${round}`,
        }),
      ]);
      expect([round, deployed.status, reported.status]).toEqual([
        round,
        201,
        201,
      ]);
      const ids: number[] = [
        (await deployed.json()).deploy.id,
        (await reported.json()).deploy.id,
      ];
      const settled = await Promise.all(ids.map(id => chain.settled(id)));
      expect(
        settled.map(d => [round, d.environment, d.status, d.message]),
      ).toEqual([
        [round, 'development', 'succeeded', expect.any(String)],
        [round, 'staging', 'succeeded', expect.any(String)],
      ]);
    }
  }, 900_000);
});
