import { ScmIntegrationRegistry } from '@backstage/integration';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  DeployKeyHost,
  EnsuredDeployKey,
  ensureDeployKey,
} from '@gitops-backstage/plugin-gitops-node';

/**
 * The read-only deploy key of one environment: the one its Secret holds
 * while the host still lists it, else a new one that replaces it once
 * stored (see `settleDeployKey`).
 */
export async function ensureEnvironmentDeployKey(options: {
  repoUrl: string;
  host: DeployKeyHost;
  projectId: string;
  environment: string;
  /** The environment's Git Secret as the cluster holds it, if any. */
  storedSecret: { data?: Record<string, string> } | undefined;
  integrations: ScmIntegrationRegistry;
  fetch?: typeof fetch;
}): Promise<EnsuredDeployKey> {
  const identity = options.storedSecret?.data?.identity;
  return ensureDeployKey({
    repoUrl: options.repoUrl,
    host: options.host,
    title: `flux ${options.projectId} ${options.environment}`,
    existingPrivateKey: identity
      ? Buffer.from(identity, 'base64').toString()
      : undefined,
    integrations: options.integrations,
    fetch: options.fetch,
  });
}

/**
 * A new deploy key replaces the previous one only once its Secret is
 * stored; when the Secret was not written, the new key goes again and the
 * environment keeps the key it had. An apply that answered an error may
 * still have landed: the Secret is read before the key is taken back.
 */
export async function settleDeployKey(
  key: EnsuredDeployKey | undefined,
  secretStored: boolean,
  readStoredPublicKey: () => Promise<string | undefined>,
  log: (line: string) => void,
): Promise<void> {
  if (!key?.created) {
    return;
  }
  try {
    const stored =
      secretStored ||
      (await readStoredPublicKey().catch(() => undefined)) ===
        key.data['identity.pub'];
    if (stored) {
      await key.retirePrevious();
    } else {
      await key.withdraw();
      log('the new deploy key was removed again: its Secret was not written');
    }
  } catch (error) {
    log(`the deploy keys could not be tidied: ${(error as Error).message}`);
  }
}

/** The public key a Git Secret holds now, if any. */
export async function storedPublicKey(
  client: KubernetesObjectApi,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const secret = (await client.read({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
  })) as { data?: Record<string, string> };
  const pub = secret.data?.['identity.pub'];
  return pub ? Buffer.from(pub, 'base64').toString() : undefined;
}
