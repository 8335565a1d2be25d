import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  CheckResult,
  ClusterState,
  HealthReport,
} from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { useHealthReports } from '../../hooks';
import { NO_WRAP, relativeTime, SHRINKING, TruncatedText } from '../shared';
import { FindingList } from './FindingList';

const statusIcons = {
  passed: StatusOK,
  warning: StatusWarning,
  failed: StatusError,
  skipped: StatusPending,
};

// Fixed widths that fit 1280 px; the summary gets the rest, on one line.
const checkColumns: TableColumn<CheckResult>[] = [
  {
    title: 'Check',
    field: 'title',
    width: '200px',
    cellStyle: SHRINKING,
    render: c => <TruncatedText text={c.title} />,
  },
  {
    title: 'Result',
    width: '120px',
    cellStyle: NO_WRAP,
    render: c => {
      const Icon = statusIcons[c.status];
      return <Icon>{c.status}</Icon>;
    },
  },
  {
    title: 'Summary',
    cellStyle: SHRINKING,
    render: c => <TruncatedText text={c.summary} />,
  },
  {
    title: 'Time',
    // "12345 ms" whole: a check over a second was cut at 90 px.
    width: '110px',
    cellStyle: NO_WRAP,
    render: c => `${c.durationMs} ms`,
  },
];

function ReportCard(props: {
  report: HealthReport;
  code?: string;
  onChange: () => void;
}) {
  const { report, code } = props;
  const Icon = statusIcons[report.status];
  const findings = code
    ? report.findings.filter(f => f.code === code)
    : report.findings;
  return (
    <InfoCard
      title={`Cluster ${report.cluster}`}
      subheader={
        <>
          <Icon>{report.status}</Icon>
          <Box component="span" ml={1}>
            checked {relativeTime(report.finishedAt)} ({report.trigger}
            {report.triggeredBy ? ` by ${report.triggeredBy}` : ''})
          </Box>
        </>
      }
    >
      <Table
        options={{
          // No drag handles: they nest buttons in the header buttons.
          draggable: false,
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
          tableLayout: 'fixed',
        }}
        data={report.checks}
        columns={checkColumns}
      />
      <Box mt={2}>
        <Typography variant="h5">
          Findings{code ? ` with code ${code}` : ''} ({findings.length})
        </Typography>
        {findings.length === 0 ? (
          <Typography variant="body2">No problems found.</Typography>
        ) : (
          <FindingList findings={findings} onRepaired={props.onChange} />
        )}
      </Box>
    </InfoCard>
  );
}

/** A configured cluster no health check has reported on yet. */
function UncheckedClusterCard(props: { cluster: ClusterState }) {
  const { cluster } = props;
  return (
    <InfoCard title={`Cluster ${cluster.name}`} subheader="not checked yet">
      <Typography variant="body2">
        {cluster.state === 'unreachable'
          ? `The portal cannot read this cluster: ${
              cluster.error ?? 'no answer'
            }`
          : 'No health check of this cluster has run yet: run one now, or wait for the schedule.'}
      </Typography>
    </InfoCard>
  );
}

/**
 * Health checks of every cluster: run now, the latest results, findings
 * with their fixes and repairs. `?code=` narrows to one error code.
 *
 * @public
 */
export function HealthPage() {
  const api = useApi(gitopsApiRef);
  const [searchParams] = useSearchParams();
  const code = searchParams.get('code') ?? undefined;
  const reports = useHealthReports();
  // Every configured cluster has a card, also before its first check.
  const clusters = useAsync(() => api.listClusters(), [api, reports.value]);
  const unchecked =
    reports.value && clusters.value
      ? clusters.value.filter(
          c => !reports.value!.some(r => r.cluster === c.name),
        )
      : [];
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<Error>();

  const runNow = async () => {
    setRunning(true);
    setRunError(undefined);
    try {
      await api.runHealthCheck();
      reports.retry();
    } catch (e) {
      setRunError(e as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Button
            variant="contained"
            color="primary"
            onClick={runNow}
            disabled={running}
          >
            {running ? 'Running health check…' : 'Run health check'}
          </Button>
          {code && (
            <Typography variant="body2">
              Showing findings with code <b>{code}</b>.
            </Typography>
          )}
        </Box>
        {running && <Progress />}
        {runError && <ResponseErrorPanel error={runError} />}
      </Grid>
      {reports.error && (
        <Grid item xs={12}>
          <ResponseErrorPanel error={reports.error} />
        </Grid>
      )}
      {reports.value?.length === 0 && (
        <Grid item xs={12}>
          <WarningPanel
            severity="info"
            title="No health check has run yet"
            message="Run one now; the backend also runs them on its schedule (gitops.health.schedule)."
          />
        </Grid>
      )}
      {reports.value?.map(report => (
        <Grid item xs={12} key={report.id}>
          <ReportCard report={report} code={code} onChange={reports.retry} />
        </Grid>
      ))}
      {unchecked.map(cluster => (
        <Grid item xs={12} key={`unchecked-${cluster.name}`}>
          <UncheckedClusterCard cluster={cluster} />
        </Grid>
      ))}
    </Grid>
  );
}
