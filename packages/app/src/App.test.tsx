import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('opens on the sign-in page with the configured title and the guest provider', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'GitOps Test Portal' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // The app's code loads lazily: the first render takes a few seconds.
    expect(
      await screen.findByText('GitOps Test Portal', undefined, {
        timeout: 20000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByText(/Enter as a Guest User/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /enter/i })).toBeEnabled();
  }, 30000);
});
