// Browser test of the dyad dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Started by crates/dyad-cli/tests/browser.rs:
//   node tests/browser/dashboard.mjs URL TOKEN ARTIFACT_DIR
// Opens the overview, searches, reads an article (highlights, escaped hostile text, removed
// boilerplate), reviews a tracker suggestion with a token, sets a status with evidence and
// follows an evidence link to its sentence. Exits non-zero with a message on failure;
// screenshots go to ARTIFACT_DIR.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, token, artifacts] = process.argv.slice(2);
if (!url || !token || !artifacts) {
  console.error('usage: dashboard.mjs URL TOKEN ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'dyad-chromium-'));

function check(cond, message) {
  if (!cond) throw new Error(message);
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const problems = [];
let step = 'start';
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  // The 401 of the deliberately wrong token and the 422 of the status without evidence below
  // are expected; any other error is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  step = 'overview';
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('[data-testid=doc-count]');
  const interactive = Date.now() - t0;
  const docs = Number(await page.textContent('[data-testid=doc-count]'));
  check(docs >= 10, `overview shows ${docs} documents`);
  check(await page.locator('.chart svg polyline').count() >= 1, 'topic chart has lines');
  await shot('overview');

  step = 'search';
  await page.fill('#search-box', 'tariff');
  await page.press('#search-box', 'Enter');
  await page.waitForSelector('[data-testid=results] li');
  const hits = await page.locator('[data-testid=results] > li').count();
  check(hits >= 1, 'search finds tariff articles');
  check(await page.locator('[data-testid=facets] a').count() >= 1, 'search shows facets');
  check(await page.locator('.snippet mark').count() >= 1, 'snippets are highlighted');
  await shot('search');

  step = 'article';
  await page.locator('[data-testid=results] > li a').first().click();
  await page.waitForSelector('[data-testid=article-text]');
  check((await page.textContent('[data-testid=doc-title]')).length > 0, 'article has a title');
  await page.goto(`${url}#/doc/dfixture00000001`);
  await page.waitForSelector('[data-testid=article-text] .hl-entity');
  check(await page.locator('[data-testid=article-text] .hl-quote').count() >= 1, 'quotes are highlighted');
  check(await page.locator('[data-testid=article-text] .hl-commitment').count() >= 1, 'commitments are highlighted');
  check(await page.locator('[data-testid=article-text] .hl-event').count() >= 1, 'events are highlighted');
  const quote = await page.locator('[data-testid=article-text] .hl-quote').first().textContent();
  check(quote.includes('historic day'), `quote highlight covers the quote (got ${quote})`);
  check(await page.isHidden('[data-testid=removed]'), 'removed boilerplate hidden at first');
  await page.click('[data-testid=toggle-removed]');
  check((await page.textContent('[data-testid=removed]')).includes('Subscribe to our newsletter'), 'removed boilerplate viewable');
  await shot('article');

  step = 'hostile article';
  await page.goto(`${url}#/doc/dfixture00000003`);
  await page.waitForSelector('[data-testid=article-text]');
  check((await page.textContent('[data-testid=doc-title]')).includes('<img src=x onerror=alert(1)>'), 'hostile title shown as text');
  check(await page.locator('main img, main script, main b').count() === 0, 'no markup from article data');
  check((await page.textContent('[data-testid=article-text]')).includes("<script>alert('xss')</script>"), 'hostile text shown as text');

  step = 'commitments';
  // The board is the tracker's registry; the tracker's suggestions wait for review.
  const summary = await page.evaluate(async () => (await fetch('/api/v1/commitments/summary')).json());
  check(summary.summary.total >= 1, `the registry has commitments (${summary.summary.total})`);
  check(summary.summary.registry.behind === 0, `the registry is up to date (${summary.summary.registry.behind} behind)`);
  const queue = await page.evaluate(async () => (await fetch('/api/v1/suggestions?per_page=100')).json());
  check(queue.total >= 1, 'the tracker made suggestions');
  // A suggestion that changes the status, about a commitment on the first page of its column.
  const sug = queue.items.find((x) => x.status !== x.commitment_status) || queue.items[0];
  await page.goto(`${url}#/commitments`);
  await page.waitForSelector(`[data-testid=board] [data-id="${sug.commitment_id}"]`);
  if (summary.summary.overdue > 0) {
    check(await page.locator('[data-testid=board] .overdue').count() >= 1, 'overdue flags shown');
  }
  await page.click('#token-button');
  await page.fill('input[name=token]', 'not-a-token');
  await page.press('input[name=token]', 'Enter');
  await page.waitForSelector('.dialog .error');
  await page.fill('input[name=token]', token);
  await page.press('input[name=token]', 'Enter');
  await page.waitForSelector('#token-button.set');
  await shot('commitments');

  step = 'review a suggestion';
  await page.goto(`${url}#/suggestions`);
  const item = page.locator(`[data-testid=suggestion][data-id="${sug.id}"]`);
  await item.waitFor();
  await item.locator('input[name=note]').fill('reviewed in the browser test');
  await item.locator('button', { hasText: 'Accept' }).click();
  await page.waitForSelector(`[data-testid=suggestion][data-id="${sug.id}"]`, { state: 'detached' });
  const rec = await page.evaluate(async (id) => (await fetch(`/api/v1/commitments/${id}`)).json(), sug.commitment_id);
  check(rec.status === sug.status, `accepted suggestion sets the status (${rec.status}, suggested ${sug.status})`);
  check(rec.history.at(-1).note.includes('reviewed in the browser test'), 'note saved');
  check(rec.evidence.some((e) => e.suggestion === sug.id && e.review === 'accepted'), 'evidence marked accepted');
  await page.goto(`${url}#/commitments`);
  await page.waitForSelector(`.column[data-status=${sug.status}] [data-id="${sug.commitment_id}"]`);

  step = 'set status needs evidence';
  await page.goto(`${url}#/commitment/${sug.commitment_id}`);
  const form = page.locator('[data-testid=status-form]');
  await form.locator('select[name=status]').selectOption('delivered');
  await form.locator('button', { hasText: 'Set status' }).click();
  await page.locator('[data-testid=status-error]').filter({ hasText: 'needs evidence' }).waitFor();
  await form.locator('select[name=evidence]').selectOption(sug.id);
  await form.locator('input[name=note]').fill('delivered per the same article');
  await form.locator('button', { hasText: 'Set status' }).click();
  await page.locator('[data-testid=status]').filter({ hasText: /^delivered$/ }).waitFor();
  await shot('commitment');

  step = 'evidence link';
  const located = rec.evidence.find((e) => Number.isInteger(e.start));
  check(located, 'an evidence sentence is located in its article');
  await page.locator(`[data-testid=evidence] li[data-id="${located.suggestion}"] a`).first().click();
  await page.waitForSelector('.hl-focus');
  const focused = (await page.locator('[data-testid=article-text] .hl-focus').allTextContents()).join('');
  check(focused === located.text, `evidence link marks the sentence (got ${focused})`);

  step = 'other views';
  for (const [hash, sel] of [['#/timeline', '[data-testid=events] li'], ['#/actors', 'table a'], ['#/sources', 'table a'], ['#/actor/lee-jae-myung', 'h1']]) {
    await page.goto(`${url}${hash}`);
    await page.waitForSelector(sel);
  }
  await shot('actor');
  const csp = problems.filter((p) => /Content Security Policy/i.test(p));
  check(csp.length === 0, `CSP violations: ${csp.join('; ')}`);
  check(problems.length === 0, `browser problems: ${problems.join('; ')}`);
  console.log(`ok: dashboard interactive in ${interactive} ms; ${hits} search hit(s); screenshots in ${artifacts}`);
} catch (e) {
  console.error(`browser test failed at step "${step}": ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
