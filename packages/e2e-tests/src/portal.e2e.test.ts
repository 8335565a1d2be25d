import { Browser, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot, signInAsGuest } from './browser';

jest.setTimeout(120_000);

describe('portal', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page?.close();
  });

  it('renders the catalog after guest sign-in', async () => {
    // Filtered by name: a long-lived local database holds many test
    // entities, and the catalog shows one page of them.
    await signInAsGuest(
      page,
      '/?filters%5Bkind%5D=component&filters%5Buser%5D=all&filters%5Btext%5D=example-website',
    );
    await page
      .getByRole('link', { name: 'example-website' })
      .waitFor({ timeout: 60_000 });
    const nav = page.getByRole('navigation', { name: 'sidebar nav' });
    await nav.getByRole('link', { name: 'GitOps' }).waitFor();
    expect(await page.getByText('My Company Catalog').count()).toBe(0);
    expect(
      await page.getByRole('heading', { level: 1 }).first().textContent(),
    ).toMatch(/catalog/i);
    await saveScreenshot(page, 'catalog');
  });

  it('shows the GitOps tab on a linked entity', async () => {
    await signInAsGuest(page, '/catalog/default/component/example-website');
    // Entity tabs are links in the page header (Backstage UI HeaderNav).
    await page
      .getByRole('link', { name: 'GitOps', exact: true })
      .and(page.locator('[href$="/example-website/gitops"]'))
      .click();
    await page
      .getByText('backstage.io/kubernetes-id=example-website')
      .waitFor({ timeout: 60_000 });
    expect(page.url()).toMatch(
      /\/catalog\/default\/component\/example-website\/gitops$/,
    );
    await saveScreenshot(page, 'entity-gitops-tab');
  });
});
