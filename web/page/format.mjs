// Text helpers. Byte counts are written by the core's own format_bytes, so the page and the CLI
// never disagree on a number.
import { store } from './state.mjs';

let core;
export const useCore = (wif) => { core = wif; };

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
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

// Error messages are the core's; these codes get the page's own words where the core's message
// speaks of command-line flags.
export function errorText(error) {
  let m = String(error.message || '');
  m = m.replace(/\s*\(see `willitfit list devices`, or give --memory 24GB\)/, ': pick a device from the list in the form, or give its memory size (e.g. 24 GB)');
  m = m.replace(/: pass its config\.json with --hf-config/, ': it is not in the catalog, so its size is unknown; try its parameter count (e.g. 7B)');
  m = m.replace(/\(see `willitfit list quants`; /, '(see the formats in the form; ');
  m = m.replace(/^give a model \(--model\), a config\.json \(--hf-config\) or a parameter count \(--params\)$/, 'give a model: a catalog name or a size such as 7B');
  m = m.replace(/^give only one of --model, --hf-config and --params$/, 'give either a model name or a size, not both');
  return m;
}
