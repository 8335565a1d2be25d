import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { ReactNode } from 'react';
import { WideDialog } from '../shared';

/** A wide dialog about one Flux object, titled "<what> of <kind> <ns>/<name>". */
export function ObjectDialog(props: {
  what: 'Events' | 'Inventory' | 'Drift';
  object: FluxObjectStatus;
  onClose: () => void;
  children: ReactNode;
}) {
  const { what, object, onClose, children } = props;
  return (
    <WideDialog
      titleId={`gitops-${what.toLowerCase()}-title`}
      title={`${what} of ${object.kind} ${object.namespace}/${object.name}`}
      onClose={onClose}
    >
      {children}
    </WideDialog>
  );
}
