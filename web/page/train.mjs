// The Training view's form as page state and as a request. The form itself and the rendering of a
// training answer live in page/training-view.mjs, which ships beside the full module and loads with
// it (training answers come only from there), so the first visit carries neither.
import { TFIELDS, store } from './state.mjs';

const $ = (id) => document.getElementById(id);
const id = (f) => `t-${f.replace(/_/g, '-')}`;
// Fields of the training request (the rest: model, device, memory, count, at the top level).
const OPTIONS = ['method', 'optimizer', 'precision', 'batch', 'seq', 'checkpointing', 'lora_rank', 'lora_targets', 'zero', 'offload_optimizer', 'tokens', 'mfu', 'price', 'outlet_watts'];
// What the form shows when the Training view is opened without a training answer.
export const TRAIN_DEFAULTS = { method: 'lora', tokens: '100M' };

export function fillTrainForm(values, labels) {
  const v = { ...values };
  if (v.model) v.model = labels.model.get(v.model) || v.model;
  if (v.device) v.device = labels.device.get(v.device) || v.device;
  for (const f of TFIELDS) {
    const el = $(id(f));
    if (!el) continue;
    let x = v[f] ?? '';
    if (el.type === 'checkbox') { el.checked = x === true || x === 'true' || x === '1'; continue; }
    x = String(x);
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === x)) el.add(new Option(x, x));
    el.value = x;
  }
}

// The form as page state (strings, empty fields left out), for the URL hash.
export function trainFormState() {
  const s = {};
  for (const f of TFIELDS) {
    const el = $(id(f));
    if (!el) continue;
    if (el.type === 'checkbox') { if (el.checked) s[f] = '1'; continue; }
    const v = el.value.trim();
    if (v !== '') s[f] = v;
  }
  return s;
}

// Page state -> a training request for the full module.
export function trainRequest(s) {
  const r = { intent: 'training', units: store.units, training: {} };
  if (s.model) {
    if (/^\s*\d/.test(s.model)) r.params = s.model;
    else r.model = s.model;
  }
  if (s.device) r.device = s.device;
  else if (s.memory) r.memory = Number(s.memory);
  const t = r.training;
  // The request's own count goes to 64 devices; a training run may use more (training.count).
  if (s.count) {
    const n = Math.round(Number(s.count));
    if (n > 64) t.count = n;
    else r.count = n;
  }
  for (const f of OPTIONS) {
    const v = s[f];
    if (v == null || v === '') continue;
    if (['batch', 'seq', 'lora_rank'].includes(f)) t[f] = Math.round(Number(v));
    else if (['mfu', 'price', 'outlet_watts'].includes(f)) t[f] = Number(v);
    else if (f === 'offload_optimizer') t[f] = v === '1' || v === 'true' || v === true;
    else if (f === 'zero') t[f] = /^\d$/.test(v) ? Number(v) : v;
    else t[f] = v;
  }
  return r;
}

