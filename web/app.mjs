// The page: a question box and a form over the WebAssembly core, the answer with its arithmetic,
// a memory bar, "what would fit", memory against context, and a shareable state in the URL hash.
import { load } from './willitfit.mjs';

const $ = (id) => document.getElementById(id);
const EXAMPLE = '7B fp16 on an 8GB RTX 4060?';
const FIELDS = ['model', 'quant', 'device', 'memory', 'count', 'ctx', 'batch', 'kv_type', 'engine', 'flash_attn', 'ram'];
const INPUTS = { model: 'f-model', quant: 'f-quant', device: 'f-device', memory: 'f-memory', count: 'f-count', ctx: 'f-ctx',
  batch: 'f-batch', kv_type: 'f-kv', engine: 'f-engine', flash_attn: 'f-fa', ram: 'f-ram' };
const VERDICT = { fits: ['✔', 'Fits'], fits_with_offload: ['◐', 'Fits with CPU offload'], does_not_fit: ['✘', 'Does not fit'],
  unsupported: ['–', 'Cannot run'] };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

let wif;
let units = 'gb';
let state = {};          // what the URL holds: {q} or form fields
let lastRequest = null;  // the request behind the shown answer
const names = { model: new Map(), device: new Map() };
const labels = { model: new Map(), device: new Map() };

// Byte counts as the core prints them: three significant digits, GB = 10^9 or GiB = 2^30.
function sig3(v) {
  const a = Math.abs(v);
  let d = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  const scale = 10 ** d;
  if (d > 0 && Math.round(a * scale) / scale >= [1, 100, 10, 1][d]) d -= 1;
  let s = v.toFixed(d);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
function bytes(b, u = units) {
  if (u === 'gib') {
    const G = 2 ** 30, M = 2 ** 20;
    if (Math.abs(b) >= G - G / 200) return `${sig3(b / G)} GiB`;
    if (Math.abs(b) >= M - M / 200) return `${sig3(b / M)} MiB`;
    return `${sig3(b / 1024)} KiB`;
  }
  if (Math.abs(b) >= 0.995e9) return `${sig3(b / 1e9)} GB`;
  if (Math.abs(b) >= 0.995e6) return `${sig3(b / 1e6)} MB`;
  return `${sig3(b / 1e3)} kB`;
}
const key = (s) => String(s).toLowerCase().replace(/\+/g, 'plus').replace(/[^a-z0-9]/g, '');

// ---- state <-> URL hash and form -------------------------------------------------------------

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const s = {};
  for (const [k, v] of p) if (k === 'q' || FIELDS.includes(k)) s[k] = v;
  units = p.get('units') === 'gib' ? 'gib' : 'gb';
  return s;
}
function writeHash() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v !== '' && v != null) p.set(k, v);
  if (units === 'gib') p.set('units', 'gib');
  const hash = p.toString();
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
  const url = location.href;
  $('share-url').value = url;
  const embed = url.replace(/index\.html(?=#|$)/, 'embed.html').replace(/\/(?=#|$)/, '/embed.html');
  $('embed-code').value = `<iframe src="${embed}" title="Will It Fit?" width="100%" height="380" style="border:0" loading="lazy"></iframe>`;
  $('open-full').href = url.replace('embed.html', 'index.html');
}
function fillForm(req) {
  const model = req.model ? labels.model.get(req.model) || req.model
    : typeof req.params === 'number' ? `${req.params / 1e9}B` : req.params || '';
  const device = req.device ? labels.device.get(req.device) || req.device : '';
  const values = { ...req, model, device, memory: req.memory ?? '', flash_attn: req.flash_attn || 'auto' };
  for (const f of FIELDS) {
    const el = $(INPUTS[f]);
    const v = values[f] ?? (f === 'count' || f === 'batch' ? 1 : '');
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === String(v))) el.add(new Option(v, v));
    el.value = v;
  }
}
function formState() {
  const s = {};
  for (const f of FIELDS) {
    const v = $(INPUTS[f]).value.trim();
    if (v !== '' && !(f === 'flash_attn' && v === 'auto') && !((f === 'count' || f === 'batch') && v === '1')) s[f] = v;
  }
  return s;
}
// Form values -> the core's request object (names resolved to catalog ids where they match).
function toRequest(s) {
  const r = { units };
  if (s.model) {
    const id = names.model.get(key(s.model));
    if (id) r.model = id;
    else if (/^\s*\d/.test(s.model)) r.params = s.model;
    else r.model = s.model;
  }
  if (s.device) r.device = names.device.get(key(s.device)) || s.device;
  else if (s.memory) r.memory = Number(s.memory);
  for (const f of ['quant', 'kv_type', 'engine', 'flash_attn']) if (s[f]) r[f] = s[f];
  for (const f of ['count', 'ctx', 'batch']) if (s[f]) r[f] = Math.round(Number(s[f]));
  if (s.ram) r.ram = Number(s.ram);
  return r;
}

