// A page that cannot be turned against its user (issue 11): the built page (web/dist, from
// ./build-wasm.sh) opened in headless Chromium with hostile shared URLs in the hash, and given a
// GGUF file whose name, architecture and file name are markup. For each: no script of the payload
// runs (a window flag it would set stays unset, no dialog opens, no CSP violation is reported), no
// element of the payload is in the DOM, nothing is requested from anywhere but the page's own
// files, and the page still answers. Also: the page's Content-Security-Policy is the strict one
// web/build.mjs writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.mjs';
import { serve } from '../../web/serve.mjs';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

let browser, server, base;

before(async () => {
  server = await serve(DIST, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// Every payload marks what it would create with "wifx" (an id, a class or an attribute) and sets
// window.__pwned if any of its script ever runs.
const JS = 'window.__pwned=1';
const MARKUP = [
  `<img src=x id=wifx onerror="${JS}">`,
  `"><img src=x class=wifx onerror=${JS}>`,
  `'><svg id=wifx onload=${JS}>`,
  `</textarea><script id=wifx>${JS}</script>`,
  `</title></script><script id=wifx>${JS}</script>`,
  `<iframe id=wifx srcdoc="<script>parent.__pwned=1</script>">`,
  `<a id=wifx href="javascript:${JS}">x</a>`,
  `<math><mtext><table><mglyph><style><img id=wifx src=x onerror=${JS}>`,
  `<details id=wifx open ontoggle=${JS}>`,
  `<base href="http://evil.example/"><link rel=stylesheet href="http://evil.example/x.css" data-wifx>`,
  `<meta http-equiv=refresh content="0;url=javascript:${JS}" data-wifx>`,
  `<input id=wifx autofocus onfocus=${JS}>`,
  `<style id=wifx>@import "http://evil.example/x.css";</style>`,
  `<img id=wifx src="http://evil.example/beacon.png">`,
];
const PROTO = ['__proto__', 'constructor', 'prototype', '__proto__[polluted]', 'constructor[prototype][polluted]'];

function payloads() {
  const list = [];
  const e = encodeURIComponent;
  for (const m of MARKUP) {
    list.push(`q=${e(m)}`);
    list.push(`model=${e(m)}&quant=${e(m)}&device=${e(m)}`);
    list.push(`model=llama-3.1-8b&device=${e(m)}&memory=${e(m)}&ctx=${e(m)}&engine=${e(m)}&kv_type=${e(m)}&intent=${e(m)}`);
    list.push(`view=train&model=${e(m)}&method=${e(m)}&optimizer=${e(m)}&device=rtx-4090&lora_targets=${e(m)}`);
  }
  list.push(`q=${e('7B fp16 on ')}${e(MARKUP[0])}${e(' 4090?')}&units=${e(MARKUP[1])}&theme=${e(MARKUP[2])}`);
  // javascript: URLs where a URL might be echoed.
  list.push(`q=${e(`javascript:${JS}`)}`, `model=${e(`javascript:${JS}//`)}&device=rtx-4090`, `q=x&units=javascript:alert(1)`);
  // Huge values.
  list.push(`q=${'9'.repeat(200000)}`, `model=${'x'.repeat(100000)}&device=rtx-4090`, `ctx=1e308&model=llama-3.1-8b&device=rtx-4090`,
    `count=99999999999999999999999&model=llama-3.1-8b&device=rtx-4090`, `memory=-1e309&model=llama-3.1-8b`);
  // Unicode: right-to-left override, zero-width, lone surrogates, NUL, emoji, combining marks.
  list.push(`q=${e('7B on a 4090 \u202e\u200b\u0000 😀 e\u0301')}`, 'q=%ED%A0%80%00%EF%BF%BF', `model=${e('ｌｌａｍａ\u202e')}&device=rtx-4090`);
  // Deeply repeated parameters.
  list.push('model=llama-3.1-8b&'.repeat(5000) + 'device=rtx-4090', `${'q=a&'.repeat(3000)}q=${e(MARKUP[0])}`,
    `${'view=train&'.repeat(1000)}method=lora`);
  // Prototype pollution keys.
  for (const k of PROTO) list.push(`${e(k)}=${e('{"polluted":1}')}&model=llama-3.1-8b&device=rtx-4090`, `${k}[polluted]=1&q=7B`);
  // Broken escapes and separators.
  list.push('%', '%%zz&q=%', '&&&==&=', '#q=#q=#', 'q=a;model=b');
  return list;
}

// A new page that records what a payload could do.
async function open(hash) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const seen = { requests: [], dialogs: [], errors: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (ev) => window.__csp.push(`${ev.violatedDirective} ${ev.blockedURI}`));
  });
  await page.goto(`${base}#${hash}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30000 });
  return { page, seen };
}

// What must hold on a page after a hostile input: nothing ran, nothing was injected, nothing left.
async function assertClean(page, seen, what) {
  // Give an injected onerror/onload/autofocus a moment to fire.
  await page.waitForTimeout(50);
  const state = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    polluted: ({}).polluted ?? Object.prototype.polluted ?? null,
    csp: window.__csp,
    marked: document.querySelectorAll('#wifx, .wifx, [data-wifx]').length,
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}[${a.name}]`)),
    jsLinks: [...document.querySelectorAll('[href],[src],[action],[formaction]')]
      .map((el) => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action') || el.getAttribute('formaction'))
      .filter((u) => /^\s*javascript:/i.test(u)),
    iframes: document.querySelectorAll('iframe, object, embed, base, meta[http-equiv="refresh" i], link[rel~="stylesheet" i]').length,
  }));
  assert.equal(state.pwned, null, `${what}: a payload's script ran`);
  assert.equal(state.polluted, null, `${what}: Object.prototype polluted`);
  assert.deepEqual(seen.dialogs, [], `${what}: a dialog opened`);
  assert.deepEqual(state.csp, [], `${what}: CSP violations (something tried to run or load)`);
  assert.equal(state.marked, 0, `${what}: an element of the payload is in the DOM`);
  assert.deepEqual(state.handlers, [], `${what}: inline event handlers in the DOM`);
  assert.deepEqual(state.jsLinks, [], `${what}: javascript: URLs in the DOM`);
  assert.equal(state.iframes, 0, `${what}: frames, objects, <base>, refresh or stylesheet links in the DOM`);
  const foreign = seen.requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], `${what}: requests left the page`);
  assert.deepEqual(seen.errors, [], `${what}: uncaught errors`);
}

