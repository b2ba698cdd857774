// Time to interactive of every dashboard page, in headless Chromium: a measurement for
// BENCHMARKS.md, not a test. Run against a served store (e.g. the 100k-document store of
// crates/dyad-server/examples/api_bench.rs):
//   dyad serve --data-dir DIR --addr 127.0.0.1:8787 &
//   node tests/browser/pages.mjs http://127.0.0.1:8787/ [ROUNDS]
// Each page is loaded from scratch (a new navigation, assets and API calls included) until the
// dashboard marks it rendered (`body[data-ready]`); a page showing an error fails the run.
// Prints, per page, the first load (aggregates not yet cached by the server) and the median of
// the following rounds.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, roundsArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: pages.mjs URL [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg || 5);
const profile = mkdtempSync(join(tmpdir(), 'dyad-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
let failed = false;
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(30000);
  const api = async (path) => (await page.request.get(new URL(path, url).href)).json();
  // Real ids from the store, so the pages show real content.
  const docs = await api('/api/v1/documents?per_page=1&page=50');
  const top = await api('/api/v1/entities?limit=1');
  const pages = [
    ['overview', '#/'],
    ['timeline', '#/timeline'],
    ['commitments', '#/commitments'],
    ['actors', '#/actors'],
    ['actor', `#/actor/${encodeURIComponent(top.items[0].key)}`],
    ['article', `#/doc/${encodeURIComponent(docs.items[0].id)}`],
    ['search', '#/search?q=tariff'],
    ['search_filtered', '#/search?q=alliance&lang=en&since=2020'],
    ['sources', '#/sources'],
  ];
  console.log(`${'page'.padEnd(18)} ${'first ms'.padStart(9)} ${'median ms'.padStart(10)}`);
  for (const [name, hash] of pages) {
    const times = [];
    for (let i = 0; i <= rounds; i++) {
      await page.goto('about:blank');
      const t0 = Date.now();
      await page.goto(new URL(hash, url).href);
      await page.waitForSelector(`body[data-ready="${hash}"]`);
      times.push(Date.now() - t0);
      if (await page.locator('[data-testid=error]').count()) {
        console.error(`${name}: ${await page.textContent('[data-testid=error]')}`);
        failed = true;
      }
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    const median = rest.length ? rest[Math.floor(rest.length / 2)] : times[0];
    console.log(`${name.padEnd(18)} ${String(times[0]).padStart(9)} ${String(median).padStart(10)}`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