// ---- rendering --------------------------------------------------------------------------------

function renderAnswer(res) {
  const out = $('answer');
  out.setAttribute('aria-busy', 'false');
  const q = res.question;
  let html = '';
  if (!res.ok) {
    html += `<p class="error" role="alert">${esc(res.error.message)}</p>`;
    if (q) html += chips(q);
    out.innerHTML = html;
    return;
  }
  const [icon, words] = VERDICT[res.verdict];
  html += `<p><span class="verdict ${res.verdict}" data-verdict="${res.verdict}" elementtiming="verdict"><span aria-hidden="true">${icon}</span> ${words}</span></p>`;
  html += `<p class="headline">${esc(res.headline)}</p>`;
  if (q) html += chips(q);
  html += bar(res);
  html += `<ol class="math" aria-label="The arithmetic">${res.explanation.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>`;
  if (res.suggestions.length) {
    html += `<h3>What would fit</h3><ul class="sugg">${res.suggestions.map((s) => `<li>${esc(s.text)}</li>`).join('')}</ul>`;
  }
  if (res.max_context > 0 && res.max_context !== res.ctx) {
    html += `<p>Largest context that fits entirely on the device: <strong>${res.max_context.toLocaleString('en')}</strong> tokens.</p>`;
  }
  if (res.warnings.length) html += `<ul class="sugg amb">${res.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
  html += `<details><summary>Assumptions (${res.assumptions.length})</summary><ul>${res.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></details>`;
  out.innerHTML = html;
  bindTips(out, res);
}
function chips(q) {
  let html = `<ul class="chips" aria-label="Understood">${q.understood.map((u) => `<li>${esc(u)}</li>`).join('')}</ul>`;
  if (q.ambiguities.length) html += `<ul class="sugg amb" aria-label="Ambiguities">${q.ambiguities.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>`;
  return html;
}
// The line items that count against the device: all of them on a CPU, else those on the GPU.
const onDeviceItems = (res) => (res.device.kind === 'cpu' ? res.memory.items : res.memory.items.filter((i) => i.location === 'gpu'));
function bar(res) {
  const onDevice = onDeviceItems(res);
  const need = onDevice.reduce((a, i) => a + i.bytes, 0);
  const scale = Math.max(need, res.usable_bytes, 1) * 1.04;
  const segs = onDevice.map((i, n) => {
    const pct = (100 * i.bytes) / scale;
    return `<span class="seg ${i.category}" data-i="${n}" tabindex="0" role="img" aria-label="${esc(`${i.label}: ${bytes(i.bytes)}`)}" style="width:${pct.toFixed(3)}%"></span>`;
  }).join('');
  const at = (100 * res.usable_bytes) / scale;
  const legend = [['weights', 'weights'], ['kv_cache', 'KV cache'], ['compute', 'buffers'], ['overhead', 'runtime']]
    .map(([c, l]) => `<li><i class="seg ${c}"></i>${l}</li>`).join('');
  return `<div class="bar" aria-label="Memory needed against usable memory"><div class="track">${segs}</div>` +
    `<div class="limit${at > 75 ? ' end' : at < 25 ? ' start' : ''}" style="left:${at.toFixed(3)}%"><span>usable ${bytes(res.usable_bytes)}</span></div><div class="tip" hidden></div></div>` +
    `<ul class="legend">${legend}<li>needed on the device: <strong>${bytes(need)}</strong> of ${bytes(res.usable_bytes)} usable</li></ul>`;
}
function bindTips(root, res) {
  const onDevice = onDeviceItems(res);
  const tip = root.querySelector('.tip');
  if (!tip) return;
  const show = (e) => {
    const item = onDevice[Number(e.target.dataset.i)];
    if (!item) return;
    tip.innerHTML = `<strong>${esc(item.label)}: ${bytes(item.bytes)}</strong><br>${esc(item.formula)}<br><em>${esc(item.source)}</em>`;
    tip.hidden = false;
    const left = e.target.offsetLeft;
    tip.style.left = `${Math.min(left, Math.max(0, root.querySelector('.track').clientWidth - tip.offsetWidth))}px`;
  };
  const hide = () => { tip.hidden = true; };
  for (const seg of root.querySelectorAll('.seg[data-i]')) {
    seg.addEventListener('mouseenter', show);
    seg.addEventListener('focus', show);
    seg.addEventListener('mouseleave', hide);
    seg.addEventListener('blur', hide);
  }
}

function renderQuants(req, current) {
  const res = wif.quant_options(req);
  if (!res.ok) { $('quants').textContent = res.error.message; return; }
  const rows = res.options.map((o) => {
    const [, words] = VERDICT[o.verdict];
    const cls = o.id === current ? ' class="current"' : '';
    return `<tr${cls}><td><button type="button" class="linkish" data-quant="${esc(o.id)}">${esc(o.id)}</button></td>` +
      `<td class="n">${o.bits_per_weight ? o.bits_per_weight.toFixed(2) : ''}</td><td>${esc(o.engine || '')}</td>` +
      `<td class="n">${o.gpu_bytes ? bytes(o.gpu_bytes) : ''}</td><td><span class="badge ${o.verdict}" title="${esc(o.error || '')}">${words}</span></td></tr>`;
  }).join('');
  $('quants').innerHTML = `<table><thead><tr><th>Format</th><th>bits/w</th><th>Engine</th><th>On device</th><th>Verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}
function renderDevices(req) {
  const res = wif.device_options(req);
  if (!res.ok) { $('devices-fit').textContent = res.error.message; return; }
  const fit = res.options.filter((o) => o.verdict === 'fits').sort((a, b) => a.usable_bytes - b.usable_bytes);
  const item = (o) => `<li><button type="button" class="linkish" data-device="${esc(o.id)}">${esc(o.name)}</button> — ${bytes(o.gpu_bytes || o.total_bytes)} of ${bytes(o.usable_bytes)}</li>`;
  const first = fit.slice(0, 10).map(item).join('');
  const rest = fit.slice(10).map(item).join('');
  $('devices-fit').innerHTML = fit.length
    ? `<p>${fit.length} of ${res.options.length} catalog devices hold it entirely, smallest first:</p><ul>${first}</ul>` +
      (rest ? `<details><summary>${fit.length - 10} more</summary><ul>${rest}</ul></details>` : '')
    : '<p>No single catalog device holds it entirely; try a smaller format or several GPUs.</p>';
}
function renderChart(req, usable, ctx) {
  const res = wif.context_curve(req, 40);
  if (!res.ok || !res.points.length) { $('chart').textContent = res.ok ? '' : res.error.message; return; }
  const pts = res.points;
  const W = 640, H = 220, L = 56, B = 28, T = 10, R = 10;
  const maxX = pts[pts.length - 1].ctx;
  const maxY = Math.max(usable, ...pts.map((p) => p.gpu_bytes || p.weights_bytes + p.kv_cache_bytes + p.compute_bytes + p.overhead_bytes)) * 1.08;
  const x = (v) => L + ((W - L - R) * v) / maxX;
  const y = (v) => H - B - ((H - B - T) * v) / maxY;
  const layers = [['weights_bytes', 'var(--w)'], ['kv_cache_bytes', 'var(--kv)'], ['compute_bytes', 'var(--cmp)'], ['overhead_bytes', 'var(--ovh)']];
  let base = pts.map(() => 0);
  let areas = '';
  for (const [k, color] of layers) {
    const top = pts.map((p, i) => base[i] + p[k]);
    const path = pts.map((p, i) => `${x(p.ctx).toFixed(1)},${y(top[i]).toFixed(1)}`).join(' ') + ' ' +
      pts.map((p, i) => `${x(p.ctx).toFixed(1)},${y(base[i]).toFixed(1)}`).reverse().join(' ');
    areas += `<polygon points="${path}" fill="${color}" opacity=".85"></polygon>`;
    base = top;
  }
  // Round tick steps (1, 2, 2.5 or 5 × 10^k of the unit shown) so the axis reads like a ruler.
  const unit = units === 'gib' ? 2 ** 30 : 1e9;
  const raw = maxY / unit / 4, mag = 10 ** Math.floor(Math.log10(raw));
  const step = unit * mag * ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) || 10);
  let ticks = '';
  for (let v = 0; v <= maxY; v += step) {
    ticks += `<line class="axis" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}"></line><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v ? bytes(v) : '0'}</text>`;
  }
  const xt = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(maxX * f)}" y="${H - 8}" text-anchor="${f === 1 ? 'end' : 'middle'}">${f ? Math.round((maxX * f) / 1024) + 'k' : '0'}</text>`).join('');
  const limit = `<line class="limitline" x1="${L}" x2="${W - R}" y1="${y(usable)}" y2="${y(usable)}"></line><text class="limittext" x="${W - R}" y="${y(usable) - 4}" text-anchor="end">usable ${bytes(usable)}</text>`;
  const marker = ctx <= maxX ? `<line class="axis" x1="${x(ctx)}" x2="${x(ctx)}" y1="${T}" y2="${H - B}" stroke-dasharray="2 3"></line>` : '';
  const fitText = res.max_context > 0 ? `Up to ${res.max_context.toLocaleString('en')} tokens fit entirely on the device.` : 'Not even 256 tokens fit entirely on the device.';
  $('chart').innerHTML = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Memory on the device against context length, from 256 to ${maxX.toLocaleString('en')} tokens; ${esc(fitText)}">${ticks}${areas}${limit}${marker}${xt}</svg><p>${esc(fitText)}</p>`;
}

