import {
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import { useFluxEvents } from '../../hooks';
import { ObjectDialog } from './ObjectDialog';
import { relativeTime } from '../shared';

/** Events of an object and of its source, newest first. */
export function EventsDialog(props: {
  object?: FluxObjectStatus;
  onClose: () => void;
}) {
  const { object, onClose } = props;
  if (!object) {
    return null;
  }
  return (
    <ObjectDialog what="Events" object={object} onClose={onClose}>
      <EventsTable object={object} />
    </ObjectDialog>
  );
}

function EventsTable(props: { object: FluxObjectStatus }) {
  const { entity } = useEntity();
  const { value, loading, error } = useFluxEvents(
    getCompoundEntityRef(entity),
    props.object,
  );
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <Table
      options={{
        // No drag handles: they nest buttons in the header buttons.
        draggable: false,
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      data={value ?? []}
      columns={[
        { title: 'Object', render: e => `${e.kind}/${e.name}` },
        { title: 'Type', field: 'type' },
        { title: 'Reason', field: 'reason' },
        { title: 'Message', field: 'message' },
        { title: 'Count', field: 'count' },
        { title: 'Last seen', render: e => relativeTime(e.lastSeen) },
      ]}
      emptyContent={
        <div style={{ padding: 16 }}>No events in the last hour.</div>
      }
    />
  );
}
