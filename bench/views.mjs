// Benchmark: the GitOps tab's inventory tree and the GitOps page's
// dependency graph in Chromium, large against small in the same run.
//  - tree: a Kustomization of the sample service whose inventory lists
//    2,000 objects (1,900 ConfigMaps, 100 Deployments) vs one of 20: from the
//    Inventory click to the dialog drawn, and to every group unfolded;
//  - graph: a dependsOn chain of 100 Kustomizations vs one of 10, picked by
//    the page's search: from the search typed to every node drawn.
// The benchmark's Kustomizations are suspended (the controller leaves their
// status alone); the two trees carry the sample's labels, so they are the
// entity's.
// Run against a started portal (`scripts/start`):
//   node bench/views.mjs [inventory entries] [chain length]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { kubectl } from './lib.mjs';

const ENTRIES = Number(process.argv[2] ?? 2000);
const CHAIN = Number(process.argv[3] ?? 100);
const SMALL_ENTRIES = 20;
const SMALL_CHAIN = 10;
const RUNS = 5;
const frontend = process.env.FRONTEND_URL ?? 'http://localhost:3000';
const ENTITY = 'sample-shop';
const namespace = `project-${ENTITY}-development`;
const sample = JSON.parse(
  kubectl(['get', 'kustomization', '-n', namespace, `${ENTITY}-development`, '-o', 'json']),
);
const { labels, annotations = {} } = sample.metadata;
const created = [];

// The trees are the entity's (its labels and annotations); the chains only
// the cluster's, so the tab the trees open in does not also draw them.
function kustomization(name, dependsOn, ofEntity = false) {
  created.push(name);
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name,
      namespace,
      ...(ofEntity && {
        labels,
        annotations: Object.fromEntries(Object.entries(annotations).filter(([key]) => !key.startsWith('kubectl.') && !key.startsWith('reconcile.'))),
      }),
    },
    spec: {
      ...sample.spec,
      suspend: true,
      dependsOn: dependsOn ? [{ name: dependsOn }] : undefined,
    },
  };
}

function inventory(count) {
  return Array.from({ length: count }, (_, i) =>
    i % 20 === 19
      ? { id: `${namespace}_bench-app-${i}_apps_Deployment`, v: 'v1' }
      : { id: `${namespace}_bench-config-${i}__ConfigMap`, v: 'v1' },
  );
}

