import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode } from 'react';

/** A wide dialog about one Flux object, titled "<what> of <kind> <ns>/<name>". */
export function ObjectDialog(props: {
  what: 'Events' | 'Inventory' | 'Drift';
  object: FluxObjectStatus;
  onClose: () => void;
  children: ReactNode;
}) {
  const { what, object, onClose, children } = props;
  const titleId = `gitops-${what.toLowerCase()}-title`;
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>
        {what} of {object.kind} {object.namespace}/{object.name}
      </DialogTitle>
      <DialogContent>{children}</DialogContent>
    </Dialog>
  );
}
