import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot } from './browser';
import { measureLayout } from './layout/measureLayout';
import {
  closeWithin,
  dialogSettled,
  openSignedIn,
  progress,
  seriousViolations,
  showView,
} from './layout/pageSession';
import { SAMPLE_SHOP, SAMPLE_WEB } from './sampleData/seed';

jest.setTimeout(120_000);

/**
 * The views of the plugin on the sample data, at 1280 and 1920 px in both
 * themes and at 1440 px in one: screenshots, the layout rules of issue 16,
 * every table column's values (whole, or cut with the whole value on
 * hover) and an accessibility check (axe-core) on each.
 */
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const THEMES = ['light', 'dark'] as const;
/** Where the columns change width in between: one theme is enough for widths. */
const EXTRA_VIEWPORTS = [
  { viewport: { width: 1440, height: 900 }, theme: 'light' as const },
];

describe('layout and accessibility of the GitOps views on the sample data', () => {
  let browser: Browser;

  beforeAll(async () => {
    // The sample data is seeded by the suite's global set-up.
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeWithin(browser);
  });

  describe.each([
    ...VIEWPORTS.flatMap(viewport =>
      THEMES.map(theme => ({ viewport, theme })),
    ),
    ...EXTRA_VIEWPORTS,
  ])('$viewport.width×$viewport.height $theme', ({ viewport, theme }) => {
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

    /** Each named column was measured on at least one row. */
    const measured = (...columns: string[]) =>
      expect.arrayContaining(
        columns.map(c => expect.stringMatching(new RegExp(`/${c}$`))),
      );

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
        cutValues: layout.cutValues,
        keyValuesCut: layout.keyValuesCut,
      }).toEqual({
        documentWidth: true,
        tooWide: [],
        scrollingSideways: [],
        tallCells: [],
        brokenWords: [],
        cutValues: [],
        keyValuesCut: [],
      });
      return layout.columnsChecked;
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
                (
                  el.closest('[class*="MuiCard-root"]') ?? el
                ).getBoundingClientRect().top,
              ),
            })),
          );
        expect(cards.map(c => c.name)).toEqual([
          'environment-development',
          'environment-staging',
          'environment-production',
        ]);
        // One row: the same top for each (the tops, if not).
        expect(cards.map(c => c.top)).toEqual(cards.map(() => cards[0].top));
        await shot('gitops-tab');
        expect(await expectLayoutRules()).toEqual(
          measured(
            'Environment',
            'Revision',
            'Message',
            'Who',
            'When',
            'Status',
            'State',
            'Object',
            'Updated',
          ),
        );
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
        expect(await expectLayoutRules()).toEqual(
          measured('State', 'Object', 'Revision', 'Updated', 'Message'),
        );
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
        expect(await expectLayoutRules()).toEqual(
          measured(
            'State',
            'Object',
            'Where',
            'Revision',
            'Updated',
            'Message',
          ),
        );
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
        expect(await expectLayoutRules()).toEqual(
          measured('Check', 'Result', 'Summary', 'Time'),
        );
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