const chain = (prefix, length) =>
  Array.from({ length }, (_, i) => kustomization(`${prefix}-${i}`, i > 0 ? `${prefix}-${i - 1}` : undefined));

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const summary = samples => `p50 ${percentile(samples, 0.5).toFixed(0)} ms, p95 ${percentile(samples, 0.95).toFixed(0)} ms`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const items = [
    kustomization('bench-tree-large', undefined, true),
    kustomization('bench-tree-small', undefined, true),
    ...chain('bench-chain-large', CHAIN),
    ...chain('bench-chain-small', SMALL_CHAIN),
  ];
  kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  for (const [name, count] of [['bench-tree-large', ENTRIES], ['bench-tree-small', SMALL_ENTRIES]]) {
    // Too long for an argument: from a file.
    const patch = path.join(os.tmpdir(), `bench-views-${name}.json`);
    fs.writeFileSync(patch, JSON.stringify({ status: { inventory: { entries: inventory(count) } } }));
    kubectl(['patch', 'kustomization', '-n', namespace, name, '--subresource=status', '--type=merge', '--patch-file', patch]);
    fs.rmSync(patch);
  }

  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.setDefaultTimeout(120_000);
  await page.goto(`${frontend}/catalog/default/component/${ENTITY}/gitops`);
  await page.getByRole('button', { name: 'Enter' }).click();

  const tree = { opened: {}, unfolded: {} };
  for (const [name, count] of [['bench-tree-large', ENTRIES], ['bench-tree-small', SMALL_ENTRIES]]) {
    tree.opened[count] = [];
    tree.unfolded[count] = [];
    const row = page.getByRole('row').filter({ hasText: name });
    await row.first().waitFor();
    for (let run = 0; run < RUNS; run++) {
      // Timed in the page (click to drawn), not through Playwright's
      // locators, whose accessibility queries over the whole tab cost more
      // than what is measured.
      const button = await row.getByRole('button', { name: 'Inventory' }).elementHandle();
      const [opened, unfolded] = await page.evaluate(
        async ({ button: inventory, count }) => {
          const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
          const deadline = performance.now() + 60_000;
          const until = async (what, done) => {
            while (!done()) {
              if (performance.now() > deadline) throw new Error(`not ${what} after 60 s`);
              await frame();
            }
          };
          // The app has other dialogs (hidden): the one with the tree.
          const dialog = () =>
            [...document.querySelectorAll('[role="dialog"]')].find(d => d.querySelector('[data-testid="inventory-tree"]'));
          const start = performance.now();
          inventory.click();
          await until('drawn', () => dialog()?.textContent?.includes(`${count} objects`));
          const drawn = performance.now();
          const folded = () =>
            [...dialog().querySelectorAll('button')].filter(b => /^Show \d+$/.test(b.textContent.trim()));
          for (let next = folded(); next.length > 0; next = folded()) {
            next[0].click();
            await frame();
          }
          await until('unfolded', () => dialog().querySelectorAll('[data-testid^="inventory-item-"]').length >= count);
          return [drawn - start, performance.now() - drawn];
        },
        { button, count },
      );
      tree.opened[count].push(opened);
      tree.unfolded[count].push(unfolded);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
  }

  await page.goto(`${frontend}/gitops/dependencies`);
  const search = page.getByRole('textbox', { name: 'Search Flux objects' });
  await search.waitFor();
  const graph = {};
  for (let run = 0; run < RUNS; run++) {
    for (const [prefix, length] of [['bench-chain-large', CHAIN], ['bench-chain-small', SMALL_CHAIN]]) {
      graph[length] ??= [];
      const start = performance.now();
      await search.fill(prefix);
      await page.waitForFunction(
        ([p, n]) => document.querySelectorAll(`[data-testid^="dependency-node-Kustomization-"][data-testid*="${p}-"]`).length === n &&
          document.querySelectorAll('[data-testid^="dependency-node-"]').length === n,
        [prefix, length],
      );
      graph[length].push(performance.now() - start);
    }
  }

  console.log(`inventory tree, ${ENTRIES} entries: opened ${summary(tree.opened[ENTRIES])}; every group unfolded ${summary(tree.unfolded[ENTRIES])} (target < 1000 ms)`);
  console.log(`inventory tree, ${SMALL_ENTRIES} entries (reference): opened ${summary(tree.opened[SMALL_ENTRIES])}; unfolded ${summary(tree.unfolded[SMALL_ENTRIES])}`);
  const whole = count => tree.opened[count].map((ms, i) => ms + tree.unfolded[count][i]);
  console.log(`ratio tree ${ENTRIES}/${SMALL_ENTRIES} (p50): opened ${(percentile(tree.opened[ENTRIES], 0.5) / percentile(tree.opened[SMALL_ENTRIES], 0.5)).toFixed(2)}; opened and unfolded ${(percentile(whole(ENTRIES), 0.5) / percentile(whole(SMALL_ENTRIES), 0.5)).toFixed(2)} (${summary(whole(ENTRIES))} for ${ENTRIES})`);
  console.log(`dependency graph, a chain of ${CHAIN}: ${summary(graph[CHAIN])} (target < 1000 ms); of ${SMALL_CHAIN} (reference): ${summary(graph[SMALL_CHAIN])}; ratio ${(percentile(graph[CHAIN], 0.5) / percentile(graph[SMALL_CHAIN], 0.5)).toFixed(2)}`);
} finally {
  await browser.close();
  if (created.length) {
    console.log(`deleting ${created.length} benchmark Kustomizations…`);
    kubectl(['delete', 'kustomization', '-n', namespace, '--wait=false', '--ignore-not-found', ...created]);
  }
}