// ---- running ----------------------------------------------------------------------------------

// Runs `fn` once the next frame has been painted: a zero timeout alone may run before the paint.
const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

// `fromForm`: the form already shows the state (the person is typing in it); otherwise it is filled
// from the state so both always agree.
function run(fromForm = false) {
  const t0 = performance.now();
  let res;
  if (state.q) {
    $('q').value = state.q;
    res = wif.ask(state.q + (units === 'gib' ? ' (GiB)' : ''));
    if (res.question) {
      lastRequest = { ...res.question.request, units };
      fillForm(res.question.request);
    } else {
      lastRequest = null;
    }
  } else {
    lastRequest = toRequest(state);
    if (!fromForm) fillForm(lastRequest);
    res = wif.estimate(lastRequest);
  }
  if (!document.documentElement.dataset.ready) performance.mark('wif-computed');
  renderAnswer(res);
  window.__wif = { verdict: res.ok ? res.verdict : 'error', ms: performance.now() - t0 };
  writeHash();
  // The sweeps below take a few milliseconds; let the verdict paint first.
  afterPaint(() => {
    if (!res.ok || !lastRequest || document.documentElement.dataset.mode === 'embed') return;
    renderQuants(lastRequest, res.quant.id);
    renderDevices(lastRequest);
    renderChart(lastRequest, res.usable_bytes, res.ctx);
  });
}

