// The page: a question box and a form over the WebAssembly core, the answer with its arithmetic,
// a memory bar, "what would fit", memory against context, and a shareable state in the URL hash.
// Each answer is resolved once by the core (answer_page); once its verdict is painted, the formats,
// the devices and the context curve of that same answer follow (answer_page_more).
//   page/state.mjs   the one store and the URL hash      page/answer.mjs  the answer
//   page/form.mjs    the Adjust form                      page/bar.mjs     the memory bar
//   page/tables.mjs  formats and devices                  page/chart.mjs   memory against context
//   page/format.mjs  text helpers (bytes come from the core's format_bytes)
import { load, loadFull, needsFull } from './willitfit.mjs';
import { store, readHash, writeHash, applyTheme } from './page/state.mjs';
import { useCore, esc, bytes } from './page/format.mjs';
import { renderAnswer, setTrainingView } from './page/answer.mjs';
import { bar } from './page/bar.mjs';
import { factGrid } from './page/speed.mjs';
import { renderQuants, renderDevices, renderSetups } from './page/tables.mjs';
import { renderChart } from './page/chart.mjs';
import { labels, fillForm, formState, toRequest } from './page/form.mjs';
import { fillTrainForm, trainFormState, trainRequest, TRAIN_DEFAULTS } from './page/train.mjs';
import { installFileReader } from './page/file.mjs';

const $ = (id) => document.getElementById(id);
const EXAMPLE = '7B fp16 on an 8GB RTX 4060?';
const POINTS = 40;
let wif;
let catalogListed = false;

// ---- the share and embed boxes -----------------------------------------------------------------

