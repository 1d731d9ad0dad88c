// The page in headless Chromium (Debian's, driven by playwright-core): ask, adjust, share, embed,
// open from disk, and check that nothing is requested from anywhere but the page's own files.
// Screenshots of the main views go to test-results/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.mjs';
import { serve } from '../../web/serve.mjs';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

let browser, server, base;
const requests = [];

before(async () => {
  server = await serve(DIST, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launch(['--allow-file-access-from-files']);
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

test('a first visit over HTTP downloads the core LZMA-compressed with its decoder, not the plain module, and answers', async () => {
  const page = await browser.newPage();
  const mine = [];
  page.on('request', (r) => { mine.push(r.url()); requests.push(r.url()); });
  await page.goto(`${base}#q=${encodeURIComponent('13B q4_k_m on a 4090')}`);
  await page.waitForSelector('html[data-ready="true"]');
  const names = mine.map((u) => new URL(u).pathname.split('/').pop());
  assert.ok(names.includes('willitfit-core.wasm.lzma') && names.includes('unlzma.wasm'), `fetched: ${names.join(', ')}`);
  assert.ok(!names.includes('willitfit-core.wasm'), 'the uncompressed module is only the fallback');
  assert.equal(await verdict(page), 'fits');
  await page.close();
});

test('a server without the .lzma still gets an answer: the page falls back to willitfit-core.wasm', async () => {
  const page = await browser.newPage();
  await page.route(/willitfit-core\.wasm\.lzma$/, (route) => route.fulfill({ status: 404, body: '' }));
  const mine = [];
  page.on('request', (r) => { mine.push(r.url()); requests.push(r.url()); });
  await page.goto(`${base}#q=${encodeURIComponent('13B q4_k_m on a 4090')}`);
  await page.waitForSelector('html[data-ready="true"]');
  assert.ok(mine.some((u) => /willitfit-core\.wasm$/.test(u)), 'fell back to the plain module');
  assert.equal(await verdict(page), 'fits');
  await page.close();
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

// ---- layout at the sizes people use: the embed at 380 px, a 390 px phone, a 1280 px desktop ----

// Rectangles of the elements that must be on screen, in CSS pixels of the viewport.
const rects = (page, selectors) => page.evaluate((sels) => Object.fromEntries(sels.map((s) => {
  const el = document.querySelector(s);
  if (!el) return [s, null];
  const r = el.getBoundingClientRect();
  return [s, { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height }];
})), selectors);

test('the embed at its documented 380 px height shows the verdict and the whole bar, 320 to 1000 px wide', async () => {
  const q = encodeURIComponent('llama 3.1 70b q4_k_m on 2x 3090 at 16k context');
  for (const width of [320, 390, 600, 1000]) {
    const { page, errors } = await open(`${base}embed.html#q=${q}`, { width, height: 380 });
    assert.equal(await verdict(page), 'fits');
    const r = await rects(page, ['.verdict', '.headline', '.bar .track', '.bar .limit span', '.legend .need', '#open-full']);
    for (const [sel, box] of Object.entries(r)) {
      assert.ok(box && box.height > 0, `${sel} is shown at ${width} px`);
      assert.ok(box.top >= 0 && box.bottom <= 380, `${sel} within 380 px at ${width} px wide (bottom ${box.bottom.toFixed(0)})`);
      assert.ok(box.left >= 0 && box.right <= width, `${sel} within ${width} px`);
    }
    assert.equal(await page.isVisible('.math'), false, 'the arithmetic is behind the link');
    // The embed defaults to a light widget on a transparent page, whatever the reader's system says.
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    if (width === 320 || width === 1000) await page.screenshot({ path: `${SHOTS}/embed-${width}x380.png` });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a dark system does not make the embed a dark block; theme=dark in the hash does', async () => {
  const q = encodeURIComponent('13B on a 4090');
  const bg = (page) => page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.answer')).backgroundColor]);
  const light = await browser.newPage({ viewport: { width: 480, height: 380 }, colorScheme: 'dark' });
  await light.goto(`${base}embed.html#q=${q}`);
  await light.waitForSelector('html[data-ready="true"]');
  const [body, card] = await bg(light);
  assert.equal(body, 'rgba(0, 0, 0, 0)', 'transparent page');
  assert.equal(card, 'rgb(255, 255, 255)', 'light card in a dark system');
  const dark = await browser.newPage({ viewport: { width: 480, height: 380 } });
  await dark.goto(`${base}embed.html#q=${q}&theme=dark`);
  await dark.waitForSelector('html[data-ready="true"]');
  assert.equal((await bg(dark))[1], 'rgb(27, 30, 36)');
  await dark.screenshot({ path: `${SHOTS}/embed-dark-480x380.png` });
  await light.close();
  await dark.close();
});

test('on a 390 px phone the formats table shows its Verdict column and the chart reads', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await page.goto(`${base}#q=${encodeURIComponent('llama 4 scout q4_k_m on an h100')}`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('#quants table');
  await page.waitForSelector('#chart svg');
  const th = await page.$$eval('#quants th', (ths) => ths.filter((t) => t.offsetParent !== null).map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, right: r.right };
  }));
  const v = th.find((t) => t.text === 'Verdict');
  assert.ok(v, 'the Verdict column is shown');
  assert.ok(v.right <= 390, `Verdict column within the screen (right edge ${v.right})`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false, 'no horizontal scrolling');
  // Chart: x ticks as model cards write them, text at least 11 px on screen, axis titles, a legend.
  const labels = await page.$$eval('#chart text.xt', (ts) => ts.map((t) => t.textContent));
  assert.ok(labels.length >= 3, 'x-axis ticks');
  assert.ok(!labels.some((l) => /\d{4,}k/.test(l)), `no "10240k" style ticks: ${labels.join(' ')}`);
  assert.ok(labels.some((l) => /M$/.test(l)), `a 10M-token model is labelled in M: ${labels.join(' ')}`);
  const smallest = await page.$$eval('#chart svg text', (ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().height)));
  assert.ok(smallest >= 11, `chart text at least 11 px high on screen (smallest ${smallest.toFixed(1)})`);
  const titles = await page.$$eval('#chart text.title', (ts) => ts.map((t) => t.textContent));
  assert.deepEqual(titles, ['context length (tokens)', 'memory on the device']);
  assert.match(await page.textContent('#chart .chart-legend'), /weights.*KV cache.*usable memory/);
  // The usable line is in view: the y-axis does not run to the 10M-token peak.
  assert.match(await page.textContent('#chart'), /The scale stops at/);
  const usableY = await page.$eval('#chart .limitline', (l) => Number(l.getAttribute('y1')));
  const h = await page.$eval('#chart svg', (s) => Number(s.getAttribute('height')));
  assert.ok(usableY > h * 0.2, 'the usable line is not squashed against the bottom');
  await page.screenshot({ path: `${SHOTS}/phone-390.png`, fullPage: true });
  await page.locator('#quants').screenshot({ path: `${SHOTS}/phone-390-formats.png` });
  await page.locator('#chart').screenshot({ path: `${SHOTS}/phone-390-chart.png` });
  await page.close();
});

test('desktop at 1280 px: GPUs first for a GPU question, and a CPU device fills "On device"', async () => {
  const { page } = await open(`${base}#q=${encodeURIComponent('llama 3.1 8b q4_k_m on a rtx 4060')}`, { width: 1280, height: 900 });
  await page.waitForSelector('#devices-fit ul.devlist li');
  const kinds = await page.$$eval('#devices-fit ul.devlist li', (lis) => lis.map((l) => l.dataset.kind));
  assert.equal(kinds[0], 'gpu');
  assert.ok(kinds.indexOf('cpu') < 0 || kinds.indexOf('cpu') > kinds.lastIndexOf('gpu'), `GPUs before CPU RAM: ${kinds.join(' ')}`);
  await page.screenshot({ path: `${SHOTS}/desktop-1280.png`, fullPage: true });
  await page.fill('#q', '');
  await page.fill('#f-device', 'cpu-ddr5-5600-dual-64gb');
  await page.waitForFunction(() => document.querySelector('#devices-fit li')?.dataset.kind === 'cpu');
  const cells = await page.$$eval('#quants tbody tr', (trs) => trs.map((tr) => tr.children[3].textContent));
  assert.ok(cells.length > 3);
  assert.ok(cells.every((c) => c !== ''), 'no blank "On device" cell on a CPU');
  assert.ok(cells.filter((c) => /B$/.test(c)).length >= cells.length / 2, `sizes shown: ${cells.slice(0, 5).join(', ')}`);
  await page.close();
});

test('a failed question clears the panels of the previous answer and shows its candidates, in page words', async () => {
  const { page } = await open(`${base}#q=${encodeURIComponent('llama 3.1 8b q4_k_m on a rtx 4060')}`);
  await page.waitForSelector('#chart svg');
  assert.notEqual(await page.inputValue('#f-device'), '');
  await page.fill('#q', 'llama 3.1 8b on a frobnicator 9000 xt');
  await page.press('#q', 'Enter');
  await page.waitForSelector('.answer .error');
  assert.equal(await page.$('#quants table'), null, 'formats table cleared');
  assert.equal(await page.$('#devices-fit li'), null, 'devices cleared');
  assert.equal(await page.$('#chart svg'), null, 'chart cleared');
  assert.equal(await page.$('.verdict'), null, 'no verdict left');
  assert.doesNotMatch(await page.inputValue('#f-device'), /4060/, 'the form no longer shows the previous device');
  await page.screenshot({ path: `${SHOTS}/error.png`, fullPage: true });
  // An unknown device in the form clears them too.
  await page.fill('#q', 'llama 3.1 8b q4_k_m on a rtx 4060');
  await page.press('#q', 'Enter');
  await page.waitForSelector('#chart svg');
  await page.fill('#f-device', 'no such card');
  await page.waitForSelector('.answer .error');
  await page.waitForFunction(() => !document.querySelector('#chart svg'));
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /willitfit list|--memory|--hf-config|--model|--params/, 'no command-line words on the page');
  // A question with a near miss offers candidates that answer when clicked.
  await page.fill('#q', 'llama 3.1 8b on a rtx 409');
  await page.press('#q', 'Enter');
  await page.waitForSelector('.answer .error');
  const cand = await page.$('[data-cand-device], [data-cand-model]');
  if (cand) {
    await cand.click();
    await page.waitForSelector('.verdict');
  }
  await page.close();
});

// ---- training (the full module, loaded only when asked for), speed, serving ---------------------

const isFull = (u) => /willitfit-full|willitfit-training-view/.test(u);

for (const [width, question] of [[390, 'can I QLoRA llama 3 70b on two 4090s?'], [1280, 'what would pretraining llama 2 7b on 2T tokens cost']]) {
  test(`a training question at ${width} px: the full module loads only then; bar, GPUs needed and cost on screen`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: width < 500 ? 2 : 1 });
    const mine = [];
    const errors = [];
    page.on('request', (r) => { mine.push(r.url()); requests.push(r.url()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#devices-fit li');
    assert.deepEqual(mine.filter(isFull), [], 'no request for the full module on the first visit');
    await page.fill('#q', question);
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => window.__wif && window.__wif.intent === 'training', null, { timeout: 20000 });
    assert.ok(mine.some((u) => /willitfit-full\.js$/.test(u)) && mine.some((u) => /willitfit-full\.wasm$/.test(u)), 'the full module was fetched');
    for (const sel of ['.verdict', '.bar .track', '[data-fact="gpus"]', '[data-fact="cost"]', '[data-fact="power"]', '#train-panel']) {
      assert.ok(await page.isVisible(sel), `${sel} visible at ${width} px`);
    }
    assert.equal(await page.isVisible('#fit-panel'), false, 'the inference panels give way to the Training form');
    const segs = await page.$$eval('.bar .seg[data-i]', (ss) => [...new Set(ss.map((s) => s.classList[1]))]);
    assert.ok(['weights', 'gradients', 'optimizer', 'activations'].every((c) => segs.includes(c)), `the four memories in the bar: ${segs}`);
    const gpus = await page.textContent('[data-fact="gpus"]');
    assert.match(gpus, /\d+ ×/);
    if (width === 1280) {
      assert.match(await page.textContent('[data-fact="cost"]'), /\$[\d,]+/);
      assert.match(await page.textContent('[data-fact="time"]'), /GPU-hours/);
    } else {
      assert.match(gpus, /3 × NVIDIA GeForce RTX 4090/);
      assert.match(gpus, /ZeRO-3/);
    }
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false, 'no horizontal scrolling');
    await page.screenshot({ path: `${SHOTS}/training-${width}.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('the Training view: its form answers, the outlet warning shows, and the URL restores it', async () => {
  const { page, errors } = await open(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090`, { width: 1280, height: 900 });
  await page.click('#view-train');
  await page.waitForFunction(() => window.__wif && window.__wif.intent === 'training', null, { timeout: 20000 });
  assert.equal(await page.inputValue('#t-model'), 'Llama 3.1 8B');
  assert.match(await page.inputValue('#t-device'), /4090/);
  assert.match(page.url(), /view=train/);
  await page.selectOption('#t-method', 'full');
  await page.fill('#t-count', '4');
  await page.selectOption('#t-zero', '3');
  await page.fill('#t-tokens', '10B');
  await page.fill('#t-price', '0.7');  // a 4090 has no typical cloud price in the catalog
  await page.waitForFunction(() => /view=train.*count=4/.test(location.hash) && document.querySelector('[data-power="trips"]'));
  assert.match(await page.textContent('.alert'), /trips the wall outlet/);
  assert.match(await page.textContent('[data-fact="cost"]'), /\$/);
  await page.screenshot({ path: `${SHOTS}/training-form-1280.png`, fullPage: true });
  const shared = await page.inputValue('#share-url');
  const again = await open(shared, { width: 1280, height: 900 });
  await again.page.waitForFunction(() => window.__wif && window.__wif.intent === 'training', null, { timeout: 20000 });
  assert.equal(await again.page.inputValue('#t-count'), '4');
  assert.equal(await again.page.inputValue('#t-method'), 'full');
  assert.equal(await again.page.textContent('.headline'), await page.textContent('.headline'));
  // Back to running the model: the Adjust form and the panels return, with the same model.
  await again.page.click('#view-infer');
  await again.page.waitForSelector('#devices-fit li');
  assert.equal(await again.page.isVisible('#fit-panel'), true);
  assert.match(await again.page.inputValue('#f-model'), /Llama 3.1 8B/);
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
  await page.close();
  await again.page.close();
});

test('speed on an inference answer, with its basis; the GPU / RAM split; how many devices', async () => {
  const { page, errors } = await open(`${base}#q=${encodeURIComponent('how fast is llama 3.1 8b q4_k_m on a 4090')}`, { width: 1280, height: 900 });
  assert.match(await page.textContent('.speed'), /About [\d,]+ tokens\/s (\(likely [\d,]+–[\d,]+\) )?generating, [\d,]+ tokens\/s (\(likely [\d,]+–[\d,]+\) )?reading the prompt/);
  await page.click('.basis summary');
  assert.match(await page.textContent('.basis'), /Bandwidth efficiency \d+% of peak — .*llama-bench/);
  assert.ok(await page.isVisible('table.parts'));
  await page.screenshot({ path: `${SHOTS}/speed-1280.png`, fullPage: true });
  await page.fill('#q', 'llama 3.3 70b q4_k_m on a 16gb radeon with 64gb ram');
  await page.press('#q', 'Enter');
  await page.waitForSelector('.split');
  assert.match(await page.textContent('.split'), /\d+ of 81 layers on the GPU.*, \d+ in system RAM/);
  assert.match(await page.textContent('.speed'), /tokens\/s generating/);
  await page.locator('#answer').screenshot({ path: `${SHOTS}/offload-split-1280.png` });
  await page.fill('#q', 'how many 4090s do I need for llama 3.1 405b fp8');
  await page.press('#q', 'Enter');
  await page.waitForSelector('[data-devices-needed]');
  assert.match(await page.textContent('.bignum'), /17 ×/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the solver\'s setups on this device: fastest first, the best marked, and a click answers with that format and KV cache', async () => {
  const { page, errors } = await open(`${base}#q=${encodeURIComponent('llama 3.3 70b q4_k_m on a 4090')}`, { width: 1280, height: 900 });
  await page.waitForSelector('#setups table.setups');
  const tps = await page.$$eval('#setups tbody tr td:last-child', (tds) => tds.map((td) => Number(td.textContent)));
  assert.ok(tps.length >= 3, `setups: ${tps.join(', ')}`);
  for (let i = 1; i < tps.length; i++) assert.ok(tps[i - 1] >= tps[i], `fastest first: ${tps.join(', ')}`);
  assert.match(await page.textContent('#setups'), /Best: \S+ with a \S+ KV cache, \d+ of 81 layers on the GPU/);
  // Each row's share of the card fits in the card: "on device" never exceeds 25.8 GB (24 GiB).
  const onDevice = await page.$$eval('#setups tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
  for (const t of onDevice) assert.ok(!/^(2[6-9]|[3-9]\d)(\.\d+)? GB$/.test(t), `on device: ${onDevice.join(', ')}`);
  const best = page.locator('#setups tr.current button');
  const [quant, kv] = [await best.getAttribute('data-quant'), await best.getAttribute('data-kv')];
  await best.click();
  await page.waitForFunction((q) => document.querySelector('#f-quant')?.value === q, quant);
  assert.equal(await page.inputValue('#f-kv'), kv);
  await page.locator('#fit-panel').screenshot({ path: `${SHOTS}/setups-1280.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a mixture of experts on a small GPU: the setups offer experts in RAM, and a click fills the form with N and llama.cpp (390 px)', async () => {
  const { page, errors } = await open(`${base}#q=${encodeURIComponent('qwen3 30b a3b q4_k_m on an rtx 2080 with 64gb ram')}`, { width: 390, height: 844 });
  await page.waitForSelector('#setups table.setups');
  const expert = page.locator('#setups button[data-ncmoe]:not([data-ncmoe="0"])').first();
  const n = Number(await expert.getAttribute('data-ncmoe'));
  assert.ok(n > 0 && n < 48, `n_cpu_moe ${n}`);
  assert.match(await page.textContent('#setups'), new RegExp(`experts of ${n} in RAM`));
  const quant = await expert.getAttribute('data-quant');
  await expert.click();
  await page.waitForFunction(() => document.querySelector('#f-ncmoe')?.value !== '');
  assert.equal(await page.inputValue('#f-ncmoe'), String(n));
  assert.equal(await page.inputValue('#f-engine'), 'llama.cpp');
  assert.equal(await page.inputValue('#f-quant'), quant);
  // The answer for that setup: every layer on the GPU, the experts of N layers in system RAM.
  await page.waitForFunction((k) => /--n-cpu-moe/.test(document.querySelector('#answer')?.textContent || '') && document.querySelector('#answer').textContent.includes(`first ${k} layers`), n);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  await page.locator('#fit-panel').screenshot({ path: `${SHOTS}/setups-experts-390.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('gpt-oss-120b on one 24 GB card: vLLM cannot hold it, and the answer says llama.cpp can with --n-cpu-moe', async () => {
  const { page, errors } = await open(`${base}#q=${encodeURIComponent('gpt-oss 120b on a 4090 with 64gb ram')}`, { width: 1280, height: 900 });
  await page.waitForSelector('#answer [data-verdict], #answer .verdict');
  const text = await page.textContent('#answer');
  assert.match(text, /Does not fit/);
  assert.match(text, /llama\.cpp with MXFP4_MOE would run it with every layer on the GPU and the experts of (\d+) layers in system RAM \(--n-cpu-moe \1\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a model with no device: what it needs per format, the smallest devices, and a click answers for one (390 px)', async () => {
  const { page, errors } = await open(`${base}#q=13b`, { width: 390, height: 844 });
  await page.waitForSelector('[data-intent="sizes"]');
  assert.match(await page.textContent('#answer .headline'), /needs about .* in (bf16|fp16), .* in Q8_0 and .* in Q4_K_M/);
  const rows = await page.$$eval('table.sizes tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 3);
  assert.match(await page.textContent('#quants'), /Name a device/);
  // No horizontal scrolling on a phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  await page.locator('#answer').screenshot({ path: `${SHOTS}/sizes-390.png` });
  await page.locator('table.sizes [data-device]').first().click();
  await page.waitForSelector('.verdict[data-verdict="fits"]');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a speed question on a 390 px phone', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const mine = [];
  page.on('request', (r) => { mine.push(r.url()); requests.push(r.url()); });
  await page.goto(`${base}#q=${encodeURIComponent('how fast is llama 3.3 70b q4_k_m on an m2 ultra')}`);
  await page.waitForSelector('html[data-ready="true"]');
  assert.match(await page.textContent('.speed'), /tokens\/s generating/);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), false, 'no horizontal scrolling');
  assert.deepEqual(mine.filter(isFull), [], 'an inference answer needs no full module');
  await page.screenshot({ path: `${SHOTS}/speed-390.png`, fullPage: true });
  await page.close();
});

test('web/dist/index.html from disk answers a training question (the full module from its .wasm.js)', async () => {
  const { page, errors } = await open(`file://${DIST}index.html#q=${encodeURIComponent('can I QLoRA llama 3 70b on two 4090s?')}`);
  await page.waitForFunction(() => window.__wif && window.__wif.intent === 'training', null, { timeout: 20000 });
  assert.equal(await verdict(page), 'does_not_fit');
  assert.match(await page.textContent('[data-fact="gpus"]'), /3 ×/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('vLLM serving from an inference answer: the KV budget and requests at once, and back', async () => {
  const { page, errors } = await open(`${base}#q=${encodeURIComponent('llama 3.1 8b on an h100')}`, { width: 1280, height: 900 });
  await page.click('[data-serve="serving"]');
  await page.waitForFunction(() => window.__wif && window.__wif.intent === 'serving', null, { timeout: 20000 });
  assert.match(page.url(), /intent=serving/);
  assert.match(await page.textContent('.headline'), /vLLM serves .* requests of 4,096 tokens at once/);
  assert.match(await page.textContent('.facts.serving'), /Requests at once\s*111/);
  await page.waitForSelector('#devices-fit li');
  await page.locator('#answer').screenshot({ path: `${SHOTS}/serving-1280.png` });
  await page.click('[data-serve=""]');
  await page.waitForFunction(() => window.__wif && window.__wif.intent !== 'serving');
  assert.doesNotMatch(page.url(), /intent=serving/);
  // The façade's loadFull() from another page script answers the same.
  const res = await page.evaluate(async () => {
    const { loadFull } = await import('./willitfit.mjs');
    const full = await loadFull();
    return full.estimate({ intent: 'serving', model: 'llama-3.1-8b', device: 'h100-sxm' });
  });
  assert.equal(res.serving.max_sequences, 111);
  assert.deepEqual(errors, []);
  await page.close();
});

test('no request left the page for anything but its own files', () => {
  assert.ok(requests.length > 0);
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith('file://') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
