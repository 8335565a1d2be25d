import { renderInTestApp } from '@backstage/test-utils';
import { FluxRetry, SyncState } from '@gitops-backstage/plugin-gitops-common';
import { screen } from '@testing-library/react';
import { SyncStateLabel } from './SyncStateLabel';

describe('SyncStateLabel', () => {
  it.each<[SyncState, FluxRetry | undefined, string]>([
    ['Failed', undefined, 'Failed'],
    ['Failed', {}, 'Failed · retrying'],
    ['Failed', { failures: 3, maxRetries: 5 }, 'Failed · retrying (3 of 5)'],
    ['Failed', { failures: 1 }, 'Failed · retrying (1 failure)'],
    ['Failed', { failures: 4 }, 'Failed · retrying (4 failures)'],
    // A Stale object keeps its last known retry; it says only Stale.
    ['Stale', { failures: 3, maxRetries: 5 }, 'Stale'],
    ['Ready', undefined, 'Ready'],
  ])('%s with %j reads "%s"', async (state, retrying, text) => {
    const { container } = await renderInTestApp(
      <SyncStateLabel state={state} retrying={retrying} />,
    );
    expect(container.textContent?.replace(/\s+/g, ' ').trim()).toBe(text);
  });

  it('keeps the colour of Failed and explains the counts', async () => {
    await renderInTestApp(
      <SyncStateLabel
        state="Failed"
        retrying={{ failures: 3, maxRetries: 5 }}
      />,
    );
    expect(screen.getByTestId('status-error')).toBeInTheDocument();
    expect(screen.getByText('· retrying (3 of 5)')).toHaveAttribute(
      'title',
      'Flux tries again: 3 failed attempts, 5 retries allowed',
    );
  });

  it('puts the note on a line of its own when stacked', async () => {
    await renderInTestApp(
      <SyncStateLabel
        state="Failed"
        retrying={{ failures: 1, maxRetries: 2 }}
        stacked
      />,
    );
    expect(screen.getByText('Failed')).toBeInTheDocument();
    const note = screen.getByText('retrying (1 of 2)');
    expect(note.tagName).toBe('DIV');
    expect(note).toHaveAttribute(
      'title',
      'Flux tries again: 1 failed attempt, 2 retries allowed',
    );
  });
});
