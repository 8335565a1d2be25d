import { Browser, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';
import { TestCluster } from './stack/kube';
import { readStackEnv } from './stack/stackEnv';

jest.setTimeout(300_000);

const env = readStackEnv();
const cluster = new TestCluster(env);

describe('creating a service from the template in the browser', () => {
  let browser: Browser;
  let page: Page;
  const name = `e2e-ui-${Date.now().toString(36).slice(-5)}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(
      ['development', 'staging', 'production'].map(e =>
        cluster.deleteNamespace(`project-${name}-${e}`),
      ),
    );
  });

  it('fills the form and reaches the finished task with its links', async () => {
    try {
      await signInAsGuest(page, '/create/templates/default/gitops-service');

      await page.locator('#root_name').fill(name);
      await page.locator('#root_owner').fill('guests');
      await page
        .getByRole('option', { name: /guests/ })
        .first()
        .click();
      await page.locator('#root_description').fill('created in the browser');
      await page.getByRole('button', { name: 'Next' }).click();

      // Environments, image and per-environment settings keep their defaults.
      await page.getByRole('checkbox', { name: 'production' }).waitFor();
      await page.getByRole('button', { name: 'Next' }).click();

      // The local Gitea host and the gitops owner are the only choices.
      // Typed, not filled: the picker builds its value from key events.
      await page.getByLabel('Repository').pressSequentially(name, {
        delay: 20,
      });
      await page.getByLabel('Repository').blur();
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: 'Create' }).click();

      const catalogLink = page.getByRole('link', { name: 'Open in catalog' });
      await catalogLink.waitFor({ timeout: 240_000 });
      const repoLink = page.getByRole('link', { name: 'Repository' });
      expect(await repoLink.getAttribute('href')).toBe(
        `${env.GITEA_URL}/${env.GITEA_ORG}/${name}.git`,
      );
      await saveScreenshot(page, 'template-finished');

      await catalogLink.click();
      await page.getByRole('heading', { name }).waitFor();
      expect(page.url()).toContain(`/catalog/default/component/${name}`);
    } catch (error) {
      await saveScreenshot(page, 'template-failure');
      throw error;
    }
  });
});
