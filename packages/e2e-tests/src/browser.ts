import fs from 'node:fs/promises';
import path from 'node:path';
import { Browser, BrowserServer, chromium, Page } from 'playwright-core';

/** Where the portal's frontend is served in tests. */
export const portalUrl = process.env.PORTAL_URL ?? 'http://localhost:3000';

/** Test artifacts (screenshots) land here; tests run from this package's folder. */
export const artifactsDir = path.resolve(
  process.env.TEST_RESULTS_DIR ?? '../../test-results',
  'screenshots',
);

const CHROMIUM_OPTIONS = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/**
 * The environment variable through which the suite's global set-up hands
 * its browser server to the test files (Jest workers inherit it).
 */
export const SHARED_BROWSER_ENV = 'GITOPS_E2E_BROWSER_WS';

/**
 * Debian's Chromium, headless. Playwright's own browser download does not
 * work on these machines, so the executable is the system one. Test files
 * share the one the suite's global set-up started (a browser per file costs
 * a start each and memory per worker); closing what this returns then
 * closes only this file's contexts.
 */
export async function launchBrowser(): Promise<Browser> {
  const shared = process.env[SHARED_BROWSER_ENV];
  return withPatientNavigation(
    shared
      ? await chromium.connect(shared)
      : await chromium.launch(CHROMIUM_OPTIONS),
  );
}

/**
 * How long a page may take to load: the dev server's bundle arrives slowly
 * while three test files share two cores with the stack (30 s, Playwright's
 * default, timed out in the parallel run).
 */
const NAVIGATION_TIMEOUT_MS = 120_000;

function withPatientNavigation(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async options => {
    const context = await newContext(options);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async options => {
    const page = await newPage(options);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    return page;
  };
  return browser;
}

/** A browser server for the whole suite: see launchBrowser. */
export async function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer(CHROMIUM_OPTIONS);
}

/**
 * Notification toasts (the sidebar's notistack snackbars) stay visible but
 * let clicks through: other e2e files' failures notify the guests at any
 * moment, and CI lost a click on the template's Create button to one.
 */
const TOASTS_LET_CLICKS_THROUGH = `
  .notistack-SnackbarContainer, .notistack-SnackbarContainer * {
    pointer-events: none !important;
  }`;

/** Opens the portal (or another of its replicas) and signs in as the guest user. */
export async function signInAsGuest(
  page: Page,
  urlPath = '/',
  baseUrl = portalUrl,
): Promise<void> {
  // On every document of the page, also after a later page.goto.
  await page.addInitScript(css => {
    document.addEventListener('DOMContentLoaded', () => {
      const style = document.createElement('style');
      style.textContent = css;
      document.head.appendChild(style);
    });
  }, TOASTS_LET_CLICKS_THROUGH);
  await page.goto(new URL(urlPath, baseUrl).toString());
  await page.getByRole('button', { name: 'Enter' }).click();
}

export async function saveScreenshot(
  page: Page,
  name: string,
): Promise<string> {
  await fs.mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
