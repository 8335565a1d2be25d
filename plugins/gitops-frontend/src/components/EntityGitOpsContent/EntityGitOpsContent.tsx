import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_LABEL_SELECTOR,
  entityLabelSelector,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

/**
 * The GitOps tab of an entity page.
 *
 * @public
 */
export function EntityGitOpsContent() {
  const { entity } = useEntity();
  const selector = entityLabelSelector(entity);
  if (!selector) {
    return <MissingAnnotation />;
  }
  return <ClusterOverview selector={selector} />;
}

function ClusterOverview({ selector }: { selector: string }) {
  const api = useApi(gitopsApiRef);
  const { value, loading, error } = useAsync(() => api.listClusters(), [api]);
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <InfoCard title="GitOps">
      <Typography variant="body2">
        Flux objects selected by <code>{selector}</code> on{' '}
        {value!.length === 1 ? 'cluster' : 'clusters'}{' '}
        {value!.map(c => c.title ?? c.name).join(', ') || 'none configured'}.
      </Typography>
    </InfoCard>
  );
}

function MissingAnnotation() {
  return (
    <EmptyState
      missing="field"
      title="This entity is not linked to Flux"
      description={
        <>
          Add the annotation <code>{ANNOTATION_KUBERNETES_ID}</code> with the
          value of the <code>{ANNOTATION_KUBERNETES_ID}</code> label on its Flux
          objects, or <code>{ANNOTATION_LABEL_SELECTOR}</code> with a label
          selector. Entities created from the GitOps templates carry it already.
        </>
      }
    />
  );
}