function showUnits() {
  for (const u of ['gb', 'gib']) $(`unit-${u}`).setAttribute('aria-pressed', String(u === units));
}

function bind() {
  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    state = { q: $('q').value.trim() };
    run();
  });
  for (const b of document.querySelectorAll('.ex')) b.addEventListener('click', () => { $('q').value = b.textContent; state = { q: b.textContent }; run(); });
  let pending;
  $('form').addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(() => { state = formState(); $('q').value = ''; run(true); }, 120);
  });
  $('form').addEventListener('submit', (e) => e.preventDefault());
  document.body.addEventListener('click', (e) => {
    const t = e.target.closest('[data-quant],[data-device]');
    if (!t) return;
    state = formState();
    if (t.dataset.quant) state.quant = t.dataset.quant;
    if (t.dataset.device) { state.device = labels.device.get(t.dataset.device) || t.dataset.device; delete state.memory; }
    $('q').value = '';
    run();
  });
  for (const u of ['gb', 'gib']) {
    $(`unit-${u}`).addEventListener('click', () => {
      units = u;
      showUnits();
      run();
    });
  }
  const copy = (id) => async () => {
    const el = $(id);
    try { await navigator.clipboard.writeText(el.value); } catch { el.select(); document.execCommand('copy'); }
  };
  $('copy-url').addEventListener('click', copy('share-url'));
  $('copy-embed').addEventListener('click', copy('embed-code'));
  addEventListener('hashchange', () => { const s = readHash(); showUnits(); if (JSON.stringify(s) !== JSON.stringify(state)) { state = s; run(); } });
}

