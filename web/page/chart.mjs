// Memory on the device against context length: stacked areas of the line items, the usable line,
// the context asked for, axis titles and a legend. Drawn at the container's own pixel width so the
// text stays 12 px on a phone, and scaled to what matters: the y-axis stops at twice the usable
// memory (or a little above the weights, if they alone are larger) when the peak is far above
// that, and says so.
import { esc, bytes, tokens } from './format.mjs';
import { store } from './state.mjs';

const LAYERS = [['weights_bytes', 'var(--w)', 'weights'], ['kv_cache_bytes', 'var(--kv)', 'KV cache'],
  ['compute_bytes', 'var(--cmp)', 'buffers'], ['overhead_bytes', 'var(--ovh)', 'runtime']];
const f1 = (v) => v.toFixed(1);

// Ticks on powers of two of 1024 tokens ("32k", "64k", ... "2M"), four to six of them.
function ctxStep(maxX) {
  const raw = maxX / 5;
  if (raw <= 256) return 2 ** Math.ceil(Math.log2(Math.max(raw, 1)));
  return 2 ** Math.ceil(Math.log2(raw));
}
// Round steps (1, 2, 2.5 or 5 × 10^k of the unit shown) so the axis reads like a ruler.
function byteStep(maxY) {
  const unit = store.units === 'gib' ? 2 ** 30 : 1e9;
  const raw = maxY / unit / 4, mag = 10 ** Math.floor(Math.log10(raw));
  return unit * mag * ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) || 10);
}

export function renderChart(el, curve, res) {
  if (!curve.ok || !curve.points.length) { el.textContent = curve.ok ? '' : curve.error.message; return; }
  const pts = curve.points;
  const usable = res.usable_bytes, ctx = res.ctx;
  const W = Math.max(280, Math.round(el.clientWidth || 640)), H = W < 480 ? 230 : 260;
  const L = 76, B = 44, T = 12, R = 12;
  const maxX = pts[pts.length - 1].ctx;
  const total = (p) => p.weights_bytes + p.kv_cache_bytes + p.compute_bytes + p.overhead_bytes;
  const peak = Math.max(...pts.map(total));
  const floor = total(pts[0]);  // weights and runtime: the part that does not grow with context
  const cap = Math.max(2 * usable, floor * 1.25);
  const clipped = peak > 1.5 * cap;  // cut only when the usable line would sit in the bottom third
  const maxY = (clipped ? cap : Math.max(usable, peak)) * 1.06;
  const x = (v) => L + ((W - L - R) * v) / maxX;
  const y = (v) => H - B - ((H - B - T) * Math.min(v, maxY)) / maxY;
  let base = pts.map(() => 0);
  let areas = '';
  for (const [k, color] of LAYERS) {
    const top = pts.map((p, i) => base[i] + p[k]);
    const path = pts.map((p, i) => `${f1(x(p.ctx))},${f1(y(top[i]))}`).join(' ') + ' ' +
      pts.map((p, i) => `${f1(x(p.ctx))},${f1(y(base[i]))}`).reverse().join(' ');
    areas += `<polygon points="${path}" fill="${color}" opacity=".85"></polygon>`;
    base = top;
  }
  const step = byteStep(maxY);
  let ticks = '';
  for (let v = 0; v <= maxY; v += step) {
    ticks += `<line class="axis" x1="${L}" x2="${W - R}" y1="${f1(y(v))}" y2="${f1(y(v))}"></line><text x="${L - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${v ? bytes(v) : '0'}</text>`;
  }
  const xs = ctxStep(maxX);
  let xt = '';
  for (let v = 0; v <= maxX; v += xs) {
    const anchor = v === 0 ? 'start' : x(v) > W - R - 20 ? 'end' : 'middle';
    xt += `<line class="axis" x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${H - B}" y2="${H - B + 4}"></line><text class="xt" x="${f1(x(v))}" y="${H - B + 17}" text-anchor="${anchor}">${tokens(v)}</text>`;
  }
  const titles = `<text class="title" x="${f1(L + (W - L - R) / 2)}" y="${H - 6}" text-anchor="middle">context length (tokens)</text>` +
    `<text class="title" transform="translate(13 ${f1(T + (H - B - T) / 2)}) rotate(-90)" text-anchor="middle">memory on the device</text>`;
  const limit = `<line class="limitline" x1="${L}" x2="${W - R}" y1="${f1(y(usable))}" y2="${f1(y(usable))}"></line><text class="limittext" x="${W - R}" y="${f1(y(usable) - 5)}" text-anchor="end">usable ${bytes(usable)}</text>`;
  const marker = ctx <= maxX ? `<line class="ctxline" x1="${f1(x(ctx))}" x2="${f1(x(ctx))}" y1="${T}" y2="${H - B}"></line>` : '';
  const fitText = curve.max_context > 0 ? `Up to ${curve.max_context.toLocaleString('en')} tokens fit entirely on the device.` : 'Not even 256 tokens fit entirely on the device.';
  const clipText = clipped ? ` The scale stops at ${bytes(maxY)}; at ${tokens(maxX)} tokens it needs ${bytes(peak)}.` : '';
  const legend = LAYERS.map(([, c, l]) => `<li><i style="background:${c}"></i>${l}</li>`).join('') +
    `<li><i class="lk-limit"></i>usable memory</li>${marker ? `<li><i class="lk-ctx"></i>your context (${tokens(ctx)})</li>` : ''}`;
  el.innerHTML = `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Memory on the device against context length, from 256 to ${maxX.toLocaleString('en')} tokens; ${esc(fitText)}">` +
    `${ticks}${areas}${limit}${marker}${xt}${titles}</svg><ul class="legend chart-legend">${legend}</ul><p>${esc(fitText + clipText)}</p>`;
}
