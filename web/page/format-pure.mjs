// Text helpers that hold no state (shared with page/training-view.mjs, which loads on demand).
export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Numbers other than bytes (tokens/s, hours, dollars, parameter counts), written the English way.
export const num = (v, digits = 0) => Number(v || 0).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
export const pct = (f) => `${num(f * 100, f < 0.1 ? 1 : 0)}%`;
// 207093760 -> "207M", 70553706496 -> "70.6B", 2e12 -> "2T"
export const count = (n) => Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 }).format(n || 0);
