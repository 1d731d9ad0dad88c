// The URL-state decoder (web/page/state.mjs readHash/hashOf) fed thousands of random and mutated
// hashes (issue 11: every parser fuzzed). Plain Node, no browser: the module only needs
// `document`, `location` and `history`, stubbed here. Deterministic (seeded PRNG); a longer run:
//   WIF_STATE_FUZZ=200000 node --test tests/browser/url-state.test.mjs    (WIF_STATE_SEED to vary)
// Checks for every hash: readHash never throws; the input holds only documented keys (q, the
// Adjust form's FIELDS, or view=train and the Training form's TFIELDS), every value a string,
// view only 'train'; units is gb or gib, theme one of light/dark/auto or unset; the input is a
// plain object and Object.prototype is untouched; hashOf(readHash(x)) is a fixed point: decoding
// and encoding it again gives the same hash and the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const loc = { hash: '', pathname: '/', search: '', get href() { return `http://localhost${this.pathname}${this.search}${this.hash}`; } };
globalThis.document = { documentElement: { dataset: {} } };
globalThis.location = loc;
globalThis.history = {
  replaceState(_s, _t, url) {
    const i = String(url).indexOf('#');
    loc.hash = i < 0 ? '' : String(url).slice(i);
  },
};
const { FIELDS, TFIELDS, store, readHash, hashOf, writeHash } = await import('../../web/page/state.mjs');

const RUNS = Number(process.env.WIF_STATE_FUZZ || 10000);
const SEED = Number(process.env.WIF_STATE_SEED || 11);

// mulberry32: small, seeded, the same sequence on every machine.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['q', 'view', 'units', 'theme', ...new Set([...FIELDS, ...TFIELDS]),
  '__proto__', 'constructor', 'prototype', '__proto__[polluted]', 'constructor[prototype][polluted]', 'hasOwnProperty',
  'toString', 'valueOf', 'Q', 'MODEL', 'model ', ' model', 'model%00', '', '=', '&', '#'];
const VALUES = ['', 'train', 'infer', 'gib', 'gb', 'GIB', 'light', 'dark', 'auto', 'DARK', 'llama-3.1-8b', 'Q4_K_M', 'rtx-4090',
  '24GB', '-1', '1e308', 'NaN', 'Infinity', '99999999999999999999999', '0x10', 'true', 'null', 'undefined',
  '<img src=x onerror=alert(1)>', '"><script>window.__pwned=1</script>', 'javascript:alert(1)', "'; alert(1); '",
  '\u202e\u0000\uffff', '\ud800', '😀'.repeat(3), '%', '%%', '%zz', '%E2%82', '%ED%A0%80', '+', '%2B', '&&&', '==', '#x',
  '{"a":1}', '__proto__', 'constructor'];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789=&%#+-_.~!$\'()*,;:@/? <>"\\\u00e9\u202e\u0000\t\n';

// encodeURIComponent refuses lone surrogates; those go in raw.
const enc = (s) => { try { return encodeURIComponent(s); } catch { return s; } };

function randomHash(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const part = () => {
    switch (Math.floor(r() * 6)) {
      case 0: return enc(pick(KEYS)) + '=' + enc(pick(VALUES));
      case 1: return pick(KEYS) + '=' + pick(VALUES);  // raw, unescaped
      case 2: return pick(KEYS);                        // a key without '='
      case 3: {                                        // random characters
        let s = '';
        for (let n = Math.floor(r() * 20); n > 0; --n) s += pick(CHARS);
        return s;
      }
      case 4: return pick(KEYS) + '=' + pick(VALUES).repeat(1 + Math.floor(r() * 200));  // long values
      default: return '%' + Math.floor(r() * 256).toString(16);                        // broken escapes
    }
  };
  let parts = [];
  for (let n = 1 + Math.floor(r() * 12); n > 0; --n) parts.push(part());
  if (r() < 0.05) parts = Array(1000 + Math.floor(r() * 4000)).fill(parts[0]);  // one param repeated thousands of times
  return '#' + parts.join(r() < 0.9 ? '&' : pick([';', '&&', '&=&', '#']));
}

// A valid hash with one byte changed, dropped or doubled, or two hashes spliced.
function mutate(r, hash, other) {
  const i = Math.floor(r() * hash.length);
  switch (Math.floor(r() * 5)) {
    case 0: return hash.slice(0, i) + String.fromCharCode(Math.floor(r() * 0x3000)) + hash.slice(i + 1);
    case 1: return hash.slice(0, i) + hash.slice(i + 1);
    case 2: return hash.slice(0, i) + hash[i] + hash.slice(i);
    case 3: return hash.slice(0, i) + other.slice(Math.floor(r() * other.length));
    default: return hash + '&' + other.slice(1);
  }
}

function decode(hash) {
  loc.hash = hash;
  const input = readHash();
  return { input, units: store.units, theme: store.theme };
}
function encode(state) {
  store.units = state.units;
  store.theme = state.theme;
  return '#' + hashOf(state.input);
}

