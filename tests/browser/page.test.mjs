// The page in headless Chromium (Debian's, driven by playwright-core): ask, adjust, share, embed,
// open from disk, and check that nothing is requested from anywhere but the page's own files.
// Screenshots of the main views go to test-results/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '../../web/node_modules/playwright-core/index.mjs';
import { serve } from '../../web/serve.mjs';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

let browser, server, base;
const requests = [];

before(async () => {
  server = await serve(DIST, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
  });
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function open(url, viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  return { page, errors };
}
const verdict = (page) => page.getAttribute('.verdict', 'data-verdict');

test('typing the quiz question shows "does not fit", 14 GB of weights against 8 GB, and what would fit', async () => {
  const { page, errors } = await open(base);
  await page.fill('#q', '7B fp16 on an 8GB RTX 4060?');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => window.__wif && window.__wif.verdict === 'does_not_fit');
  assert.equal(await verdict(page), 'does_not_fit');
  assert.match(await page.textContent('.verdict'), /Does not fit/);
  const math = await page.textContent('.math');
  assert.match(math, /14 GB of weights/);
  assert.match(math, /\(8 GB\)/);
  assert.match(await page.textContent('.answer'), /would fit/);
  await page.waitForSelector('#quants table');
  await page.screenshot({ path: `${SHOTS}/answer.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('changing the form answers again', async () => {
  const { page } = await open(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4060`);
  assert.equal(await verdict(page), 'fits');
  await page.fill('#f-ctx', '131072');
  await page.waitForFunction(() => document.querySelector('.verdict')?.dataset.verdict !== 'fits');
  assert.notEqual(await verdict(page), 'fits');
  await page.selectOption('#f-quant', 'Q2_K');
  await page.fill('#f-device', 'NVIDIA H100 SXM5 80GB');
  await page.waitForFunction(() => document.querySelector('.verdict')?.dataset.verdict === 'fits');
  assert.match(page.url(), /quant=Q2_K/);
  await page.close();
});

test('a shared URL restores the whole state', async () => {
  const { page } = await open(base);
  await page.fill('#q', 'llama 3.1 70b q4_k_m on 2x 3090 at 16k context');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => window.__wif && window.__wif.verdict === 'fits');
  await page.click('#unit-gib');
  const shared = await page.inputValue('#share-url');
  const headline = await page.textContent('.headline');
  const again = await open(shared);
  assert.equal(await again.page.textContent('.headline'), headline);
  assert.match(headline, /GiB/);
  assert.equal(await again.page.inputValue('#q'), 'llama 3.1 70b q4_k_m on 2x 3090 at 16k context');
  assert.equal(await again.page.getAttribute('#unit-gib', 'aria-pressed'), 'true');
  await page.close();
  await again.page.close();
});

test('the embed page is a compact widget and the snippet points at it', async () => {
  const { page } = await open(base);
  const snippet = await page.inputValue('#embed-code');
  assert.match(snippet, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html#q=/);
  const src = snippet.match(/src="([^"]+)"/)[1];
  const embed = await open(src, { width: 480, height: 420 });
  assert.equal(await verdict(embed.page), 'does_not_fit');
  assert.equal(await embed.page.isVisible('.form-panel'), false);
  assert.equal(await embed.page.isVisible('#open-full'), true);
  await embed.page.screenshot({ path: `${SHOTS}/embed.png` });
  await page.close();
  await embed.page.close();
});

test('web/dist/index.html works when opened straight from disk', async () => {
  const { page, errors } = await open(`file://${DIST}index.html#q=${encodeURIComponent('13B on a 4090')}`);
  assert.equal(await verdict(page), 'does_not_fit');
  assert.match(await page.textContent('.math'), /26 GB of weights/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hovering or focusing a bar segment shows its arithmetic and source', async () => {
  const { page } = await open(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090`);
  await page.focus('.seg[data-i="2"]');
  const tip = await page.textContent('.tip');
  assert.match(tip, /compute buffer/);
  assert.match(tip, /llama\.cpp/);
  await page.close();
});

test('the page reads on a phone and in dark mode', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', deviceScaleFactor: 2 });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${base}#q=${encodeURIComponent('mixtral 8x7b int4 on m2 ultra 192gb')}`);
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await verdict(page), 'fits');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'no horizontal scrolling on a phone');
  await page.screenshot({ path: `${SHOTS}/phone-dark.png`, fullPage: true });
  await page.close();
});

test('no request left the page for anything but its own files', () => {
  assert.ok(requests.length > 0);
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith('file://') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