// The page answered: a verdict or an error message, from the core.
async function assertAnswered(page, what) {
  await page.waitForFunction(() => window.__wif && document.querySelector('#answer')?.textContent.trim().length > 0, null, { timeout: 30000 });
  const text = await page.textContent('#answer');
  assert.ok(text.trim().length > 0, `${what}: no answer`);
}

test('the page carries the strict Content-Security-Policy web/build.mjs writes', async () => {
  const { page } = await open('');
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  const d = Object.fromEntries(csp.split(';').map((s) => s.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(d['default-src'], ["'none'"]);
  assert.ok(d['script-src'].every((s) => /^'sha256-[A-Za-z0-9+/=]+'$/.test(s) || s === "'self'" || s === "'wasm-unsafe-eval'"),
    `script-src allows more than hashed inline scripts, the page's files and wasm: ${d['script-src']}`);
  assert.ok(!csp.includes("'unsafe-eval'") && !/script-src[^;]*'unsafe-inline'/.test(csp));
  assert.deepEqual(d['connect-src'], ["'self'"]);
  assert.deepEqual(d['img-src'], ["'self'", 'data:']);
  assert.deepEqual(d['base-uri'], ["'none'"]);
  assert.deepEqual(d['form-action'], ["'none'"]);
  assert.equal(d['object-src'] ?? d['default-src'][0], "'none'");
  // The policy is in force: an inline script added now is refused and reported.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 50));
    return { ran: window.__inline ?? null, reported: window.__csp.length };
  });
  assert.deepEqual(ran, { ran: null, reported: 1 });
  await page.close();
});

test('the checks catch an injection (markup put in the DOM by hand is found and its handler is refused)', async () => {
  const { page, seen } = await open('');
  await page.evaluate((m) => document.body.insertAdjacentHTML('beforeend', m), MARKUP[0]);
  await assert.rejects(assertClean(page, seen, 'self-test'), /payload is in the DOM|CSP violations|inline event handlers/);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null, 'the CSP refused the inline handler');
  await page.close();
});

test('hostile shared URLs run nothing, inject nothing, request nothing, and the page still answers', async () => {
  const list = payloads();
  for (const [i, hash] of list.entries()) {
    const what = `payload ${i} (#${hash.slice(0, 80)}${hash.length > 80 ? '…' : ''})`;
    const { page, seen } = await open(hash);
    await assertAnswered(page, what);
    await assertClean(page, seen, what);
    // Markup given as a question is shown as the text it is.
    if (hash.startsWith('q=%3Cimg')) assert.equal(await page.inputValue('#q'), decodeURIComponent(hash.slice(2)));
    await page.close();
  }
  console.log(`# ${list.length} hostile hashes: clean`);
});

