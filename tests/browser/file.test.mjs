// "Read a model file" in headless Chromium: a 10 GB sparse GGUF (a small valid header written by
// the C++ tests' GGUF writer, `gguf_dump --write-corpus`, then extended to 10 GiB with truncate so
// the rest is a hole) is picked with the file input. The page must show the header's exact weight
// bytes within a second, having read only the header (File.slice), answer the form's device for
// that model, and request nothing but its own files: nothing is uploaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.mjs';
import { serve } from '../../web/serve.mjs';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DUMP = process.env.GGUF_DUMP ?? fileURLToPath(new URL('../../build/tests/gguf_dump', import.meta.url));
const BIN = process.env.WILLITFIT_BIN ?? fileURLToPath(new URL('../../build/willitfit', import.meta.url));
const TEN_GB = 10 * 1024 ** 3;

let browser, server, base, dir, small, big, expected;

before(async () => {
  assert.ok(existsSync(DUMP), `no gguf_dump at ${DUMP}: build the native tests first (cmake --build --preset native) or set GGUF_DUMP`);
  dir = mkdtempSync(join(tmpdir(), 'wif-file-'));
  execFileSync(DUMP, ['--write-corpus', dir]);
  small = join(dir, 'llama-q4_k_m.gguf');
  big = join(dir, 'tiny-llama-10gb.gguf');
  copyFileSync(small, big);
  truncateSync(big, TEN_GB);  // a hole after the header and tensors: nothing on disk, 10 GiB to File.size
  assert.equal(statSync(big).size, TEN_GB);
  // The native reader's view of the same header: what the page must show.
  expected = existsSync(BIN) ? JSON.parse(execFileSync(BIN, ['inspect', big, '--json']).toString()) : null;
  server = await serve(DIST, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a 10 GB sparse GGUF is read in under a second from its header only, and answered for the device', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  assert.match(await page.textContent('#file-panel'), /Nothing is uploaded/);

  // First file: starts the full module (downloaded on demand), so the timed read below measures
  // reading the header, not compiling the module.
  let t = Date.now();
  await page.setInputFiles('#model-file', small);
  await page.waitForFunction(() => window.__wifFile && window.__wifFile.name === 'llama-q4_k_m.gguf', null, { timeout: 30000 });
  const first = Date.now() - t;

  t = Date.now();
  await page.setInputFiles('#model-file', big);
  await page.waitForFunction(() => window.__wifFile && window.__wifFile.name === 'tiny-llama-10gb.gguf', null, { timeout: 10000 });
  const elapsed = Date.now() - t;
  const shown = await page.evaluate(() => window.__wifFile);
  console.log(`# 10 GB sparse GGUF: header read and shown in ${elapsed} ms (in the page: ${shown.ms.toFixed(1)} ms, ${shown.bytes_read} bytes read); first file with the full module's start: ${first} ms`);
  assert.ok(elapsed < 1000, `the 10 GB file took ${elapsed} ms`);
  // Only the header: the first slice (1 MiB), never the 10 GB.
  assert.ok(shown.bytes_read <= 1 << 20, `read ${shown.bytes_read} bytes`);

  // What the header holds: the exact weight bytes of its tensors, its name, architecture and type.
  const weights = Number(await page.getAttribute('[data-file-weights]', 'data-file-weights'));
  assert.equal(weights, 1107152);  // the corpus file's 21 tensors, byte for byte
  if (expected) assert.equal(weights, expected.weight_bytes);
  const facts = await page.textContent('#file-info');
  assert.match(facts, /Tiny Llama/);
  assert.match(facts, /llama/);
  assert.match(facts, /Q4_K_M/);
  assert.match(facts, /1,107,152 bytes, exact/);
  assert.match(facts, /q4_K/);  // the tensor types histogram
  assert.match(await page.textContent('#file-status'), /10\.7 GB.*the header only.*Nothing was uploaded/s);

  // The answer for the form's device, from the file's shape and exact weights.
  await page.waitForSelector('#file-answer .verdict');
  assert.equal(await page.getAttribute('#file-answer', 'data-verdict'), 'fits');
  const answer = await page.textContent('#file-answer');
  assert.match(answer, /Tiny Llama/);
  assert.match(answer, /RTX 4090/);
  assert.match(answer, /1\.11 MB/);
  assert.match(answer, /read from the file's header/);

  // The answer follows the form: another device.
  await page.fill('#f-device', 'rtx-4060');
  await page.waitForFunction(() => /4060/.test(document.querySelector('#file-answer .headline')?.textContent || ''));

  await page.screenshot({ path: `${SHOTS}/file.png`, fullPage: true });
  // Nothing left the page: every request is for the page's own files.
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.ok(requests.some((u) => u.endsWith('willitfit-full.wasm')), 'the full module was loaded on demand');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file that is not a model says so', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  await page.setInputFiles('#model-file', { name: 'notes.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a model file at all, just text '.repeat(4)) });
  await page.waitForSelector('#file-status .error', { timeout: 30000 });
  assert.ok((await page.textContent('#file-status')).length > 20);
  assert.equal(await page.textContent('#file-info'), '');
  await page.close();
});

test('the three parts of a split GGUF picked together are read as one model', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  const parts = [1, 2, 3].map((k) => join(dir, `split-0000${k}-of-00003.gguf`));
  await page.setInputFiles('#model-file', parts);
  await page.waitForSelector('#file-panel[data-read]', { timeout: 30000 });
  const weights = Number(await page.getAttribute('[data-file-weights]', 'data-file-weights'));
  // The native reader finds the other parts from any one of them: the same model, byte for byte.
  if (existsSync(BIN)) assert.equal(weights, JSON.parse(execFileSync(BIN, ['inspect', parts[1], '--json']).toString()).weight_bytes);
  assert.match(await page.textContent('#file-info'), /3 parts read and merged/);
  assert.match(await page.textContent('#file-status'), /3 files/);
  // Two parts of three: the missing one is named.
  await page.setInputFiles('#model-file', parts.slice(0, 2));
  await page.waitForSelector('#file-status .error', { timeout: 30000 });
  assert.match(await page.textContent('#file-status'), /missing part\(s\) 3/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a pasted config.json is answered as that model on the form\'s device', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  // Llama 3.1 8B's config.json: the answer must be about 8B parameters' worth of weights.
  await page.fill('#config-text', JSON.stringify({ model_type: 'llama', vocab_size: 128256, hidden_size: 4096, intermediate_size: 14336,
    num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, max_position_embeddings: 131072, torch_dtype: 'bfloat16' }));
  await page.click('#config-form button[type=submit]');
  await page.waitForSelector('#file-answer .verdict', { timeout: 30000 });
  assert.equal(await page.getAttribute('#file-answer', 'data-verdict'), 'fits');
  assert.match(await page.textContent('#file-status'), /pasted config\.json/);
  // A config that misses a field says which.
  await page.fill('#config-text', '{"model_type": "llama", "hidden_size": 4096}');
  await page.click('#config-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#file-answer')?.dataset.verdict === 'error');
  assert.match(await page.textContent('#file-answer'), /num_hidden_layers|vocab_size|intermediate_size|num_attention_heads/);
  await page.close();
});
