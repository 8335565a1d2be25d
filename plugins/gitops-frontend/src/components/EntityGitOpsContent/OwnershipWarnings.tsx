import { WarningPanel } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';

/**
 * What the backend says about which objects are the entity's: objects of
 * other entities its selector matched (not shown), objects without the
 * entity-ref annotation or claimed by several entities (read-only).
 */
export function OwnershipWarnings({ warnings }: { warnings?: string[] }) {
  if (!warnings?.length) {
    return null;
  }
  return (
    <Grid item xs={12}>
      <WarningPanel
        severity="warning"
        title="Some Flux objects are not this entity’s to act on"
        defaultExpanded
      >
        <ul data-testid="ownership-warnings">
          {warnings.map(warning => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      </WarningPanel>
    </Grid>
  );
}
