import {
  DependencyGraph,
  DependencyGraphTypes,
  InfoCard,
  WarningPanel,
} from '@backstage/core-components';
import {
  FluxDependencyNode,
  FluxObjectStatus,
  SyncState,
  dependencyGraphAround,
  fluxDependencyGraph,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { Theme, makeStyles, useTheme } from '@material-ui/core/styles';
import { KeyboardEvent, useMemo } from 'react';

const useStyles = makeStyles(theme => ({
  graph: { width: '100%', minHeight: 160 },
  node: { cursor: 'pointer', '&:focus': { outline: 'none' } },
  staticNode: { cursor: 'default' },
  caption: { marginTop: theme.spacing(1) },
}));

// The outline carries the state's colour; the word is always written too.
function stateColour(theme: Theme, state?: SyncState): string {
  switch (state) {
    case 'Ready':
      return theme.palette.success.main;
    case 'Failed':
      return theme.palette.error.main;
    case 'Reconciling':
      return theme.palette.info.main;
    case 'Stale':
      return theme.palette.warning.main;
    default:
      return theme.palette.text.secondary;
  }
}

const PADDING = 10;
const LINE = 18;
// Measured by DependencyGraph after render; a width from the text's length
// keeps the outline around it before the font is known.
const TITLE_CHAR_WIDTH = 8.2;
const CHAR_WIDTH = 7;

function nodeLines(node: FluxDependencyNode): [string, string] {
  const status = node.missing
    ? 'missing'
    : `${node.state ?? 'Unknown'}${node.inCycle ? ' · in a cycle' : ''}`;
  return [`${node.kind} ${node.name}`, `${node.namespace} · ${status}`];
}

function Node(props: {
  node: FluxDependencyNode;
  onOpen?: (node: FluxDependencyNode) => void;
}) {
  const { node, onOpen } = props;
  const classes = useStyles();
  const theme = useTheme();
  const [title, detail] = nodeLines(node);
  const width =
    Math.max(title.length * TITLE_CHAR_WIDTH, detail.length * CHAR_WIDTH) +
    2 * PADDING;
  const height = 2 * LINE + 2 * PADDING;
  const open = onOpen && node.object ? () => onOpen(node) : undefined;
  const colour = node.inCycle
    ? theme.palette.error.main
    : stateColour(theme, node.state);
  return (
    <g
      className={open ? classes.node : classes.staticNode}
      data-testid={`dependency-node-${node.kind}-${node.namespace}-${node.name}`}
      role={open ? 'button' : 'img'}
      tabIndex={open ? 0 : undefined}
      onClick={open}
      onKeyDown={
        open
          ? (event: KeyboardEvent) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                open();
              }
            }
          : undefined
      }
    >
      <rect
        width={width}
        height={height}
        rx={6}
        fill={theme.palette.background.paper}
        stroke={colour}
        strokeWidth={node.inCycle || node.missing ? 3 : 2}
        strokeDasharray={node.missing || node.inCycle ? '6 4' : undefined}
      />
      {/* One text, two lines: its words are the node's accessible name. */}
      <text fill={theme.palette.text.primary}>
        <tspan x={PADDING} y={PADDING + 13} fontSize={13} fontWeight={700}>
          {title}
        </tspan>
        <tspan x={PADDING} y={PADDING + LINE + 13} fontSize={12}>
          {` ${detail}`}
        </tspan>
      </text>
    </g>
  );
}

const describeNode = (node?: FluxDependencyNode) =>
  node ? `${node.kind} ${node.namespace}/${node.name}` : '?';

/**
 * The `dependsOn` graph of Flux objects, in promotion order, nodes outlined
 * in their state's colour, cycles and missing objects marked and named.
 * `onOpen` is called with the object of a node clicked.
 */
export function FluxDependencyGraph(props: {
  objects: FluxObjectStatus[];
  title?: string;
  subheader?: string;
  onOpen?: (object: FluxObjectStatus) => void;
  /** Draws only the chains of the objects it picks (page filters). */
  matches?: (object: FluxObjectStatus) => boolean;
}) {
  const { objects, title = 'Dependencies', subheader, onOpen, matches } = props;
  const classes = useStyles();
  // A status reload brings new objects, mostly unchanged: a new graph (and
  // a new layout, nodes hidden until it settles) only when what is drawn
  // changes.
  const drawn = objects
    .map(
      o =>
        `${o.cluster}/${o.kind}/${o.namespace}/${o.name}:${
          o.state
        }:${o.dependsOn
          .map(d => `${d.namespace}/${d.name}:${d.state}`)
          .join(',')}`,
    )
    .join('\n');
  const whole = useMemo(
    () => fluxDependencyGraph(objects),
    [drawn], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const graph = matches
    ? dependencyGraphAround(whole, n => Boolean(n.object && matches(n.object)))
    : whole;
  const byId = new Map(graph.nodes.map(n => [n.id, n]));
  const missing = graph.nodes.filter(n => n.missing);
  const waitingFor = (node: FluxDependencyNode) => {
    const waiting = graph.edges
      .filter(e => e.from === node.id)
      .map(e => describeNode(byId.get(e.to)));
    return `${waiting.join(', ')} ${
      waiting.length === 1 ? 'waits' : 'wait'
    } for it forever.`;
  };

  return (
    <InfoCard title={title} subheader={subheader} noPadding={false}>
      <div data-testid="dependency-graph">
        {graph.cycles.map(cycle => (
          <WarningPanel
            key={cycle.join()}
            severity="error"
            title={`dependsOn cycle: ${[...cycle, cycle[0]]
              .map(id => byId.get(id)?.name ?? id)
              .join(' → ')}`}
            message="Each object waits for the one before it: Flux applies none of them until one dependsOn is removed."
          />
        ))}
        {missing.map(node => (
          <WarningPanel
            key={node.id}
            severity="error"
            title={`${describeNode(node)} does not exist on cluster ${
              node.cluster
            }`}
            message={waitingFor(node)}
          />
        ))}
        {graph.edges.length === 0 ? (
          <Typography variant="body2" data-testid="dependency-graph-empty">
            {matches && whole.edges.length > 0
              ? 'No object that matches the filters waits or is waited for.'
              : 'No object here waits for another: none has a dependsOn.'}
          </Typography>
        ) : (
          <DependencyGraph
            className={classes.graph}
            nodes={graph.nodes}
            edges={graph.edges}
            direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
            showArrowHeads
            zoom="enable-on-click"
            fit="contain"
            paddingX={8}
            paddingY={8}
            renderNode={({ node }) => (
              <Node node={node} onOpen={n => n.object && onOpen?.(n.object)} />
            )}
          />
        )}
        {graph.unconnected > 0 && (
          <Typography
            variant="caption"
            color="textSecondary"
            component="p"
            className={classes.caption}
          >
            {graph.unconnected} object{graph.unconnected === 1 ? '' : 's'}{' '}
            without dependsOn either way not drawn.
          </Typography>
        )}
      </div>
    </InfoCard>
  );
}
