import type { GitOpsErrorCode } from '@gitops-backstage/plugin-gitops-common';
import { TestGitServer } from '../stack/gitea';
import { FluxObject, TestCluster } from '../stack/kube';
import { KUSTOMIZE_API, SOURCE_API } from '../stack/fluxPair';

export const HELM_API = 'helm.toolkit.fluxcd.io/v2';

/** What every scenario can use: the namespace and the corpus repository. */
export interface CorpusContext {
  cluster: TestCluster;
  git: TestGitServer;
  namespace: string;
  /** The corpus repository in Gitea. */
  repo: string;
  /** Secret with the right Git credentials. */
  gitSecret: string;
  /** A GitRepository of the corpus repository that is Ready. */
  source: string;
}

/** One failure provoked on the stack, and what a person would call it. */
export interface Scenario {
  /** The fixture's file name and the captured object's name. */
  name: string;
  kind: string;
  /** What was done to break it. */
  description: string;
  expected: {
    code: GitOpsErrorCode;
    /** The broken reference as `Kind/name`, when there is one to name. */
    reference?: string;
  };
  /** Runs before a cluster-wide fault, with the cluster still whole. */
  prepare?(ctx: CorpusContext): Promise<void>;
  provoke(ctx: CorpusContext): Promise<void>;
  /** Until when the failure is still forming (default: Ready=False settles it). */
  settled?(object: FluxObject): boolean;
  /** Cluster-wide faults run one at a time, after the others. */
  clusterWide?: {
    /** Breaks the cluster; returns what puts it back. */
    breakCluster(ctx: CorpusContext): Promise<() => Promise<void>>;
  };
}

export const apiVersionOf: Record<string, string> = {
  Kustomization: KUSTOMIZE_API,
  HelmRelease: HELM_API,
  GitRepository: SOURCE_API,
  OCIRepository: SOURCE_API,
  HelmRepository: SOURCE_API,
  HelmChart: SOURCE_API,
  Bucket: SOURCE_API,
};
