import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { FluxRetry, SyncState } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { NO_WRAP } from './tableCells';

const icons: Record<SyncState, typeof StatusOK> = {
  Ready: StatusOK,
  Failed: StatusError,
  Reconciling: StatusRunning,
  Suspended: StatusAborted,
  Stale: StatusWarning,
  Unknown: StatusPending,
};

/**
 * "retrying (3 of 5)": the third of five retries Flux allows, "retrying
 * (3 failures)" without a limit, "retrying" where Flux counts none; absent
 * unless the object is Failed and Flux tries again on its own.
 */
function retryNote(
  state: SyncState,
  retrying?: FluxRetry,
): { text: string; detail?: string } | undefined {
  if (state !== 'Failed' || !retrying) {
    return undefined;
  }
  const { failures, maxRetries } = retrying;
  if (!failures) {
    return { text: 'retrying' };
  }
  const attempts = `${failures} failed attempt${failures === 1 ? '' : 's'}`;
  return maxRetries
    ? {
        text: `retrying (${failures} of ${maxRetries})`,
        detail: `Flux tries again: ${attempts}, ${maxRetries} retries allowed`,
      }
    : {
        text: `retrying (${failures} failure${failures === 1 ? '' : 's'})`,
        detail: `Flux tries again: ${attempts}`,
      };
}

/**
 * A sync state with Backstage's status icon. The word is always there: the
 * colour is never the only signal. A Failed object Flux retries reads
 * "Failed · retrying (3 of 5)"; `stacked` puts the note on a caption line
 * of its own, for narrow table cells.
 */
export function SyncStateLabel(props: {
  state: SyncState;
  retrying?: FluxRetry;
  stacked?: boolean;
}) {
  const Icon = icons[props.state] ?? StatusPending;
  const note = retryNote(props.state, props.retrying);
  if (note && props.stacked) {
    return (
      <>
        <span style={{ whiteSpace: 'nowrap' }}>
          <Icon>{props.state}</Icon>
        </span>
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          style={NO_WRAP}
          title={note.detail}
        >
          {note.text}
        </Typography>
      </>
    );
  }
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <Icon>
        {note ? (
          // The note moves under the state, whole, where the line is short.
          <span style={{ whiteSpace: 'normal' }}>
            {props.state}{' '}
            <span
              style={{ display: 'inline-block', whiteSpace: 'nowrap' }}
              title={note.detail}
            >
              · {note.text}
            </span>
          </span>
        ) : (
          props.state
        )}
      </Icon>
    </span>
  );
}
