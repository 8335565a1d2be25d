import { FluxResource } from '../status';
import {
  apiStatusReason,
  impersonatedAccount,
  missingKind,
  notFoundInMessage,
  objectInMessage,
} from './messages';
import { asRef, verdict } from './verdict';

/** The API server refused the apply; the controller quotes why in the message. */
export function byApiStatus(object: FluxResource, message: string) {
  const status = apiStatusReason(message);
  const subject = objectInMessage(message);
  if (/field is immutable/.test(message)) {
    return verdict(
      'api-status',
      'CONFLICT',
      `The API server refused to change an immutable field of ${
        subject ? `${subject.kind} ${subject.name}` : 'an applied object'
      } (Invalid: field is immutable).`,
      object.kind === 'Kustomization'
        ? 'Recreate the object: delete it and let Flux apply it again (downtime while it is gone), or set spec.force: true on the Kustomization so Flux recreates objects with immutable changes itself (every such change then deletes and recreates, including data-bearing objects).'
        : 'Recreate the object: delete it and reconcile (downtime while it is gone), or set spec.upgrade.force: true on the HelmRelease so Helm replaces it (every upgrade then recreates).',
      subject ? asRef(subject) : undefined,
    );
  }
  const kind = missingKind(message);
  if (kind) {
    const isFlux = /toolkit\.fluxcd\.io/.test(kind.apiVersion);
    return verdict(
      'api-status',
      isFlux ? 'FLUX_NOT_INSTALLED' : 'RESOURCE_NOT_FOUND',
      `The cluster does not serve kind ${kind.kind} in ${kind.apiVersion}: its CustomResourceDefinition is not installed.`,
      isFlux
        ? 'Install Flux (flux install) so its CRDs are registered.'
        : `Install the CRD of ${kind.kind} before this object (e.g. a Kustomization it dependsOn), or remove the manifest.`,
      { kind: 'CustomResourceDefinition', name: kind.kind },
    );
  }
  switch (status) {
    case 'Forbidden': {
      const account = impersonatedAccount(message);
      return verdict(
        'api-status',
        'INSUFFICIENT_PERMISSIONS',
        `The API server denied the apply (Forbidden)${
          account
            ? ` to ServiceAccount ${account.namespace}/${account.name}, which the controller impersonates`
            : ''
        }.`,
        account
          ? `Grant ServiceAccount ${account.namespace}/${account.name} the verbs in the message, e.g. kubectl -n ${account.namespace} create rolebinding ${account.name}-admin --clusterrole=admin --serviceaccount=${account.namespace}:${account.name}.`
          : 'Grant the controller (or spec.serviceAccountName) the RBAC verbs named in the message.',
        account
          ? { ...account, field: 'spec.serviceAccountName' }
          : subject && asRef(subject),
      );
    }
    case 'AlreadyExists':
    case 'Conflict':
      return verdict(
        'api-status',
        'CONFLICT',
        `${
          subject ? `${subject.kind} ${subject.name}` : 'An object'
        } already exists and is owned by someone else (${status}).`,
        object.kind === 'HelmRelease'
          ? 'Delete the existing object, or adopt it into the release by adding the labels app.kubernetes.io/managed-by=Helm and annotations meta.helm.sh/release-name/-namespace to it.'
          : 'Delete the old object or remove it from whoever else manages it, then reconcile.',
        subject ? asRef(subject) : undefined,
      );
    case 'Invalid':
    case 'BadRequest':
      return verdict(
        'api-status',
        'YAML_INVALID',
        `The API server rejected ${
          subject ? `${subject.kind} ${subject.name}` : 'a manifest'
        } as invalid.`,
        'Fix the field the message names in the manifest (kubectl apply --dry-run=server -f <file> shows the same error).',
        subject ? asRef(subject) : undefined,
      );
    case 'NotFound': {
      const missing = notFoundInMessage(message)[0] ?? subject;
      return verdict(
        'api-status',
        'RESOURCE_NOT_FOUND',
        `${
          missing
            ? `${missing.kind} ${missing.name}`
            : 'An object the apply needs'
        } does not exist.`,
        missing?.kind === 'Namespace'
          ? `Create namespace ${missing.name} (or add it to the manifests before what goes in it), or set spec.targetNamespace.`
          : 'Create the missing object or correct the name.',
        missing ? asRef(missing) : undefined,
      );
    }
    default:
      return undefined;
  }
}
