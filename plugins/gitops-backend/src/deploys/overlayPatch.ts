import { InputError } from '@backstage/errors';
import { isMap, isSeq, parse, parseDocument, stringify } from 'yaml';
import {
  buildDeploymentPatch,
  DeployChanges,
  DeploymentPatch,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * The strategic-merge patch the portal owns in each overlay. Deploys from
 * the portal change only this file (and list it in kustomization.yaml), so
 * hand-written overlay files stay as their authors wrote them.
 */
export const DEPLOY_PATCH_FILE = 'gitops-deploy-patch.yaml';

const HEADER =
  'Written by the GitOps portal: deploys from Backstage change this patch.\n' +
  'Edits by hand are kept and shown in the next deploy preview.';

export interface OverlayFiles {
  kustomization: string;
  patch?: string;
}

/**
 * Applies a deploy's changes to an overlay: merges them into the portal's
 * patch of the Deployment's container and makes sure kustomization.yaml
 * lists the patch last, so it wins over the overlay's own patches.
 */
export function applyDeployChanges(options: {
  files: OverlayFiles;
  deployment: string;
  container: string;
  changes: DeployChanges;
}): OverlayFiles {
  const { files, deployment, container, changes } = options;
  const current = readPatch(files.patch);
  let patch: DeploymentPatch;
  try {
    patch = buildDeploymentPatch({
      patch: current,
      deployment,
      container,
      changes,
    });
  } catch (error) {
    // The builder throws only for a part of the patch with the wrong shape.
    throw new InputError(
      `${DEPLOY_PATCH_FILE} in the overlay: ${(error as Error).message}`,
    );
  }
  return {
    kustomization: listPatch(files.kustomization),
    patch: `# ${HEADER.replace(/\n/g, '\n# ')}\n${stringify(patch)}`,
  };
}

/**
 * The first container an overlay's patch names, read from the parsed YAML:
 * the patch is tenant content, so no backtracking pattern runs over it.
 */
export function containerNamedInPatch(
  patchText: string | undefined,
): string | undefined {
  let patch: any;
  try {
    patch = patchText ? parse(patchText) : undefined;
  } catch {
    return undefined;
  }
  const containers = patch?.spec?.template?.spec?.containers;
  const name = Array.isArray(containers) ? containers[0]?.name : undefined;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The portal's current values in an overlay's patch, for the form. */
export function currentPatchValues(
  patchText: string | undefined,
  container: string,
): DeployChanges {
  if (!patchText) {
    return {};
  }
  const patch = parse(patchText);
  const target = patch?.spec?.template?.spec?.containers?.find(
    (c: any) => c?.name === container,
  );
  const env: Record<string, string> = {};
  for (const e of target?.env ?? []) {
    if (e?.name && typeof e.value === 'string') {
      env[e.name] = e.value;
    }
  }
  return {
    image: target?.image,
    replicas: patch?.spec?.replicas,
    env,
    resources: target?.resources,
  };
}

function readPatch(text: string | undefined): unknown {
  try {
    return text ? parse(text) : undefined;
  } catch (error) {
    throw new InputError(
      `${DEPLOY_PATCH_FILE} in the overlay is not valid YAML: ${error}`,
    );
  }
}

function listPatch(kustomizationText: string): string {
  const document = parseDocument(kustomizationText);
  if (document.errors.length > 0 || !isMap(document.contents)) {
    throw new InputError(
      `the overlay's kustomization.yaml is not a YAML mapping: ${
        document.errors[0]?.message ?? 'unexpected content'
      }`,
    );
  }
  const patches = document.get('patches');
  const listed =
    isSeq(patches) &&
    patches.items.some(
      (item: any) => isMap(item) && item.get('path') === DEPLOY_PATCH_FILE,
    );
  if (listed) {
    return kustomizationText;
  }
  if (patches !== undefined && !isSeq(patches)) {
    throw new InputError(
      "the overlay's kustomization.yaml has a 'patches' field that is not a list",
    );
  }
  if (isSeq(patches)) {
    patches.items.push(document.createNode({ path: DEPLOY_PATCH_FILE }));
  } else {
    document.set('patches', [{ path: DEPLOY_PATCH_FILE }]);
  }
  return document.toString();
}
