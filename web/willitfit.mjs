// Will It Fit? in the browser and in Node: a thin ES module over the WebAssembly core.
//
//   import { load, loadFull } from './willitfit.mjs';
//   const wif = await load();
//   wif.ask('13B on a 4090').verdict            // "does_not_fit"
//   wif.estimate({ model: 'llama-3.1-8b', quant: 'Q4_K_M', device: 'rtx-4060' })
//   const full = await loadFull();                // training and serving too (a second, larger module)
//   full.ask('can I QLoRA llama 3 70b on two 4090s?').min_gpus
//
// Every result is a plain object with the same snake_case fields as `willitfit ... --json`.
// Results carry `ok`; a failed call returns { ok: false, error: { code, message } } rather than
// throwing, except `load()`, which rejects if the module itself cannot start.

let loading = null;

function decodeBase64(text) {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
  const bytes = atob(text);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}

function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

// The two builds of the core: `core` (memory, speed, device count, what fits: what the page needs
// on a first visit) and `full` (the same plus training and serving), loaded only when asked for.
const MODULES = {
  core: { factory: 'createWillItFitCore', js: 'willitfit-core.js', wasm: 'willitfit-core.wasm', b64: 'WILLITFIT_WASM_BASE64', early: 'WIF_WASM' },
  full: { factory: 'createWillItFitFull', js: 'willitfit-full.js', wasm: 'willitfit-full.wasm', b64: 'WILLITFIT_FULL_WASM_BASE64' },
};

// Finds the Emscripten factory and the wasm for this environment:
// - a page that already has the factory (and, from disk, the base64 bytes) uses them;
// - a page served over HTTP loads willitfit-core.js (or -full.js) beside this module and fetches the .wasm;
// - a page opened from disk (file://) also loads willitfit-core.wasm.js (-full.wasm.js): the bytes as base64;
// - Node reads both files.
// The module is compiled here, then handed to the loader (Emscripten's minimal runtime) as
// Module.wasm: bytes that are not a module reject here, with the browser's reason.
async function start(options, m) {
  const isNode = typeof process !== 'undefined' && process.versions && process.versions.node && typeof window === 'undefined';
  let wasm = options.wasmBinary;
  let factory = options.factory || globalThis[m.factory];
  if (isNode) {
    const { createRequire } = await import('node:module');
    const { readFileSync } = await import('node:fs');
    const here = options.baseUrl || new URL('.', import.meta.url);
    if (!factory) factory = createRequire(new URL(m.js, here))(new URL(m.js, here).pathname);
    if (!wasm) wasm = readFileSync(new URL(m.wasm, here));
  } else {
    const base = options.baseUrl || new URL('.', import.meta.url);
    if (!factory) {
      await addScript(new URL(m.js, base).href);
      factory = globalThis[m.factory];
    }
    if (!wasm && globalThis[m.b64]) wasm = decodeBase64(globalThis[m.b64]);
    // A page may start early (window.WIF_WASM: a promise of the compiled module, null if that
    // failed, e.g. a damaged download): use that, else fetch the plain .wasm.
    if (!wasm && m.early && globalThis[m.early] && typeof globalThis[m.early].then === 'function') {
      const early = globalThis[m.early];
      globalThis[m.early] = null;
      wasm = await early;
    }
    if (!wasm && location.protocol === 'file:') {
      await addScript(new URL(`${m.wasm}.js`, base).href);
      wasm = decodeBase64(globalThis[m.b64]);
      delete globalThis[m.b64];  // the module keeps its own copy; the text is no longer needed
    }
    if (!wasm) {
      const url = new URL(m.wasm, base).href;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
      wasm = await response.arrayBuffer();
    }
  }
  if (typeof factory !== 'function') throw new Error(`${m.js} did not define ${m.factory}`);
  const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
  return factory({ wasm: module });
}

function call(fn, ...args) {
  try {
    return JSON.parse(fn(...args));
  } catch (e) {
    return { ok: false, error: { code: 'internal_error', message: String(e && e.message ? e.message : e) } };
  }
}

