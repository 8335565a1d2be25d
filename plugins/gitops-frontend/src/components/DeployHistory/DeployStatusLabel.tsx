import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import {
  DeployMethod,
  DeployStatus,
} from '@gitops-backstage/plugin-gitops-common';

const METHOD_STYLE: Record<DeployMethod, { label: string; color: string }> = {
  'gitops-ui': { label: 'gitops-ui', color: '#1565c0' },
  'gitops-git': { label: 'gitops-git', color: '#2e7d32' },
  pipeline: { label: 'pipeline', color: '#6a1b9a' },
  // Dark enough for white text (WCAG AA).
  manual: { label: 'manual', color: '#bf360c' },
};

/** A distinct chip per deploy method. */
export function MethodChip(props: { method: DeployMethod }) {
  const style = METHOD_STYLE[props.method];
  return (
    <Chip
      size="small"
      label={style.label}
      data-testid={`method-${props.method}`}
      style={{ backgroundColor: style.color, color: '#fff' }}
    />
  );
}

/** A deploy's status with Backstage's status icons. */
export function DeployStatusLabel(props: { status: DeployStatus }) {
  switch (props.status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'progressing':
      return <StatusRunning>progressing</StatusRunning>;
    default:
      return <StatusPending>pending</StatusPending>;
  }
}

/** "1m 20s" between two times, or undefined while running. */
export function duration(from: string, to?: string): string | undefined {
  if (!to) {
    return undefined;
  }
  const seconds = Math.max(
    0,
    Math.round((Date.parse(to) - Date.parse(from)) / 1000),
  );
  if (seconds < 60) {
    return `${seconds}s`;
  }
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}
