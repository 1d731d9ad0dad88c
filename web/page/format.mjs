// Text helpers. Byte counts are written by the core's own format_bytes, so the page and the CLI
// never disagree on a number.
import { store } from './state.mjs';

let core;
export const useCore = (wif) => { core = wif; };

export { esc, num, pct, count } from './format-pure.mjs';
import { esc } from './format-pure.mjs';
export const bytes = (b, units = store.units) => core.format_bytes(b, units);
export const VERDICT = { fits: ['✔', 'Fits'], fits_with_offload: ['◐', 'Fits with CPU offload'], does_not_fit: ['✘', 'Does not fit'],
  unsupported: ['–', 'Cannot run'] };

// Context lengths as model cards write them (k = 1024 tokens): 131072 -> "128k", 10485760 -> "10M".
export function tokens(n) {
  const trim = (v) => String(Number(v.toFixed(2)));
  if (n >= 1 << 20) return `${trim(n / (1 << 20))}M`;
  if (n >= 1024) return `${trim(n / 1024)}k`;
  return String(n);
}

// Error messages are the core's. Older cores wrote command-line words into some of them ("see
// `willitfit list devices`, or give --memory 24GB"); for these codes the page says it its way.
const PAGE_WORDS = {
  unknown_device: [[/\s*\(see `willitfit list devices`, or give --memory 24GB\)/, ': pick one from the list in the form, or give its memory size (e.g. 24 GB)']],
  unknown_model: [[/: (pass its config\.json with --hf-config|give its config\.json instead)/, ': give its parameter count instead (e.g. 7B)']],
  unknown_quant: [[/\(see `willitfit list quants`; /, '(see the formats in the form; ']],
  missing_model: [[/^give a model \(--model\).*$/, 'give a model: a catalog name or a size such as 7B']],
  conflicting_model: [[/^give only one of --model.*$/, 'give either a model name or a size, not both']],
};
export function errorText(error) {
  let m = String(error.message || '');
  for (const [from, to] of PAGE_WORDS[error.code] || []) m = m.replace(from, to);
  return m;
}

