import { Page } from 'playwright-core';

/**
 * Columns whose values people read the table for: never cut on the sample
 * data, not even with an ellipsis.
 */
export const KEY_COLUMNS = [
  'Status',
  'State',
  'Result',
  'Revision',
  'When',
  'Updated',
  'Time',
];
/** A dense row with a two-line cell is about 50 px; a wrapped message is far more. */
export const MAX_CELL_HEIGHT = 100;

export interface LayoutReport {
  viewportWidth: number;
  documentWidth: number;
  /** Elements reaching past the viewport's right edge. */
  tooWide: string[];
  /** Scrollable boxes (table wrappers) that scroll sideways. */
  scrollingSideways: string[];
  tallCells: string[];
  /** Words split across two lines inside table cells. */
  brokenWords: string[];
  /** Cells cut without their whole value on hover (table/column: text). */
  cutValues: string[];
  /** Cells of KEY_COLUMNS cut at all. */
  keyValuesCut: string[];
  /** table/column of every column measured. */
  columnsChecked: string[];
}

/** Measures the layout rules in the page. */
export async function measureLayout(page: Page): Promise<LayoutReport> {
  return page.evaluate(
    ([maxCellHeight, keyColumns]) => {
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
      // Column by column: a value is shown whole, or cut with an ellipsis by
      // TruncatedText, which gives the whole value on hover.
      const cutValues: string[] = [];
      const keyValuesCut: string[] = [];
      const columnsChecked = new Set<string>();
      const textRight = (el: Element) => {
        let right = -Infinity;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.textContent?.trim() || !visible(node.parentElement!)) {
            continue;
          }
          const range = document.createRange();
          range.selectNodeContents(node);
          right = Math.max(right, range.getBoundingClientRect().right);
        }
        return right;
      };
      /** Where the nearest boxes that clip their overflow end on the right. */
      const clipRight = (el: Element) => {
        let right = Infinity;
        for (let box: Element | null = el; box; box = box.parentElement) {
          const style = getComputedStyle(box);
          if (style.overflowX !== 'visible') {
            right = Math.min(
              right,
              box.getBoundingClientRect().right -
                parseFloat(style.borderRightWidth || '0'),
            );
          }
        }
        return right;
      };
      const tableName = (table: Element) => {
        for (let el = table.parentElement; el; el = el.parentElement) {
          const heading = el.querySelector('h1, h2, h3, h4, h5, h6');
          if (heading) {
            return (heading.textContent ?? '').replace(/\s*\(.*\)$/, '').trim();
          }
        }
        return 'table';
      };
      for (const table of Array.from(main.querySelectorAll('table'))) {
        const headers = Array.from(table.querySelectorAll('thead th')).map(th =>
          (th.textContent ?? '').trim(),
        );
        if (!visible(table) || headers.length === 0) {
          continue;
        }
        const name = tableName(table);
        // A column's name is read too: its text ends inside its cell and
        // inside whatever clips it (the sort arrow beside it may overflow
        // unseen).
        for (const th of Array.from(table.querySelectorAll('thead th'))) {
          if (!visible(th)) {
            continue;
          }
          const end = textRight(th);
          const limit = Math.min(
            th.getBoundingClientRect().right,
            clipRight(th),
          );
          if (end > limit + 1) {
            cutValues.push(
              `${name}: header "${(
                th.textContent ?? ''
              ).trim()}" (text ends at ${Math.round(
                end,
              )} px, cut at ${Math.round(limit)})`,
            );
          }
        }
        for (const row of Array.from(table.querySelectorAll('tbody tr'))) {
          const rowCells = Array.from(row.children).filter(
            c => c.tagName === 'TD',
          );
          // Loading, empty and detail rows span the table.
          if (rowCells.length !== headers.length) {
            continue;
          }
          rowCells.forEach((td, i) => {
            const column = `${name}/${headers[i] || `#${i + 1}`}`;
            columnsChecked.add(column);
            for (const el of [td, ...Array.from(td.querySelectorAll('*'))]) {
              if (
                !visible(el) ||
                el.clientWidth === 0 ||
                el.scrollWidth <= el.clientWidth + 1 ||
                getComputedStyle(el).overflowX === 'visible'
              ) {
                continue;
              }
              const cut = `${column}: "${(el.textContent ?? '').trim()}" (${
                el.tagName
              } ${el.scrollWidth} px in ${el.clientWidth})`;
              if (keyColumns.includes(headers[i])) {
                keyValuesCut.push(cut);
              }
              const hoverable =
                getComputedStyle(el).textOverflow === 'ellipsis' &&
                el.matches('[role="button"][aria-expanded="false"]');
              if (!hoverable) {
                cutValues.push(cut);
              }
            }
          });
        }
      }
      return {
        viewportWidth,
        documentWidth: document.documentElement.scrollWidth,
        tooWide,
        scrollingSideways,
        tallCells,
        brokenWords,
        cutValues,
        keyValuesCut,
        columnsChecked: Array.from(columnsChecked),
      };
    },
    [MAX_CELL_HEIGHT, KEY_COLUMNS] as const,
  );
}