function check(hash) {
  let d;
  try {
    d = decode(hash);
  } catch (e) {
    assert.fail(`readHash threw on ${JSON.stringify(hash.slice(0, 200))}: ${e.message}`);
  }
  const { input, units, theme } = d;
  const where = () => JSON.stringify(hash.slice(0, 200));
  assert.equal(Object.getPrototypeOf(input), Object.prototype, `input is not a plain object for ${where()}`);
  const train = input.view === 'train';
  for (const [k, v] of Object.entries(input)) {
    assert.ok(k === 'q' || k === 'view' || (train ? TFIELDS : FIELDS).includes(k),
      `unexpected key ${JSON.stringify(k)} for ${where()}`);
    assert.equal(typeof v, 'string', `${k} is not a string for ${where()}`);
  }
  if ('view' in input) {
    assert.equal(input.view, 'train', `view ${JSON.stringify(input.view)} for ${where()}`);
    assert.ok(!input.q, `view=train kept with a question for ${where()}`);
  }
  assert.ok(units === 'gb' || units === 'gib', `units ${JSON.stringify(units)} for ${where()}`);
  assert.ok(['', 'light', 'dark', 'auto'].includes(theme), `theme ${JSON.stringify(theme)} for ${where()}`);
  assert.ok(['light', 'dark', 'auto'].includes(document.documentElement.dataset.theme));
  assert.equal(Object.prototype.polluted, undefined, `Object.prototype polluted by ${where()}`);
  assert.equal({}.polluted, undefined);

  // Round trip: encode(decode(x)) is a fixed point of encode . decode.
  const h1 = encode(d);
  const d1 = decode(h1);
  const h2 = encode(d1);
  assert.equal(h2, h1, `encode(decode(x)) is not stable for ${where()}: ${h1.slice(0, 200)} -> ${h2.slice(0, 200)}`);
  assert.deepEqual(decode(h2), d1, `decode(encode(decode(x))) changes for ${where()}`);
  return h1;
}

test('hand-picked hostile hashes decode to documented fields only', () => {
  const hostile = [
    '', '#', '#&', '#=', '#==&&==', '#q', '#q=', '#%', '#%zz=%zz', '#q=%ED%A0%80', '#q=%E2%82',
    '#__proto__=x', '#__proto__[polluted]=1', '#constructor[prototype][polluted]=1', '#constructor=x&prototype=y',
    '#q=<img src=x onerror="window.__pwned=1">', '#model="><script>window.__pwned=1</script>&device=javascript:alert(1)',
    '#view=train&q=hi&method=lora', '#view=train&method=qlora&q=', '#view=infer&method=lora', '#view=train&view=train&lora_rank=8',
    '#units=GIB&theme=DARK', '#units=gib&units=gb', '#theme=__proto__', '#theme=constructor',
    `#q=${'9'.repeat(100000)}`, `#${'model=x&'.repeat(20000)}`, `#q=${'\u202e'.repeat(1000)}`, '#q=\u0000\ud800\udfff',
  ];
  for (const h of hostile) check(h);
  // The decoder keeps only what the page documents.
  assert.deepEqual(decode('#__proto__=x&model=m&evil=1').input, { model: 'm' });
  assert.deepEqual(decode('#view=train&method=lora&quant=Q4_K_M').input, { method: 'lora', view: 'train' });
  // A question wins over view=train: the Training form's fields go with the view.
  assert.deepEqual(decode('#view=train&q=hi&method=lora&model=m').input, { q: 'hi', model: 'm' });
  assert.deepEqual(decode('#units=gib&theme=dark'), { input: {}, units: 'gib', theme: 'dark' });
  assert.deepEqual(decode('#units=GiB&theme=evil'), { input: {}, units: 'gb', theme: '' });
});

test(`${RUNS} random and mutated hashes (seed ${SEED}): never throw, documented fields only, stable round trip`, () => {
  const r = prng(SEED);
  const valid = ['#q=7B%20fp16%20on%20an%208GB%20RTX%204060%3F', '#model=llama-3.1-8b&quant=Q4_K_M&device=rtx-4060&ctx=32768&units=gib',
    '#view=train&model=llama-3.1-8b&method=qlora&device=rtx-4090&lora_rank=16&theme=dark'];
  for (let i = 0; i < RUNS; ++i) {
    const base = r() < 0.5 ? randomHash(r) : valid[Math.floor(r() * valid.length)];
    const hash = r() < 0.6 ? mutate(r, base, randomHash(r)) : base;
    const h1 = check(hash);
    if (r() < 0.05 && valid.length < 200) valid.push(h1);  // grow the pool of valid hashes to mutate
  }
});

test('writeHash puts the encoded state in the URL and it decodes to the same state', () => {
  const r = prng(SEED + 1);
  for (let i = 0; i < 500; ++i) {
    const d = decode(randomHash(r));
    store.input = d.input;
    const href = writeHash();
    assert.ok(href.startsWith('http://localhost/'));
    assert.deepEqual(decode(loc.hash).input, decode(encode(d)).input);
  }
});
