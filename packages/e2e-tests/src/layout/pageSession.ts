import fs from 'node:fs';
import { BrowserContext, Locator, Page } from 'playwright-core';
import { portalUrl } from '../browser';

const AXE_SOURCE = fs.readFileSync(
  require.resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

/**
 * axe-core from npm, evaluated in the page (an inline script tag would break
 * the app plugin's Content-Security-Policy); serious and critical only.
 */
export async function seriousViolations(
  page: Page,
  context: string,
): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.evaluate(AXE_SOURCE);
  }
  const violations: AxeViolation[] = await page.evaluate(async selector => {
    const result = await (window as any).axe.run(selector, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    });
    return result.violations;
  }, context);
  const serious = violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(
      v =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map(
            n =>
              `${n.target.join(' ')} ${n.html.slice(0, 120)} (${(
                n.failureSummary ?? ''
              )
                .replace(/\s+/g, ' ')
                .slice(0, 200)})`,
          )
          .join(', ')}`,
    );
  progress(`axe on ${context}: ${JSON.stringify(serious)}`);
  return serious;
}

/**
 * Waits until MUI's dialog fade has ended: half-faded text fails contrast.
 * The dialog is the one the locator found (visible), its container the
 * element the fade sets opacity on. Polled on a timer, not on animation
 * frames, and on failure it says what it saw.
 */
export async function dialogSettled(dialog: Locator) {
  await dialog.evaluate(async paper => {
    // Under a nested theme (Backstage's Page) MUI suffixes its class names
    // (MuiDialog-container-123): '.MuiDialog-container' would miss it and
    // find another, hidden dialog whose fade never ends.
    const container = paper.closest('[class*="MuiDialog-container"]');
    if (!container) {
      throw new Error('the dialog has no MUI dialog container');
    }
    const deadline = Date.now() + 20_000;
    const settled = () =>
      getComputedStyle(container).opacity === '1' &&
      document
        .getAnimations()
        .every(a => !container.contains((a.effect as any)?.target ?? null));
    while (!settled()) {
      if (Date.now() > deadline) {
        throw new Error(
          `dialog not settled: opacity ${
            getComputedStyle(container).opacity
          }, style "${container.getAttribute('style')}", ${
            document.querySelectorAll('.MuiDialog-root').length
          } dialog roots, animations ${JSON.stringify(
            document.getAnimations().map(a => ({
              name: (a as any).transitionProperty ?? (a as any).animationName,
              state: a.playState,
              target: String((a.effect as any)?.target?.className ?? ''),
            })),
          )}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  });
}

/** Written as it happens, so a run cut short still tells what it saw. */
export function progress(line: string) {
  process.stderr.write(
    `[layout ${new Date().toISOString().slice(11, 19)}] ${line}\n`,
  );
}

/** Closing must not hold the run: a stuck browser is given 15 s. */
export async function closeWithin(
  what: { close(): Promise<void> } | undefined,
) {
  await Promise.race([
    what?.close(),
    new Promise(resolve => setTimeout(resolve, 15_000)),
  ]);
}

export async function openSignedIn(
  context: BrowserContext,
  urlPath: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL(urlPath, portalUrl).toString());
  // The first page of a context shows the guest sign-in; later ones go
  // straight to the app. Wait for either: a cold frontend bundle is slow.
  // (The sidebar's nav element is in the page but not "visible" itself.)
  const enter = page.getByRole('button', { name: 'Enter' });
  const app = page.getByRole('navigation', { name: 'sidebar nav' });
  await enter.or(app).first().waitFor({ state: 'attached', timeout: 90_000 });
  if (await enter.isVisible()) {
    await enter.click();
    await app.waitFor({ state: 'attached', timeout: 60_000 });
  }
  return page;
}

/**
 * Shows another view in the same page through the app's router (a
 * history entry and its popstate), as a click on a link would: the app's
 * bundle is loaded and parsed once per page, not once per view.
 */
export async function showView(page: Page, urlPath: string): Promise<void> {
  const target = new URL(urlPath, portalUrl);
  await page.evaluate(
    ({ pathname, search }) => {
      window.history.pushState(null, '', `${pathname}${search}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
    },
    { pathname: target.pathname, search: target.search },
  );
  await page.waitForURL(url => url.pathname === target.pathname);
}
