import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readClusterDetails } from './clusterConfig';

function config(clusterLocatorMethods: JsonObject[]) {
  return new ConfigReader({ kubernetes: { clusterLocatorMethods } });
}

describe('readClusterDetails', () => {
  it('reads config-located clusters and ignores other locators', () => {
    const clusters = readClusterDetails(
      config([
        { type: 'catalog' },
        {
          type: 'config',
          clusters: [
            {
              name: 'local',
              url: 'https://127.0.0.1:16443',
              authProvider: 'serviceAccount',
              serviceAccountToken: 'secret-token',
              caData: 'Y2E=',
            },
            {
              name: 'prod',
              title: 'Production',
              url: 'https://prod:6443',
              authProvider: 'serviceAccount',
              serviceAccountToken: 't',
              skipTLSVerify: true,
            },
          ],
        },
      ]),
    );
    expect(clusters.map(c => [c.name, c.skipTLSVerify, c.caData])).toEqual([
      ['local', false, 'Y2E='],
      ['prod', true, undefined],
    ]);
  });

  it('returns no clusters when nothing is configured', () => {
    expect(readClusterDetails(new ConfigReader({}))).toEqual([]);
  });

  it('names the cluster whose token is missing', () => {
    expect(() =>
      readClusterDetails(
        config([
          {
            type: 'config',
            clusters: [
              {
                name: 'local',
                url: 'https://x',
                authProvider: 'serviceAccount',
              },
            ],
          },
        ]),
      ),
    ).toThrow(/cluster 'local'.*serviceAccountToken/);
  });

  it('refuses a cluster name used twice', () => {
    const cluster = { name: 'a', url: 'https://x', authProvider: 'oidc' };
    expect(() =>
      readClusterDetails(
        config([{ type: 'config', clusters: [cluster, cluster] }]),
      ),
    ).toThrow(/'a' is used twice/);
  });

  it("takes the GitOps plugins' own token of a cluster from gitops.clusterCredentials", () => {
    const kubernetes = {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'local',
              url: 'https://127.0.0.1:16443',
              authProvider: 'serviceAccount',
              serviceAccountToken: 'read-only-token',
            },
            { name: 'other', url: 'https://o:6443', authProvider: 'oidc' },
          ],
        },
      ],
    };
    const clusters = readClusterDetails(
      new ConfigReader({
        kubernetes,
        gitops: {
          clusterCredentials: [
            { name: 'local', serviceAccountToken: 'gitops-token' },
          ],
        },
      }),
    );
    expect(clusters.map(c => [c.name, c.serviceAccountToken])).toEqual([
      ['local', 'gitops-token'],
      ['other', undefined],
    ]);
    expect(() =>
      readClusterDetails(
        new ConfigReader({
          kubernetes,
          gitops: {
            clusterCredentials: [{ name: 'typo', serviceAccountToken: 't' }],
          },
        }),
      ),
    ).toThrow("gitops.clusterCredentials: no cluster 'typo'");
  });
});
