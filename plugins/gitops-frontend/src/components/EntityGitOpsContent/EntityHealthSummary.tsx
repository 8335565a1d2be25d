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
