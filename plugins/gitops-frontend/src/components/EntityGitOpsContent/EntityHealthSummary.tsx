import { Box, Chip, Typography } from '@material-ui/core';
import { InfoCard, Link } from '@backstage/core-components';
import {
  classifyFluxFailure,
  FluxObjectStatus,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import { useHealthPageLink, useHealthReports } from '../../hooks';
import { relativeTime, TruncatedText } from '../shared';

interface Problem {
  code: string;
  object: string;
  text: string;
}

/**
 * The entity's part of the health checks: its failing objects classified
 * now, plus what the latest cluster health checks found about its objects.
 */
export function EntityHealthSummary(props: { objects: FluxObjectStatus[] }) {
  const { objects } = props;
  const reports = useHealthReports();
  const healthLink = useHealthPageLink();
  const isOurs = (f: HealthFinding) =>
    objects.some(
      o =>
        o.cluster === f.cluster &&
        o.kind === f.object?.kind &&
        o.namespace === f.object?.namespace &&
        o.name === f.object?.name,
    );
  const problems = new Map<string, Problem>();
  for (const o of objects.filter(x => x.state === 'Failed')) {
    const { code, cause } = classifyFluxFailure({
      kind: o.kind,
      reason: o.reason,
      message: o.message,
    });
    problems.set(`${code}|${o.kind}|${o.namespace}|${o.name}`, {
      code,
      object: `${o.kind} ${o.namespace}/${o.name}`,
      text: cause,
    });
  }
  const findings = (reports.value ?? [])
    .flatMap(r => r.findings)
    .filter(isOurs);
  for (const f of findings) {
    const key = `${f.code}|${f.object?.kind}|${f.object?.namespace}|${f.object?.name}`;
    if (!problems.has(key)) {
      problems.set(key, {
        code: f.code,
        object: `${f.object?.kind} ${f.object?.namespace}/${f.object?.name}`,
        text: f.cause,
      });
    }
  }
  const checkedAt = reports.value
    ?.map(r => r.finishedAt)
    .sort()
    .pop();

  return (
    <InfoCard
      title="Health"
      subheader={
        checkedAt
          ? `last cluster health check ${relativeTime(checkedAt)}`
          : 'no cluster health check yet'
      }
      deepLink={
        healthLink
          ? { title: 'Open the health page', link: healthLink() }
          : undefined
      }
    >
      {problems.size === 0 ? (
        <Typography variant="body2">
          No problems with this entity’s Flux objects.
        </Typography>
      ) : (
        [...problems.values()].map(p => (
          <Box
            key={`${p.code}${p.object}`}
            display="flex"
            alignItems="center"
            mb={1}
            style={{ gap: 8 }}
          >
            {healthLink ? (
              <Link
                to={healthLink(p.code)}
                aria-label={`${p.code}: open on the health page`}
              >
                <Chip size="small" variant="outlined" label={p.code} />
              </Link>
            ) : (
              <Chip size="small" variant="outlined" label={p.code} />
            )}
            <Typography variant="body2" component="div" style={{ minWidth: 0 }}>
              <TruncatedText text={`${p.object}: ${p.text}`} />
            </Typography>
          </Box>
        ))
      )}
    </InfoCard>
  );
}
