import { useState } from 'react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Button,
  Chip,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { CopyTextButton } from '@backstage/core-components';
import {
  FindingSeverity,
  HealthFinding,
  RepairRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { RepairDialog } from './RepairDialog';

const SEVERITIES: FindingSeverity[] = ['critical', 'error', 'warning'];

function objectName(finding: HealthFinding): string {
  const o = finding.object;
  return o ? `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}` : '';
}

/**
 * The fix as plain text with a copy button: long commands wrap instead of
 * scrolling sideways, and no syntax colours fall below contrast.
 */
function FixCommands(props: { commands: string[] }) {
  const text = props.commands.join('\n');
  return (
    <Box
      display="flex"
      alignItems="flex-start"
      border={1}
      borderColor="divider"
      borderRadius={4}
      px={1}
    >
      <Typography
        component="pre"
        variant="body2"
        style={{
          flex: 1,
          minWidth: 0,
          fontFamily: 'monospace',
          whiteSpace: 'pre-wrap',
          overflowWrap: 'anywhere',
        }}
      >
        {text}
      </Typography>
      <CopyTextButton text={text} aria-label="Copy the fix" />
    </Box>
  );
}

/** Findings grouped by severity: code, object, evidence, cause, fix, repair. */
export function FindingList(props: {
  findings: HealthFinding[];
  onRepaired?: (record?: RepairRecord) => void;
}) {
  const [repairing, setRepairing] = useState<HealthFinding>();
  return (
    <>
      {SEVERITIES.map(severity => {
        const group = props.findings.filter(f => f.severity === severity);
        if (group.length === 0) {
          return null;
        }
        return (
          <Box key={severity} mb={2}>
            <Typography variant="h6">
              {severity} ({group.length})
            </Typography>
            {group.map((finding, i) => (
              <Accordion key={i} data-testid={`finding-${finding.code}`}>
                <AccordionSummary expandIcon={<ExpandMoreIcon />}>
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    {/* Outlined: white on the theme's red fails contrast; the
                        severity is in the group's heading. */}
                    <Chip
                      size="small"
                      variant="outlined"
                      label={finding.code}
                    />
                    <Typography variant="body2">
                      {objectName(finding)}
                    </Typography>
                  </Box>
                </AccordionSummary>
                <AccordionDetails>
                  <Box width="100%">
                    <Typography variant="subtitle2">Evidence</Typography>
                    <Typography
                      variant="body2"
                      style={{
                        fontFamily: 'monospace',
                        whiteSpace: 'pre-wrap',
                      }}
                    >
                      {finding.evidence}
                    </Typography>
                    <Typography variant="subtitle2">Cause</Typography>
                    <Typography variant="body2">{finding.cause}</Typography>
                    <Typography variant="subtitle2">Fix</Typography>
                    <FixCommands commands={finding.fix} />
                    {finding.repair && (
                      <Box mt={1}>
                        <Button
                          variant="outlined"
                          color="primary"
                          onClick={() => setRepairing(finding)}
                        >
                          Repair: {finding.repair.title}
                        </Button>
                      </Box>
                    )}
                  </Box>
                </AccordionDetails>
              </Accordion>
            ))}
          </Box>
        );
      })}
      {repairing?.repair && (
        <RepairDialog
          request={{
            cluster: repairing.cluster,
            type: repairing.repair.type,
            target: repairing.repair.target,
          }}
          onClose={record => {
            setRepairing(undefined);
            props.onRepaired?.(record);
          }}
        />
      )}
    </>
  );
}
