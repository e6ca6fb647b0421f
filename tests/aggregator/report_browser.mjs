// Opens a report in headless Debian Chromium (playwright-core) and checks what a reader needs:
// every section heading, a map with country shapes and at least one coloured country, a table
// that re-sorts when a header is clicked, server text with markup shown as text and never run,
// and no network request or script error (the page's Content-Security-Policy reports violations
// as console errors). Saves a screenshot.
// Usage: node report_browser.mjs REPORT_HTML SCREENSHOT_PNG WEB_DIR (where node_modules is).
import { createRequire } from 'node:module';
import path from 'node:path';

const [reportPath, screenshotPath, webDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(webDir), 'package.json'));
const { chromium } = require('playwright-core');

const headings = [
  'Overview', 'Network map', 'Servers', 'Centralization', 'Behaviour fingerprints',
  'Rate limits', 'Differential findings', 'Operator clusters', 'Honeypot suspicion',
  'Phishing broadcasts and query leaks', 'Privacy recommendations', 'Exports',
];

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.EO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
  timeout: 60000,
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('file://' + path.resolve(reportPath), { waitUntil: 'load', timeout: 30000 });

  const found = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent.trim()));
  for (const h of headings) check(found.includes(h), `section heading "${h}"`);

  const countries = await page.locator('#world-map path.country').count();
  const coloured = await page.locator('#world-map path.country:not(.c0)').count();
  check(countries >= 150, `map has country paths (${countries})`);
  check(coloured >= 1, `map has a coloured country (${coloured})`);
  const box = await page.locator('#world-map').boundingBox();
  check(box !== null && box.width > 400 && box.height > 200, 'map is drawn at a readable size');

  // Sorting: the servers table comes in name order; the ASN column sorts numerically both ways.
  const table = page.locator('#table-servers');
  const headers = await table.locator('thead th').allTextContents();
  const asn = headers.indexOf('ASN');
  check(asn >= 0, 'servers table has an ASN column');
  const column = (i) => table.locator('tbody tr').evaluateAll(
    (rows, i) => rows.map((r) => r.cells[i].textContent), i);
  const before = await column(0);
  await table.locator('thead th').nth(asn).click();
  const ascending = (await column(asn)).map(Number);
  check(ascending.every((v, i) => i === 0 || ascending[i - 1] <= v),
    `ASN ascending after one click (${ascending.join(' ')})`);
  check(await table.locator('thead th').nth(asn).getAttribute('aria-sort') === 'ascending',
    'header marked ascending');
  await table.locator('thead th').nth(asn).click();
  const descending = (await column(asn)).map(Number);
  check(descending.every((v, i) => i === 0 || descending[i - 1] >= v),
    `ASN descending after two clicks (${descending.join(' ')})`);
  const after = await column(0);
  check(new Set(descending).size > 1 && after.join() !== before.join(),
    'rows moved (the table re-sorted)');
  await table.locator('thead th').nth(0).click();
  check((await column(0)).join() === [...before].sort((a, b) => a.localeCompare(b)).join(),
    'text column sorts by name');

  // The servers' AS names hold "<img src=x onerror=...>": shown as text, never run.
  const pwned = await page.evaluate(() => window.pwned);
  const images = await page.locator('img').count();
  const shown = await table.textContent();
  check(pwned === undefined && images === 0 && shown.includes('<img src=x onerror='),
    'hostile text stayed text');

  check(requests.length === 0, `no network request (${requests.join(' ')})`);
  check(errors.length === 0, `no script error or CSP violation (${errors.join(' | ')})`);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`screenshot ${screenshotPath}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