test('a hostile hash arriving later (hashchange) is as harmless, and a normal question still works after it', async () => {
  const { page, seen } = await open('q=' + encodeURIComponent('7B fp16 on an 8GB RTX 4060?'));
  await page.waitForFunction(() => window.__wif?.verdict === 'does_not_fit');
  for (const m of MARKUP) {
    await page.evaluate((h) => { location.hash = h; }, `q=${encodeURIComponent(m)}&model=${encodeURIComponent(m)}`);
    await page.waitForFunction((v) => document.querySelector('#q').value === v, m);
    await assertAnswered(page, m);
  }
  await assertClean(page, seen, 'hashchange');
  await page.evaluate(() => { location.hash = 'q=' + encodeURIComponent('llama 3.1 8b q4_k_m on a 4090'); });
  await page.waitForFunction(() => window.__wif?.verdict === 'fits');
  // Typed into the box: the same payloads stay text.
  for (const m of MARKUP.slice(0, 4)) {
    await page.fill('#q', m);
    await page.press('#q', 'Enter');
    await page.waitForFunction((v) => new URLSearchParams(location.hash.slice(1)).get('q') === v, m);
    await assertAnswered(page, `typed ${m}`);
  }
  await assertClean(page, seen, 'typed');
  await page.close();
});

// A GGUF v3 header in memory: the metadata given, one llama block, every tensor F32.
function gguf(kvs, tensors) {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const str = (s) => { const b = Buffer.from(s, 'utf8'); u64(b.length); parts.push(b); };
  parts.push(Buffer.from('GGUF'));
  u32(3); u64(tensors.length); u64(kvs.length);
  for (const [k, v] of kvs) {
    str(k);
    if (typeof v === 'string') { u32(8); str(v); } else { u32(4); u32(v); }
  }
  let offset = 0;
  for (const [name, dims] of tensors) {
    str(name); u32(dims.length);
    for (const d of dims) u64(d);
    u32(0); u64(offset);  // F32
    offset += Math.ceil(dims.reduce((a, b) => a * b, 1) * 4 / 32) * 32;
  }
  let head = Buffer.concat(parts);
  head = Buffer.concat([head, Buffer.alloc((32 - (head.length % 32)) % 32), Buffer.alloc(offset)]);
  return head;
}

test('a GGUF whose name, architecture and file name are markup is shown as text', async () => {
  const name = `<img src=x id=wifx onerror="${JS}">Tiny<script id=wifx>${JS}</script>`;
  const arch = [['llama.block_count', 1], ['llama.context_length', 4096], ['llama.embedding_length', 64],
    ['llama.feed_forward_length', 128], ['llama.attention.head_count', 4], ['llama.attention.head_count_kv', 2]];
  const tensors = [['token_embd.weight', [64, 100]], ['blk.0.attn_q.weight', [64, 64]], ['blk.0.attn_k.weight', [64, 32]],
    ['blk.0.attn_v.weight', [64, 32]], ['blk.0.attn_output.weight', [64, 64]], ['blk.0.ffn_up.weight', [64, 128]],
    ['blk.0.ffn_gate.weight', [64, 128]], ['blk.0.ffn_down.weight', [128, 64]], ['output.weight', [64, 100]]];
  const good = gguf([['general.architecture', 'llama'], ['general.name', name], ...arch], tensors);
  // An architecture the core does not know: its name comes back in an error message.
  const badArch = `<svg id=wifx onload="${JS}">`;
  const bad = gguf([['general.architecture', badArch], ['general.name', name]], tensors);

  const { page, seen } = await open('model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4090');
  const fileName = `<img src=x class=wifx onerror=${JS}>.gguf`;
  await page.setInputFiles('#model-file', { name: fileName, mimeType: 'application/octet-stream', buffer: good });
  await page.waitForFunction(() => window.__wifFile, null, { timeout: 60000 });
  await page.waitForSelector('#file-answer .verdict', { timeout: 30000 });
  assert.ok((await page.textContent('#file-info')).includes(name), 'the name is shown as the text it is');
  assert.ok((await page.textContent('#file-status')).includes(fileName), 'the file name is shown as the text it is');
  assert.ok((await page.textContent('#file-answer')).includes('Tiny'), 'the answer names the model');
  await assertClean(page, seen, 'markup GGUF');

  await page.setInputFiles('#model-file', { name: 'odd.gguf', mimeType: 'application/octet-stream', buffer: bad });
  await page.waitForFunction((a) => document.querySelector('#file-info')?.textContent.includes(a) ||
    document.querySelector('#file-status')?.textContent.includes(a), badArch, { timeout: 30000 });
  await page.waitForTimeout(200);
  await assertClean(page, seen, 'markup architecture');
  // And a file that is not a model at all, named with markup.
  await page.setInputFiles('#model-file', { name: fileName, mimeType: 'application/octet-stream', buffer: Buffer.from(name.repeat(20)) });
  await page.waitForSelector('#file-status .error', { timeout: 30000 });
  assert.ok((await page.textContent('#file-status')).includes(fileName));
  await assertClean(page, seen, 'markup non-model');
  await page.close();
});
