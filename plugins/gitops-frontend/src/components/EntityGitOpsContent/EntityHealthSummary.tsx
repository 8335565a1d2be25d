import { Box, Chip, Typography } from '@material-ui/core';
import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  classifyFluxFailure,
  FluxObjectStatus,
  HealthFinding,
} from '@gitops-backstage/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { relativeTime } from '../shared';

/** Where the health page explains a code and lists its findings. */
export const healthLink = (code: string) =>
  `/gitops/health?code=${encodeURIComponent(code)}`;

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
  const api = useApi(gitopsApiRef);
  const reports = useAsync(() => api.getHealthReports(), [api]);
  const isOurs = (f: HealthFinding) =>
    objects.some(
      o =>
        o.cluster === f.cluster &&
        o.kind === f.object?.kind &&
        o.namespace === f.object?.namespace &&
        o.name === f.object?.name,
    );
  const findings = (reports.value ?? []).flatMap(r => r.findings);
  // The health check classifies with the facts it read from the cluster
  // (referenced objects, controllers): its word wins for the objects it
  // covered; the rest are classified here from their condition alone.
  const reported = findings.filter(isOurs);
  const covered = new Set(
    reported.map(
      f =>
        `${f.cluster}|${f.object?.kind}|${f.object?.namespace}|${f.object?.name}`,
    ),
  );
  const problems = new Map<string, Problem>();
  for (const o of objects.filter(x => x.state === 'Failed')) {
    if (covered.has(`${o.cluster}|${o.kind}|${o.namespace}|${o.name}`)) {
      continue;
    }
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
  for (const f of reported) {
    const key = `${f.code}|${f.object?.kind}|${f.object?.namespace}|${f.object?.name}`;
    if (!problems.has(key)) {
      problems.set(key, {
        code: f.code,
        object: `${f.object?.kind} ${f.object?.namespace}/${f.object?.name}`,
        text: f.cause,
      });
    }
  }
  // A broken Flux installation breaks every object on that cluster.
  const clusters = new Set(objects.map(o => o.cluster));
  for (const f of findings) {
    if (
      f.severity === 'critical' &&
      clusters.has(f.cluster) &&
      !f.object?.namespace
    ) {
      problems.set(`${f.code}|${f.cluster}|${f.object?.name}`, {
        code: f.code,
        object: `cluster ${f.cluster}`,
        text: `${f.cause} (${f.evidence})`,
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
      deepLink={{ title: 'Open the health page', link: '/gitops/health' }}
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
            <Link to={healthLink(p.code)}>
              <Chip size="small" color="secondary" label={p.code} clickable />
            </Link>
            <Typography variant="body2">
              <b>{p.object}</b>: {p.text}
            </Typography>
          </Box>
        ))
      )}
    </InfoCard>
  );
}
