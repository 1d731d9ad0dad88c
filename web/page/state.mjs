// The one store of the page's state and its mirror in the URL hash. The hash holds either a
// question (`q`), the Adjust form's fields, or `view=train` and the Training form's fields, plus
// `units` (gb | gib) and `theme` (light | dark | auto).
export const FIELDS = ['model', 'quant', 'device', 'memory', 'count', 'ctx', 'batch', 'kv_type', 'engine', 'flash_attn', 'ram', 'n_cpu_moe', 'intent'];
export const TFIELDS = ['model', 'device', 'memory', 'count', 'method', 'optimizer', 'precision', 'batch', 'seq', 'checkpointing',
  'lora_rank', 'lora_targets', 'zero', 'offload_optimizer', 'tokens', 'mfu', 'price', 'outlet_watts'];
const THEMES = ['light', 'dark', 'auto'];

export const store = {
  mode: document.documentElement.dataset.mode === 'embed' ? 'embed' : 'full',
  input: {},        // what the URL holds: { q }, form fields, or { view: 'train', ...training fields }
  units: 'gb',
  theme: '',        // '' = the mode's default (auto on the page, light in an embed)
  result: null,     // the last answer_page result: { answer, quants?, devices?, curve? }
  request: null,    // the request behind it (a question's as the core read it)
};

export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const input = {};
  // A question wins over view=train (the last q counts, as below): then only the Adjust form's fields
  // are kept, so decoding what hashOf wrote gives the same state again.
  const train = p.get('view') === 'train' && !p.getAll('q').pop();
  for (const [k, v] of p) if (k === 'q' || (train ? TFIELDS : FIELDS).includes(k)) input[k] = v;
  if (train) input.view = 'train';
  store.units = p.get('units') === 'gib' ? 'gib' : 'gb';
  store.theme = THEMES.includes(p.get('theme')) ? p.get('theme') : '';
  applyTheme();
  return input;
}

// The early script in <head> sets the same attribute before the first paint.
export function applyTheme() {
  document.documentElement.dataset.theme = store.theme || (store.mode === 'embed' ? 'light' : 'auto');
}

export function hashOf(input = store.input) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(input)) if (v !== '' && v != null) p.set(k, v);
  if (store.units === 'gib') p.set('units', 'gib');
  if (store.theme) p.set('theme', store.theme);
  return p.toString();
}

export function writeHash() {
  const hash = hashOf();
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
  return location.href;
}
