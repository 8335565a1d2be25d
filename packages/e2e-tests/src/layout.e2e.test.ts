import fs from 'node:fs';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser, portalUrl, saveScreenshot } from './browser';
import { SAMPLE_SHOP, SAMPLE_WEB } from './sampleData/seed';

jest.setTimeout(120_000);

/**
 * The views of the plugin on the sample data, at two screen sizes in both
 * themes: screenshots, the layout rules of issue 16 and an accessibility
 * check (axe-core) on each.
 */
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const THEMES = ['light', 'dark'] as const;
/** A dense row with a two-line cell is about 50 px; a wrapped message is far more. */
const MAX_CELL_HEIGHT = 100;
const AXE_SOURCE = fs.readFileSync(
  require.resolve('axe-core/axe.min.js'),
  'utf8',
);

interface LayoutReport {
  viewportWidth: number;
  documentWidth: number;
  /** Elements reaching past the viewport's right edge. */
  tooWide: string[];
  /** Scrollable boxes (table wrappers) that scroll sideways. */
  scrollingSideways: string[];
  tallCells: string[];
  /** Words split across two lines inside table cells. */
  brokenWords: string[];
}

/** Measures the layout rules in the page. */
async function measureLayout(page: Page): Promise<LayoutReport> {
  return page.evaluate(maxCellHeight => {
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${
        el.getAttribute('data-testid')
          ? `[data-testid=${el.getAttribute('data-testid')}]`
          : ''
      }${
        typeof el.className === 'string' && el.className
          ? `.${el.className.split(' ')[0]}`
          : ''
      } "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return (
        style.visibility !== 'hidden' &&
        style.display !== 'none' &&
        box.width > 0 &&
        box.height > 0 &&
        // MUI's visually hidden helpers sit at 1 px
        box.width > 1
      );
    };
    const main = document.querySelector('main') ?? document.body;
    const all = Array.from(main.querySelectorAll('*')).filter(visible);
    const viewportWidth = document.documentElement.clientWidth;
    const tooWide = all
      .filter(el => el.getBoundingClientRect().right > viewportWidth + 1)
      .map(describe);
    const scrollingSideways = all
      .filter(el => {
        const overflow = getComputedStyle(el).overflowX;
        return (
          (overflow === 'auto' || overflow === 'scroll') &&
          el.scrollWidth > el.clientWidth + 1
        );
      })
      .map(describe);
    const cells = Array.from(main.querySelectorAll('td')).filter(visible);
    const tallCells = cells
      .filter(td => td.getBoundingClientRect().height > maxCellHeight)
      .map(describe);
    const brokenWords: string[] = [];
    for (const td of cells) {
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        // Spaces and hyphens are where a line may break; anything between
        // them must stay on one line.
        const parts = /[^\s-]{2,}/g;
        for (let match = parts.exec(text); match; match = parts.exec(text)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set(
            Array.from(range.getClientRects())
              .filter(r => r.width > 0)
              .map(r => Math.round(r.bottom)),
          );
          if (lines.size > 1) {
            brokenWords.push(`${match[0]} in ${describe(td)}`);
          }
        }
      }
    }
    return {
      viewportWidth,
      documentWidth: document.documentElement.scrollWidth,
      tooWide,
      scrollingSideways,
      tallCells,
      brokenWords,
    };
  }, MAX_CELL_HEIGHT);
}

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
async function seriousViolations(
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
async function dialogSettled(dialog: Locator) {
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
function progress(line: string) {
  process.stderr.write(
    `[layout ${new Date().toISOString().slice(11, 19)}] ${line}\n`,
  );
}

/** Closing must not hold the run: a stuck browser is given 15 s. */
async function closeWithin(what: { close(): Promise<void> } | undefined) {
  await Promise.race([
    what?.close(),
    new Promise(resolve => setTimeout(resolve, 15_000)),
  ]);
}

async function openSignedIn(
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
async function showView(page: Page, urlPath: string): Promise<void> {
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

describe('layout and accessibility of the GitOps views on the sample data', () => {
  let browser: Browser;

  beforeAll(async () => {
    // The sample data is seeded by the suite's global set-up.
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeWithin(browser);
  });

  describe.each(
    VIEWPORTS.flatMap(viewport => THEMES.map(theme => ({ viewport, theme }))),
  )('$viewport.width×$viewport.height $theme', ({ viewport, theme }) => {
    let context: BrowserContext;
    /** The context's one page: each test shows its view in it. */
    let page: Page;
    const shot = (view: string) =>
      saveScreenshot(
        page,
        `${view}-${viewport.width}x${viewport.height}-${theme}`,
      );

    beforeAll(async () => {
      context = await browser.newContext({ viewport });
      context.setDefaultTimeout(30_000);
      await context.addInitScript(themeId => {
        window.localStorage.setItem('theme', themeId);
      }, theme);
      page = await openSignedIn(context, '/gitops');
    });
    afterAll(async () => {
      await closeWithin(page);
      await closeWithin(context);
    });

    async function expectLayoutRules() {
      // Measure the page as it settles, not a table still loading (its
      // spinner row is taller than any cell may be).
      await page.waitForFunction(
        () =>
          !(document.querySelector('main') ?? document.body).querySelector(
            '[role="progressbar"]',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const layout = await measureLayout(page);
      progress(
        `layout ${viewport.width}x${
          viewport.height
        } ${theme} ${page.url()}: ${JSON.stringify(layout)}`,
      );
      expect({
        documentWidth: layout.documentWidth <= layout.viewportWidth,
        tooWide: layout.tooWide,
        scrollingSideways: layout.scrollingSideways,
        tallCells: layout.tallCells,
        brokenWords: layout.brokenWords,
      }).toEqual({
        documentWidth: true,
        tooWide: [],
        scrollingSideways: [],
        tallCells: [],
        brokenWords: [],
      });
    }

    it('the GitOps tab: environments in one row, tables within the screen', async () => {
      await showView(
        page,
        `/catalog/default/component/${SAMPLE_SHOP.id}/gitops`,
      );
      try {
        const environments = page.getByTestId('environments');
        await page
          .getByTestId('environment-development')
          .getByText('Ready')
          .waitFor({ timeout: 60_000 });
        await page.getByTestId('method-pipeline').first().waitFor();
        const cards = await environments
          .getByTestId(/^environment-/)
          .evaluateAll(els =>
            els.map(el => ({
              name: el.getAttribute('data-testid'),
              top: Math.round(
                (el.closest('[class*=MuiCard]') ?? el).getBoundingClientRect()
                  .top,
              ),
            })),
          );
        expect(cards.map(c => c.name)).toEqual([
          'environment-development',
          'environment-staging',
          'environment-production',
        ]);
        expect(new Set(cards.map(c => c.top)).size).toBe(1);
        await shot('gitops-tab');
        await expectLayoutRules();
        expect(await seriousViolations(page, 'main')).toEqual([]);
      } finally {
        // A view left with a dialog open would hold the next one up.
        await page.keyboard.press('Escape');
      }
    });

    it('the Helm sample: HelmReleases and the failing source', async () => {
      await showView(
        page,
        `/catalog/default/component/${SAMPLE_WEB.id}/gitops`,
      );
      try {
        await page
          .getByTestId('environment-staging')
          .getByText(/source failing/)
          .waitFor({ timeout: 60_000 });
        // HelmReleases only: the deploy dialog would refuse every
        // environment, so the history's Deploy is off and says why.
        const deploy = page.getByRole('button', {
          name: 'Deploy',
          exact: true,
        });
        await deploy.waitFor();
        expect(await deploy.isDisabled()).toBe(true);
        expect(
          await deploy.evaluate(
            el =>
              document.getElementById(el.getAttribute('aria-describedby') ?? '')
                ?.textContent,
          ),
        ).toMatch(/Portal deploys change Kustomize overlays/);
        expect(
          await page.getByRole('button', { name: /^Deploy to / }).count(),
        ).toBe(0);
        await shot('gitops-tab-helm');
        await expectLayoutRules();
        expect(await seriousViolations(page, 'main')).toEqual([]);
      } finally {
        // A view left with a dialog open would hold the next one up.
        await page.keyboard.press('Escape');
      }
    });

    it('the deploy dialog: opened and closed from the keyboard', async () => {
      await showView(
        page,
        `/catalog/default/component/${SAMPLE_SHOP.id}/gitops`,
      );
      try {
        const deploy = page.getByRole('button', {
          name: 'Deploy to development',
        });
        await deploy.waitFor({ timeout: 60_000 });
        await deploy.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Deploy through Git' });
        await dialog.waitFor();
        // Focus moved into the dialog (MUI focuses its modal container).
        expect(
          await dialog.evaluate(el =>
            Boolean(
              el.closest('.MuiDialog-root')?.contains(document.activeElement),
            ),
          ),
        ).toBe(true);
        await dialogSettled(dialog);
        await shot('deploy-dialog');
        expect(await seriousViolations(page, '[role=dialog]')).toEqual([]);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      } finally {
        // A view left with a dialog open would hold the next one up.
        await page.keyboard.press('Escape');
      }
    });

    it('the GitOps page: counts at the top, filters in the URL', async () => {
      await showView(page, '/gitops?kind=Kustomization');
      try {
        await page
          .getByTestId('count-state-Ready')
          .waitFor({ timeout: 60_000 });
        await page.getByTestId('count-state-Suspended').click();
        await page.waitForURL(/state=Suspended/);
        expect(new URL(page.url()).searchParams.get('kind')).toBe(
          'Kustomization',
        );
        await page.getByRole('button', { name: 'Clear filters' }).click();
        await page.waitForURL(url => !url.search);
        await shot('gitops-page');
        await expectLayoutRules();
        expect(await seriousViolations(page, 'main')).toEqual([]);
      } finally {
        // A view left with a dialog open would hold the next one up.
        await page.keyboard.press('Escape');
      }
    });

    it('the health page: the sample failure explained, and its repair plan from the keyboard', async () => {
      await showView(page, '/gitops/health');
      try {
        // The Git check's finding on sample-web's staging source, the one
        // with the repair.
        const finding = page
          .getByTestId('finding-GIT_AUTH_FAILED')
          .filter({ hasText: `project-${SAMPLE_WEB.id}-staging/` })
          .first();
        await finding.waitFor({ timeout: 60_000 });
        await finding.getByRole('button', { expanded: false }).first().click();
        const repair = finding.getByRole('button', {
          name: /^Repair: Issue a new read-only deploy key/,
        });
        await repair.waitFor();
        await shot('health-page');
        await expectLayoutRules();
        expect(await seriousViolations(page, 'main')).toEqual([]);

        // Keyboard: the plan opens from Enter and closes on Escape; nothing
        // is applied (other tests rely on the sample failure).
        await repair.focus();
        await page.keyboard.press('Enter');
        const plan = page.getByRole('dialog', { name: /^Repair: / });
        await plan.getByText(/^patch Secret /).waitFor();
        await plan.getByText(/^reconcile GitRepository /).waitFor();
        expect(
          await plan.getByRole('button', { name: 'Apply repair' }).isEnabled(),
        ).toBe(true);
        await dialogSettled(plan);
        await shot('repair-dialog');
        expect(await seriousViolations(page, '[role=dialog]')).toEqual([]);
        await page.keyboard.press('Escape');
        await plan.waitFor({ state: 'hidden' });
      } finally {
        // A view left with a dialog open would hold the next one up.
        await page.keyboard.press('Escape');
      }
    });
  });
});
