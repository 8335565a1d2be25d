import { KeyboardEvent, useState } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  text: {
    display: 'block',
    maxWidth: '100%',
    cursor: 'pointer',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 2,
    },
  },
  cut: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  // Expanded: wraps between words; only a token longer than the line (a
  // URL, a digest) may break.
  whole: {
    whiteSpace: 'pre-wrap',
    wordBreak: 'normal',
    overflowWrap: 'anywhere',
  },
}));

/**
 * Long text (Flux messages) on one line, cut with an ellipsis: the whole
 * text on hover, and on click or Enter it expands in place. Screen readers
 * get it in full: it is only cut visually.
 */
export function TruncatedText(props: { text?: string; testId?: string }) {
  const classes = useStyles();
  const [expanded, setExpanded] = useState(false);
  const { text } = props;
  if (!text) {
    return <>—</>;
  }
  const toggle = () => setExpanded(!expanded);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle();
    }
  };
  return (
    <Tooltip
      title={expanded ? '' : <span className={classes.whole}>{text}</span>}
      placement="bottom-start"
    >
      <span
        role="button"
        tabIndex={0}
        aria-expanded={expanded}
        className={`${classes.text} ${expanded ? classes.whole : classes.cut}`}
        onClick={toggle}
        onKeyDown={onKeyDown}
        data-testid={props.testId ?? 'truncated-text'}
      >
        {text}
      </span>
    </Tooltip>
  );
}