function showLinks(url) {
  $('share-url').value = url;
  const embed = url.replace(/index\.html(?=#|$)/, 'embed.html').replace(/\/(?=#|$)/, '/embed.html');
  // The listener lets the widget set its iframe's height (it posts {willitfit_height}).
  $('embed-code').value = `<iframe src="${embed}" title="Will It Fit?" width="100%" height="380" style="border:0" loading="lazy"></iframe>\n` +
    '<script>addEventListener("message",e=>{for(const f of document.querySelectorAll("iframe"))if(f.contentWindow===e.source&&e.data&&e.data.willitfit_height)f.style.height=e.data.willitfit_height+"px"})</script>';
  $('open-full').href = url.replace('embed.html', 'index.html');
  if (store.mode === 'embed') Object.assign($('home'), { href: $('open-full').href, target: '_blank', rel: 'noopener' });
}

// ---- the panels under the answer ---------------------------------------------------------------

const PANELS = ['setups', 'quants', 'devices-fit', 'chart'];
function clearPanels(why) {
  for (const id of PANELS) $(id).innerHTML = `<p class="muted stale">${esc(why)}</p>`;
}

// Catalog ids -> names (for the form) and device kinds (for ordering the devices): listed once,
// after the first answer is on screen.
function listCatalog() {
  if (catalogListed) return;
  catalogListed = true;
  const models = wif.list_models(), devices = wif.list_devices();
  for (const m of models) labels.model.set(m.id, m.name);
  for (const d of devices) { labels.device.set(d.id, d.name); labels.kind.set(d.id, d.kind); }
  $('models').innerHTML = models.map((m) => `<option value="${esc(m.name)}">`).join('');
  $('devices').innerHTML = devices.map((d) => `<option value="${esc(d.name)}">`).join('');
  $('catalog-info').textContent = `${models.length} models, ${devices.length} devices and ${$('f-quant').querySelectorAll('optgroup option').length} formats`;
}

function renderPanels(result) {
  const res = result.answer;
  if (!res.ok) { clearPanels('No answer for this question, so nothing to compare: see the message above.'); return; }
  if (!result.quants) {
    clearPanels(res.intent === 'what_fits' ? 'The models that run on this device are listed above.'
      : res.intent === 'sizes' ? 'Name a device (or pick one above) to compare formats and devices.' : '');
    return;
  }
  listCatalog();
  renderSetups($('setups'), result.setups, res);
  renderQuants($('quants'), result.quants, res);
  renderDevices($('devices-fit'), result.devices, res, labels.kind);
  renderChart($('chart'), result.curve, res);
}

// ---- running -----------------------------------------------------------------------------------

// Runs `fn` once the next frame has been painted: a zero timeout alone may run before the paint.
const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

// The full module (training and serving), started the first time a question needs it: the first
// visit downloads only the core.
// The Training view's form and rendering (willitfit-training-view.js, a classic script so that it
// also loads from file://) come with it.
let full = null, fullStarting = null, trainView = null;
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = new URL(src, location.href).href;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}
function startFull() {
  if (!fullStarting) {
    const view = globalThis.WIF_TRAINING_VIEW ? Promise.resolve() : loadScript('willitfit-training-view.js');
    fullStarting = Promise.all([loadFull(), view]).then(([f]) => {
      trainView = globalThis.WIF_TRAINING_VIEW.install({ bytes, bar, factGrid });
      setTrainingView(trainView);
      $('tform').innerHTML = trainView.FORM;
      full = f;
      return f;
    }, (e) => { fullStarting = null; throw e; });
  }
  return fullStarting;
}

// `fromForm`: the form already shows the state (the person is typing in it); otherwise it is filled
// from the answer so both always agree, and emptied when there is nothing to show.
function run(fromForm = false) {
  const t0 = performance.now();
  const input = store.input;
  const training = input.view === 'train' && !input.q;
  let kind, what;
  if (input.q) {
    $('q').value = input.q;
    kind = 'ask';
    what = input.q;
  } else {
    kind = 'estimate';
    what = training ? trainRequest(input) : toRequest(input);
  }
  // Training and serving: straight to the full module once it is running; until then the core
  // says which module is needed, and the same call is repeated there.
  const needsTraining = training || (kind === 'estimate' && what.intent === 'serving');
  let result = (full && needsTraining ? full : wif).answer_page(kind, what, { units: store.units });
  if (needsFull(result) && !full) {
    store.result = null;
    store.input = input;
    $('answer').setAttribute('aria-busy', 'true');
    $('answer').innerHTML = '<p class="loading" data-loading="full">Loading the training and serving calculator…</p>';
    startFull().then(() => { if (store.input === input) run(fromForm); }, (e) => {
      if (store.input !== input) return;
      renderAnswer($('answer'), { ok: false, error: { code: 'module_failed', message: `The training calculator could not start: ${e.message || e}` } });
    });
    return;
  }
  if (needsFull(result)) result = full.answer_page(kind, what, { units: store.units });
  const answerer = full && (needsTraining || result.answer.intent === 'training' || result.answer.intent === 'serving') ? full : wif;
  const request = kind === 'ask' ? result.answer.question?.request || null : what;
  store.result = result;
  store.request = request;
  const res = result.answer;
  if (!document.documentElement.dataset.ready) performance.mark('wif-computed');
  renderAnswer($('answer'), res);
  window.__wif = { verdict: res.ok ? res.verdict || res.intent : 'error', intent: res.intent || null, module: answerer.module, ms: performance.now() - t0 };
  showLinks(writeHash());
  if (store.mode === 'embed') { postHeight(); return; }
  const inTraining = training || res.intent === 'training';
  showView(inTraining ? 'train' : 'infer');
  if (inTraining) {
    if (!trainView) {  // an error from the core (e.g. an unknown model): the form comes with the full module
      startFull().then(() => { if (store.input === input) fillTrainForm(input, labels); }, () => {});
    } else if (!fromForm) {
      fillTrainForm(res.ok ? trainView.stateFromAnswer(res, request || {}) : input, labels);
    }
    clearPanels('');
    return;
  }
  if (!fromForm) fillForm(request || {});
  if (!res.ok) { renderPanels(result); return; }  // at once: nothing stale may stay on screen
  // The formats, devices and curve of the same answer take a few milliseconds: paint the verdict
  // first. The core keeps the answer it resolved until the next answer_page call.
  afterPaint(() => {
    if (store.result !== result) return;
    Object.assign(result, answerer.answer_page_more(POINTS));
    renderPanels(result);
  });
}

// The two views: running a model (the Adjust form and "what would fit") and training one.
function showView(view) {
  store.view = view;
  $('view-infer').setAttribute('aria-pressed', String(view !== 'train'));
  $('view-train').setAttribute('aria-pressed', String(view === 'train'));
  $('train-panel').hidden = view !== 'train';
  $('form-panel').hidden = view === 'train';
  $('fit-panel').hidden = view === 'train';
}

// Switching views carries the model and the device (or memory and count) across.
function switchView(view) {
  if (view === store.view) return;
  const r = store.request || {};
  const res = store.result?.answer;
  const common = {};
  const model = r.model || (r.params ? String(r.params) : '') || (res?.ok && res.model ? res.model.id : '');
  if (model) common.model = typeof model === 'number' ? `${model / 1e9}B` : model;
  if (r.device) common.device = r.device;
  else if (r.memory) common.memory = String(r.memory);
  else if (res?.ok && res.device?.id && !res.device.id.startsWith('custom')) common.device = res.device.id;
  if (r.count > 1) common.count = String(r.count);
  for (const k of ['model', 'device']) if (common[k]) common[k] = (k === 'model' ? labels.model : labels.device).get(common[k]) || common[k];
  $('q').value = '';
  if (view === 'train') answer({ view: 'train', ...TRAIN_DEFAULTS, ...common });
  else answer(common);
}

// In an iframe, tell the host page how tall the widget is (the embed snippet listens).
function postHeight() {
  if (parent === window) return;
  parent.postMessage({ willitfit_height: Math.ceil(document.documentElement.getBoundingClientRect().height) }, '*');
}

function showUnits() {
  for (const u of ['gb', 'gib']) $(`unit-${u}`).setAttribute('aria-pressed', String(u === store.units));
}

function answer(input) {
  store.input = input;
  run();
}

function bind() {
  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    answer({ q: $('q').value.trim() });
  });
  for (const b of document.querySelectorAll('.ex')) b.addEventListener('click', () => answer({ q: b.textContent }));
  let pending;
  $('form').addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(() => { store.input = formState(); $('q').value = ''; run(true); }, 120);
  });
  $('form').addEventListener('submit', (e) => e.preventDefault());
  let tpending;
  const retrain = () => {
    clearTimeout(tpending);
    tpending = setTimeout(() => { store.input = { view: 'train', ...trainFormState() }; $('q').value = ''; run(true); }, 120);
  };
  $('tform').addEventListener('input', retrain);
  $('tform').addEventListener('change', retrain);
  $('tform').addEventListener('submit', (e) => e.preventDefault());
  $('view-infer').addEventListener('click', () => switchView('infer'));
  $('view-train').addEventListener('click', () => switchView('train'));
  document.body.addEventListener('click', (e) => {
    const serve = e.target.closest('[data-serve]');
    if (serve) {
      const s = { ...formState(), intent: serve.dataset.serve };
      if (!s.intent) delete s.intent;
      else {
        s.engine = 'vllm';
        if (/^(I?Q\d|TQ|MXFP4)/i.test(s.quant || '')) delete s.quant;  // GGUF formats: vLLM serves the published weights
      }
      $('q').value = '';
      answer(s);
      return;
    }
    const t = e.target.closest('[data-quant],[data-device],[data-model],[data-cand-model],[data-cand-device]');
    if (!t) return;
    const d = t.dataset;
    // From a failed question the form shows what was understood; a candidate completes it.
    const s = formState();
    if (d.quant) s.quant = d.quant;
    if (d.kv) {  // a setup of the solver: its format, KV cache type and experts kept in RAM together
      s.kv_type = d.kv;
      if (d.ncmoe > 0) { s.n_cpu_moe = d.ncmoe; s.engine = d.engine; } else delete s.n_cpu_moe;
    }
    if (d.device || d.candDevice) { s.device = labels.device.get(d.device) || d.device || d.candDevice; delete s.memory; }
    if (d.model || d.candModel) s.model = labels.model.get(d.model) || d.model || d.candModel;
    $('q').value = '';
    answer(s);
  });
  for (const u of ['gb', 'gib']) {
    $(`unit-${u}`).addEventListener('click', () => {
      store.units = u;
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
  addEventListener('hashchange', () => {
    const before = JSON.stringify([store.input, store.units]);
    const input = readHash();
    showUnits();
    if (JSON.stringify([input, store.units]) !== before) answer(input);
  });
  let width = innerWidth, resizing;
  addEventListener('resize', () => {
    if (innerWidth === width) return;
    width = innerWidth;
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      const r = store.result;
      if (store.mode === 'embed') postHeight();
      else if (r?.curve && r.answer.ok) renderChart($('chart'), r.curve, r.answer);
    }, 150);
  });
}

async function main() {
  applyTheme();
  wif = await load();
  useCore(wif);
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
  let input = readHash();
  showUnits();
  if (!Object.keys(input).length) input = { q: EXAMPLE };
  bind();
  if (store.mode === 'full') {
    // The reader's code comes with its first file or config (and the full module with it).
    let view = null;
    installFileReader(() => (view ||= (globalThis.WIF_FILE_VIEW ? Promise.resolve() : loadScript('willitfit-file-view.js'))
      .then(() => globalThis.WIF_FILE_VIEW.install({ store, bytes, formState, toRequest, renderAnswer, startFull }), (e) => { view = null; throw e; })));
  }
  answer(input);
  performance.mark('wif-ready');
  document.documentElement.dataset.ready = 'true';
  if (store.mode === 'full') {
    afterPaint(() => {
      listCatalog();
      if (store.request) fillForm(store.request);  // display names in place of ids
    });
  }
}

main().catch((e) => {
  $('answer').innerHTML = `<p class="error" role="alert">The calculator could not start: ${esc(e.message || e)}</p>`;
});
