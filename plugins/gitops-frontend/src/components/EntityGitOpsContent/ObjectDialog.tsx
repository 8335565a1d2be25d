import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode } from 'react';

/** The tab's wide dialog: a title that names it, content, optional actions. */
export function WideDialog(props: {
  titleId: string;
  title: ReactNode;
  onClose: () => void;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { titleId, title, onClose, actions, children } = props;
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>{children}</DialogContent>
      {actions && <DialogActions>{actions}</DialogActions>}
    </Dialog>
  );
}

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
