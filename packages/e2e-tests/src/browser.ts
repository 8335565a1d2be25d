import fs from 'node:fs/promises';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Where the portal's frontend is served in tests. */
export const portalUrl = process.env.PORTAL_URL ?? 'http://localhost:3000';

/** Test artifacts (screenshots) land here; tests run from this package's folder. */
export const artifactsDir = path.resolve(
  process.env.TEST_RESULTS_DIR ?? '../../test-results',
  'screenshots',
);

/**
 * Debian's Chromium, headless. Playwright's own browser download does not
 * work on these machines, so the executable is the system one.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
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
  });
}

/** Opens the portal and signs in as the guest user. */
export async function signInAsGuest(page: Page, urlPath = '/'): Promise<void> {
  await page.goto(new URL(urlPath, portalUrl).toString());
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