// Model and device names for the pickers. The core resolves names by itself, so these only turn
// ids back into display names and fill the suggestion lists: they can wait for the first answer.
function loadNames(quantCount) {
  const models = wif.list_models(), devices = wif.list_devices();
  for (const m of models) {
    labels.model.set(m.id, m.name);
    for (const n of [m.id, m.name, m.hf_repo, ...m.aliases]) names.model.set(key(n), m.id);
  }
  for (const d of devices) {
    labels.device.set(d.id, d.name);
    for (const n of [d.id, d.name, ...d.aliases]) names.device.set(key(n), d.id);
  }
  $('models').innerHTML = models.map((m) => `<option value="${esc(m.name)}">`).join('');
  $('devices').innerHTML = devices.map((d) => `<option value="${esc(d.name)}">`).join('');
  $('catalog-info').textContent = `${models.length} models, ${devices.length} devices and ${quantCount} formats`;
}

async function main() {
  wif = await load();
  performance.mark('wif-core');
  const quants = wif.list_quants();  // the first call into the core also parses the catalogs
  performance.mark('wif-catalog');
  const groups = {};
  for (const q of quants) (groups[q.family] ||= []).push(q);
  for (const [family, list] of Object.entries(groups)) {
    const g = document.createElement('optgroup');
    g.label = family;
    for (const q of list) g.append(new Option(q.name, q.id));
    $('f-quant').append(g);
  }
  state = readHash();
  showUnits();
  if (!Object.keys(state).length) state = { q: EXAMPLE };
  bind();
  run();
  performance.mark('wif-ready');
  document.documentElement.dataset.ready = 'true';
  afterPaint(() => {
    loadNames(quants.length);
    if (lastRequest) fillForm(lastRequest);  // display names in place of ids
  });
}

main().catch((e) => {
  $('answer').innerHTML = `<p class="error" role="alert">The calculator could not start: ${esc(e.message || e)}</p>`;
});
