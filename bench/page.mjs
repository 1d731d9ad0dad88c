// Benchmark of the page and the core (prints figures; it passes or fails nothing).
//   page weight: what a browser downloads for the page over HTTP, gzip -9 (index.html with its
//                inline CSS, loader and app; willitfit-core.wasm.lzma, the core with the built-in
//                catalogs, LZMA-compressed, on which gzip gains nothing more; unlzma.wasm, its decoder)
//   ready:       navigation start to the page answering: core running, catalogs parsed, the first
//                answer in the page (mark 'wif-ready'); then when that verdict was painted (Element Timing)
//   slow link:   the same first visit over an emulated 10 Mbit/s link with 40 ms round trips
//   verdict:     a question typed and submitted to its verdict, median of several
//   training:    a training question on a fresh page to its verdict painted, the full module's
//                download and start included (it is not part of the first visit)
//   sweep:       every catalog model x format x device, in wasm (Chromium) and natively (CLI)
// Usage: node bench/page.mjs   (after ./build-wasm.sh and the native build)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/browser/chromium.mjs';
import { serve } from '../web/serve.mjs';

// WIF_DIST: another build of the page to measure (e.g. an older one, for comparison on the same machine).
const DIST = process.env.WIF_DIST ? `${process.env.WIF_DIST.replace(/\/$/, '')}/` : fileURLToPath(new URL('../web/dist/', import.meta.url));
const BIN = process.env.WILLITFIT_BIN || fileURLToPath(new URL('../build/willitfit', import.meta.url));
const gz = (file) => gzipSync(readFileSync(DIST + file), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// What the page fetches on a first visit over HTTP (web/early.mjs), each as a server would send it
// with gzip -9 (which shrinks the .lzma by nothing, or makes it a few bytes larger).
// (A build from before the .lzma, measured through WIF_DIST, downloads willitfit-core.wasm.)
const PAGE = existsSync(DIST + 'willitfit-core.wasm.lzma') ? ['index.html', 'willitfit-core.wasm.lzma', 'unlzma.wasm'] : ['index.html', 'willitfit-core.wasm'];
const page = PAGE.reduce((a, f) => a + gz(f), 0);
console.log('Page weight (gzip -9, what the page downloads over HTTP)');
const row = (f, note = '') => console.log(`  ${f.padEnd(26)}${kb(readFileSync(DIST + f).length).padStart(9)} raw  ${kb(gz(f)).padStart(9)} gzipped${note}`);
const NOTES = { 'willitfit-core.wasm.lzma': ' (the core with the catalogs, LZMA)', 'unlzma.wasm': ' (its decoder)', 'willitfit-core.wasm': ' (the core with the catalogs)' };
for (const f of PAGE) row(f, NOTES[f]);
console.log(`  whole page                          ${kb(page).padStart(9)} gzipped (target <= 130 KB)`);
console.log(`  (the core uncompressed: willitfit-core.wasm ${kb(readFileSync(DIST + 'willitfit-core.wasm').length)} raw, ${kb(gz('willitfit-core.wasm'))} gzipped)`);
const FULL = ['willitfit-full.js', 'willitfit-full.wasm', 'willitfit-training-view.js'].filter((f) => existsSync(DIST + f));
const fullSize = FULL.reduce((a, f) => a + gz(f), 0);
console.log('Full module (training and serving; downloaded only when a question needs it)');
for (const f of FULL) console.log(`  ${f.padEnd(26)}${kb(readFileSync(DIST + f).length).padStart(9)} raw  ${kb(gz(f)).padStart(9)} gzipped`);
console.log(`  on demand, in all                   ${kb(fullSize).padStart(9)} gzipped (not counted in the page weight)`);
console.log(`  other files in web/dist: ${readdirSync(DIST).filter((f) => ![...PAGE, ...FULL].includes(f)).join(', ')}`);

const server = await serve(DIST, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
// The server gzips each file once, on its first request: not in a measured visit.
for (const f of ['', ...PAGE, 'willitfit-core.wasm', 'willitfit.mjs', ...FULL]) await (await fetch(base + f, { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer();
const browser = await launch();

const RUNS = Number(process.env.RUNS || 11);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// First visits: a fresh context (empty cache) each time, on a machine left idle for half a second
// so that the previous page's background compilation does not land in this page's figure.
// `link`: Chrome's network emulation (download and upload bytes/s, round trip ms), or none.
async function firstVisit(link) {
  await sleep(500);
  const context = await browser.newContext();
  const p = await context.newPage();
  if (link) {
    const cdp = await context.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: link.rtt, downloadThroughput: link.down, uploadThroughput: link.up });
  }
  // No selector waits here: Playwright would inject its own large script into the page and compile
  // it on the main thread while the page starts. Wait on the Node side, then read the marks.
  await p.goto(base);
  await sleep(link ? 3000 : 1500);
  const marks = await p.evaluate(() => new Promise((resolve) => {
    const at = (name) => performance.getEntriesByName(name)[0].startTime;
    const nav = performance.getEntriesByType('navigation')[0];
    // Element Timing: when the browser actually painted the verdict (elementtiming="verdict").
    new PerformanceObserver((list) => {
      const painted = list.getEntries().find((e) => e.identifier === 'verdict');
      if (painted) resolve({ html: nav.domInteractive, core: at('wif-core'), catalog: at('wif-catalog'), computed: at('wif-computed'), ready: at('wif-ready'), painted: painted.renderTime });
    }).observe({ type: 'element', buffered: true });
  }));
  await context.close();
  return marks;
}
const phases = [];
for (let run = 0; run < RUNS; run++) phases.push(await firstVisit(null));
// The same over a link like a good mobile connection (10 Mbit/s down, 40 ms round trip), served
// gzipped as a static host does (web/serve.mjs): where the bytes of the first visit cost time.
const LINK = { down: 10e6 / 8, up: 5e6 / 8, rtt: 40 };
const slow = [];
for (let run = 0; run < Math.min(RUNS, 5); run++) slow.push(await firstVisit(LINK));

const verdict = [], sweepFirst = [], sweepWarm = [];
for (let run = 0; run < Math.min(RUNS, 5); run++) {
  await sleep(500);
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(base);
  await p.waitForSelector('html[data-ready="true"]');
  for (const q of ['13B on a 4090', 'llama 3.1 70b q4_k_m on 2x 3090', 'mixtral 8x7b int4 on m2 ultra 192gb']) {
    await sleep(300);  // people type seconds apart: let the previous answer's sweeps finish
    const ms = await p.evaluate(async (question) => {
      const input = document.getElementById('q');
      input.value = question;
      // Until the browser painted the new verdict (Element Timing of the fresh verdict element).
      const painted = new Promise((resolve) => {
        const observer = new PerformanceObserver((list) => {
          const entry = list.getEntries().find((e) => e.identifier === 'verdict' && e.renderTime > start);
          if (entry) { observer.disconnect(); resolve(entry.renderTime); }
        });
        observer.observe({ type: 'element' });
      });
      const start = performance.now();
      document.getElementById('ask').requestSubmit();
      return (await painted) - start;
    }, q);
    verdict.push(ms);
  }
  // The sweep through the page's own module instance (the first call also compiles hot code).
  const sweep = await p.evaluate(async () => {
    // The sweep is a script call of the full module (the page's core leaves it out; builds from
    // before 2026-12-02, measured through WIF_DIST, had one module with the sweep).
    const m = await import('./willitfit.mjs');
    const wif = m.loadFull ? await m.loadFull() : await m.load();
    const t0 = performance.now();
    const first = wif.sweep(4096);
    const t1 = performance.now();
    wif.sweep(4096);
    const t2 = performance.now();
    return { first: t1 - t0, warm: t2 - t1, combinations: first.combinations };
  });
  sweepFirst.push(sweep.first);
  sweepWarm.push(sweep.warm);
  if (run === 0) console.log(`\nSweep size: ${sweep.combinations.toLocaleString('en')} model x format x device combinations`);
  await context.close();
}
// A training question on a fresh page (empty cache): the full module is fetched, compiled and
// started, then the question answered and painted.
const training = [];
for (let run = 0; FULL.length && run < Math.min(RUNS, 5); run++) {
  await sleep(500);
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(base);
  await p.waitForSelector('html[data-ready="true"]');
  await sleep(300);
  training.push(await p.evaluate(async () => {
    const input = document.getElementById('q');
    input.value = 'can I QLoRA llama 3 70b on two 4090s?';
    const start = performance.now();
    const painted = new Promise((resolve) => {
      const observer = new PerformanceObserver((list) => {
        const entry = list.getEntries().find((e) => e.identifier === 'verdict' && e.renderTime > start);
        if (entry && window.__wif && window.__wif.intent === 'training') { observer.disconnect(); resolve(entry.renderTime); }
      });
      observer.observe({ type: 'element' });
    });
    document.getElementById('ask').requestSubmit();
    return (await painted) - start;
  }));
  await context.close();
}
await browser.close();
server.close();

const native = [];
for (let run = 0; run < 5; run++) {
  const out = execFileSync(BIN, ['sweep']).toString();
  native.push(Number(out.match(/in ([\d.]+) ms/)[1]));
}

console.log(`\nTimings (headless Chromium on this machine; first visits: median of ${RUNS})`);
const ph = Object.fromEntries(['html', 'core', 'catalog', 'computed', 'ready', 'painted'].map((k) => [k, median(phases.map((p) => p[k]))]));
console.log(`  navigation -> ready            ${ph.ready.toFixed(0).padStart(6)} ms   (target <= 250 ms: core running, catalogs parsed, first answer in the page)`);
console.log(`  navigation -> verdict painted  ${ph.painted.toFixed(0).padStart(6)} ms   (the browser's next frame, by Element Timing)`);
console.log(`      every run, ready:   ${phases.map((p) => p.ready.toFixed(0)).join(' ')} ms`);
console.log(`      every run, painted: ${phases.map((p) => p.painted.toFixed(0)).join(' ')} ms`);
console.log(`    (medians: HTML parsed ${ph.html.toFixed(0)} ms, wasm instantiated ${ph.core.toFixed(0)} ms, catalogs parsed ${ph.catalog.toFixed(0)} ms, answer computed ${ph.computed.toFixed(0)} ms)`);
console.log(`  over 10 Mbit/s, 40 ms RTT: ready ${median(slow.map((p) => p.ready)).toFixed(0)} ms, painted ${median(slow.map((p) => p.painted)).toFixed(0)} ms   (median of ${slow.length}; every run, ready: ${slow.map((p) => p.ready.toFixed(0)).join(' ')} ms)`);
console.log(`  question -> verdict painted    ${median(verdict).toFixed(1).padStart(6)} ms   (target <= 50 ms; max ${Math.max(...verdict).toFixed(1)} ms)`);
if (training.length) console.log(`  training question -> verdict    ${median(training).toFixed(0).padStart(6)} ms   (fresh page: full module fetched, compiled, started; every run: ${training.map((t) => t.toFixed(0)).join(' ')} ms)`);
console.log(`  sweep in wasm, first call      ${median(sweepFirst).toFixed(0).padStart(6)} ms`);
console.log(`  sweep in wasm, warm            ${median(sweepWarm).toFixed(0).padStart(6)} ms   (target <= 100 ms)`);
console.log(`  sweep natively (willitfit)     ${median(native).toFixed(0).padStart(6)} ms`);
