import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { TruncatedText } from './TruncatedText';

const WHOLE =
  'ghcr.io/example-org/payments/checkout-service:2026.12.07-build.4711';

describe('TruncatedText', () => {
  it('shows the whole value on hover, and in place on click or Enter', async () => {
    await renderInTestApp(<TruncatedText text={WHOLE} />);
    const text = screen.getByTestId('truncated-text');
    expect(text).toHaveAttribute('aria-expanded', 'false');

    fireEvent.mouseOver(text);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(WHOLE);

    fireEvent.click(text);
    expect(text).toHaveAttribute('aria-expanded', 'true');
    fireEvent.keyDown(text, { key: 'Enter' });
    expect(text).toHaveAttribute('aria-expanded', 'false');
  });

  it('shows a dash for no value', async () => {
    const { container } = await renderInTestApp(<TruncatedText />);
    expect(container.textContent).toBe('—');
  });
});