function requestText(input) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError('expected a request object such as { model: "llama-3.1-8b", device: "rtx-4090" }');
  }
  return JSON.stringify(input);
}

// Model files: the header only, read from the start of each Blob/File with slice() (1 MiB first,
// then what the core says the header needs, at least twice as much each time, up to 512 MiB): a
// 100 GB file costs a few MB of reading, and nothing leaves the machine. JSON side files
// (config.json, model.safetensors.index.json) are read whole; the core bounds them (4 and 32 MiB).
const MAX_HEADER = 512 * 1024 * 1024;
const MAX_JSON = 32 * 1024 * 1024;
const needFull = (what) => ({ ok: false, error: { code: 'module_needed', message: `${what} needs the full module: use loadFull()` } });
async function readHeaders(core, blobs) {
  const files = [...blobs];
  if (!files.length || files.some((b) => !b || typeof b.slice !== 'function' || typeof b.size !== 'number')) {
    throw new TypeError('expected one or more Files or Blobs');
  }
  const names = files.map((b, i) => (typeof b.name === 'string' && b.name ? b.name : `file-${i + 1}`));
  const slice = async (i, n) => new Uint8Array(await files[i].slice(0, n).arrayBuffer());
  const heads = await Promise.all(files.map((b, i) => slice(i, Math.min(/\.json$/i.test(names[i]) ? MAX_JSON : 1 << 20, b.size))));
  for (;;) {
    const all = new Uint8Array(heads.reduce((n, h) => n + h.length, 0));
    let at = 0;
    for (const h of heads) { all.set(h, at); at += h.length; }
    const list = files.map((b, i) => ({ name: names[i], size: b.size, length: heads[i].length }));
    const r = call(core.inspect_files, JSON.stringify(list), all);
    r.bytes_read = all.length;
    if (r.ok || r.error.code !== 'need_more') return r;
    const i = Number(r.error.file) || 0;
    const have = heads[i].length;
    if (have >= files[i].size) return r;
    const next = Math.min(Math.max(Number(r.error.need_bytes) || 0, have * 2), files[i].size);
    if (next > MAX_HEADER) return { ok: false, error: { code: 'header_too_large', message: `${names[i]}: the header is larger than 512 MiB` }, bytes_read: all.length };
    heads[i] = await slice(i, next);
  }
}

// The page's core has no ask/estimate of their own (one copy of the answer path keeps it small):
// answer_page writes the same answer. It also becomes the answer answer_page_more continues.
function pageAnswer(core, kind, text) {
  const out = call(core.answer_page, kind, text, '', 0);
  return out.answer || out;
}

