import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { useDrift } from '../../hooks';
import { driftSummary } from './DriftDialog';

/** The drift line of an environment card: a count that opens the list. */
export function EnvironmentDrift(props: {
  object: FluxObjectStatus;
  liveIds?: string[];
  onOpen: (object: FluxObjectStatus) => void;
}) {
  const { object, liveIds, onOpen } = props;
  const { entity } = useEntity();
  const { value, loading, error } = useDrift(
    getCompoundEntityRef(entity),
    object,
    liveIds,
  );
  if (!value && loading) {
    return (
      <Typography variant="body2" component="span" color="textSecondary">
        checking…
      </Typography>
    );
  }
  if (!value) {
    return (
      <Typography variant="body2" component="span" title={error?.message}>
        cannot be read
      </Typography>
    );
  }
  const summary = driftSummary(value);
  if (summary === 'none') {
    return (
      <Link component="button" variant="body2" onClick={() => onOpen(object)}>
        none
      </Link>
    );
  }
  return (
    <Link
      component="button"
      variant="body2"
      style={{ fontWeight: 700 }}
      onClick={() => onOpen(object)}
      data-testid="drift-count"
    >
      {summary}
    </Link>
  );
}
