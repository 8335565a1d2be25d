import { TableColumn } from '@backstage/core-components';
import { FluxObjectStatus } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { relativeTime } from './format';
import { SyncStateLabel } from './SyncStateLabel';
import { NO_WRAP, SHRINKING } from './tableCells';
import { TruncatedText } from './TruncatedText';

/** What the object runs and what it waits for, one line. */
function relations(o: FluxObjectStatus): string {
  return [
    ...o.dependsOn.map(
      d => `needs ${d.name}${d.state ? ` (${d.state})` : ' (not found)'}`,
    ),
    ...o.workloads.map(
      w => `${w.kind} ${w.name}${w.health ? ` ${w.health} ${w.ready}` : ''}`,
    ),
  ].join('; ');
}

/** A name on the first line, a caption under it; each on one line, whole on hover. */
function TwoLines(props: { name: string; caption: string; bold?: boolean }) {
  return (
    <>
      <Typography
        variant="body2"
        component="div"
        style={props.bold ? { fontWeight: 500 } : undefined}
      >
        <TruncatedText text={props.name} />
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        <TruncatedText text={props.caption} />
      </Typography>
    </>
  );
}

/**
 * The columns of every Flux objects table (the GitOps tab's and the GitOps
 * page's), with fixed widths that fit 1280 px and leave the message the
 * rest. `where` adds the namespace and cluster, for lists across entities.
 */
export function fluxObjectColumns(
  options: { where?: boolean } = {},
): TableColumn<FluxObjectStatus>[] {
  return [
    {
      title: 'State',
      // Room for "retrying (3 of 5)" under the state.
      width: '150px',
      cellStyle: NO_WRAP,
      render: o => (
        <SyncStateLabel state={o.state} retrying={o.retrying} stacked />
      ),
    },
    {
      title: 'Object',
      width: '190px',
      cellStyle: SHRINKING,
      render: o => (
        <TwoLines
          bold
          name={o.name}
          caption={[
            o.kind,
            o.environment,
            o.suspended ? 'suspended' : undefined,
          ]
            .filter(Boolean)
            .join(' · ')}
        />
      ),
    },
    ...(options.where
      ? [
          {
            title: 'Where',
            width: '180px',
            cellStyle: SHRINKING,
            render: (o: FluxObjectStatus) => (
              <TwoLines name={o.namespace} caption={o.cluster} />
            ),
          },
        ]
      : []),
    {
      title: 'Revision',
      field: 'shortRevision',
      // "main@<sha>" whole; a longer branch name is cut, whole on hover.
      width: '150px',
      cellStyle: SHRINKING,
      render: o => <TruncatedText text={o.shortRevision} />,
    },
    {
      title: 'Updated',
      // "22 minutes ago" whole.
      width: '155px',
      cellStyle: NO_WRAP,
      render: o => relativeTime(o.lastTransitionTime),
    },
    {
      title: 'Message',
      cellStyle: SHRINKING,
      render: o => (
        <>
          <TruncatedText text={o.message} />
          {relations(o) && (
            <Typography variant="caption" color="textSecondary" component="div">
              <TruncatedText text={relations(o)} />
            </Typography>
          )}
        </>
      ),
    },
  ];
}