function wrap(core, kind) {
  const api = {
    version: core.version(),
    /** 'core' (memory, speed, device count, what fits) or 'full' (also training and serving). */
    module: kind,
    /** Answers a free-text question: "llama 3.1 70b q4_k_m on 2x 3090". */
    ask: (text) => (core.ask ? call(core.ask, String(text ?? '')) : pageAnswer(core, 'ask', String(text ?? ''))),
    /** Answers a structured request: { model | params | hf_config, quant, device | memory, ctx, ... }. */
    estimate: (input) => (core.estimate ? call(core.estimate, requestText(input)) : pageAnswer(core, 'estimate', requestText(input))),
    /** Every weight format for the request's model on its device, each with its verdict. */
    quant_options: (input) => call(core.quant_options, requestText(input)),
    /** Every catalog device for the request's model and format, each with its verdict. */
    device_options: (input) => call(core.device_options, requestText(input)),
    /** Memory against context length (256 tokens to the model's maximum) and the largest context that fits. */
    context_curve: (input, points = 48) => call(core.context_curve, requestText(input), points | 0),
    /**
     * One answer for a page: `kind` 'ask' (input: the question's text) or 'estimate' (input: a
     * request), resolved once. `units` ('gb' | 'gib') overrides what the input says; `points` > 0
     * adds every format (`quants`), every device (`devices`) and the context curve (`curve`).
     */
    answer_page: (kind, input, { units = '', points = 0 } = {}) => {
      const text = kind === 'ask' ? String(input ?? '') : requestText(input);
      const out = call(core.answer_page, kind === 'ask' ? 'ask' : 'estimate', text, units === 'gib' || units === 'gb' ? units : '', points | 0);
      return out.answer ? out : { answer: out };
    },
    /** The formats, devices and curve of the last answer_page answer ({} after an error): no second resolve. */
    answer_page_more: (points = 40) => call(core.answer_page_more, points | 0),
    /** Bytes as the core writes them: "14 GB", "4.92 GB", "512 MB", or "13 GiB", "512 MiB". */
    format_bytes: (bytes, units = 'gb') => core.format_bytes(Number(bytes) || 0, units === 'gib' ? 'gib' : 'gb'),
    list_models: () => call(core.list, 'models').models,
    list_devices: () => call(core.list, 'devices').devices,
    list_quants: () => call(core.list, 'quants').quants,
    /**
     * Reads a .gguf or .safetensors file's header (full module): `bytes` is the start of the file
     * (a Uint8Array), `size` the whole file's size. { ok, file } or { ok: false, error } (code
     * 'need_more' with error.need_bytes: call again with that many bytes). The file is kept for
     * answer_file.
     */
    inspect_file: core.inspect_file ? (bytes, size) => call(core.inspect_file, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), Number(size))
      : () => needFull('reading a model file'),
    /** inspect_file over a File or Blob, reading only the header's bytes with slice(); adds bytes_read. */
    read_file: core.inspect_files ? (blob) => readHeaders(core, [blob]) : async () => needFull('reading a model file'),
    /**
     * The files of one model together (a split GGUF's parts, safetensors shards with
     * model.safetensors.index.json and config.json, a projector beside its model): headers only.
     */
    read_files: core.inspect_files ? (files) => readHeaders(core, files) : async () => needFull('reading model files'),
    /** Answers a request without a model ({ device | memory, ctx, ... }) about the file read last. */
    answer_file: core.answer_file ? (input, { units = '' } = {}) => call(core.answer_file, requestText(input), units === 'gib' || units === 'gb' ? units : '')
      : () => needFull('answering about a model file'),
    /** Every catalog model x format x device; `rows` adds the per-combination results. */
    sweep: core.sweep ? (ctx = 4096, rows = false) => call(core.sweep, ctx, !!rows) : () => needFull('the catalog sweep'),
  };
  return Object.freeze(api);
}

/**
 * Starts the WebAssembly core once and returns the API. Options: `wasmBinary` (bytes of
 * willitfit-core.wasm), `factory` (createWillItFitCore), `baseUrl` (where the core files live).
 * The core answers training and serving questions, and models given by their config.json, with
 * { ok: false, error: { code: 'module_needed' } }: ask the same of loadFull() (see needsFull).
 */
export function load(options = {}) {
  if (!loading) loading = start(options, MODULES.core).then((c) => wrap(c, 'core'), (e) => { loading = null; throw e; });
  return loading;
}

let loadingFull = null;
/**
 * Starts the full module once (everything the core does, plus training and serving) and returns
 * the same API over it. Options as for load(), for willitfit-full.{js,wasm} (factory:
 * createWillItFitFull). A page calls it only when a question needs it: nothing is downloaded before.
 */
export function loadFull(options = {}) {
  if (!loadingFull) loadingFull = start(options, MODULES.full).then((c) => wrap(c, 'full'), (e) => { loadingFull = null; throw e; });
  return loadingFull;
}

/** True when a result (of ask, estimate or answer_page) says the full module must answer it. */
export function needsFull(result) {
  const r = result && result.answer && !('ok' in result) ? result.answer : result;
  return !!(r && r.ok === false && r.error && r.error.code === 'module_needed');
}
