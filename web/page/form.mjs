// The "Adjust" form: filled from a request, read back into page state, turned into a request.
// Names go to the core as typed; it resolves them (lookup_key) the same way for the CLI.
import { FIELDS, store } from './state.mjs';

const $ = (id) => document.getElementById(id);
const INPUTS = { model: 'f-model', quant: 'f-quant', device: 'f-device', memory: 'f-memory', count: 'f-count', ctx: 'f-ctx',
  batch: 'f-batch', kv_type: 'f-kv', engine: 'f-engine', flash_attn: 'f-fa', ram: 'f-ram', n_cpu_moe: 'f-ncmoe', intent: 'f-intent' };

// Catalog id -> display name, filled once the catalogs are listed.
export const labels = { model: new Map(), device: new Map(), kind: new Map() };

export function fillForm(req) {
  const model = req.model ? labels.model.get(req.model) || req.model
    : typeof req.params === 'number' ? `${req.params / 1e9}B` : req.params || '';
  const device = req.device ? labels.device.get(req.device) || req.device : '';
  const values = { ...req, model, device, memory: req.memory ?? '', flash_attn: req.flash_attn || 'auto', n_cpu_moe: req.n_cpu_moe || '', intent: req.intent === 'serving' ? 'serving' : '' };
  for (const f of FIELDS) {
    const el = $(INPUTS[f]);
    const v = values[f] ?? (f === 'count' || f === 'batch' ? 1 : '');
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === String(v))) el.add(new Option(v, v));
    el.value = v;
  }
}

export function formState() {
  const s = {};
  for (const f of FIELDS) {
    const v = $(INPUTS[f]).value.trim();
    if (v !== '' && !(f === 'flash_attn' && v === 'auto') && !((f === 'count' || f === 'batch') && v === '1') && !(f === 'n_cpu_moe' && v === '0')) s[f] = v;
  }
  return s;
}

// A request the core reads, from page state (form fields) or a question's request plus changes.
export function toRequest(s) {
  const r = { units: store.units };
  if (s.model) {
    if (/^\s*\d/.test(s.model)) r.params = s.model;
    else r.model = s.model;
  }
  if (s.device) r.device = s.device;
  else if (s.memory) r.memory = Number(s.memory);
  for (const f of ['quant', 'kv_type', 'engine', 'flash_attn']) if (s[f]) r[f] = s[f];
  for (const f of ['count', 'ctx', 'batch']) if (s[f]) r[f] = Math.round(Number(s[f]));
  if (s.ram) r.ram = Number(s.ram);
  if (s.n_cpu_moe) r.n_cpu_moe = Math.round(Number(s.n_cpu_moe));
  if (s.intent === 'serving') r.intent = 'serving';  // vLLM serving: answered by the full module
  return r;
}
