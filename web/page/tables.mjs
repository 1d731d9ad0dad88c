// "What would fit": every format of the model on this device, and the catalog devices that hold it.
import { esc, bytes, VERDICT, errorText } from './format.mjs';

// On a phone the table keeps Format, On device and Verdict; bits/w and Engine (class "opt") go.
export function renderQuants(el, quants, res) {
  if (!quants.ok) { el.innerHTML = `<p class="muted">${esc(errorText(quants.error))}</p>`; return; }
  // On a CPU the whole estimate counts against the device; on a GPU only what is on the GPU.
  const onDevice = (o) => (res.device.kind === 'cpu' ? o.total_bytes : o.gpu_bytes);
  const rows = quants.options.map((o) => {
    const [, words] = VERDICT[o.verdict];
    const cls = o.id === res.quant.id ? ' class="current"' : '';
    const b = onDevice(o);
    return `<tr${cls}><td><button type="button" class="linkish" data-quant="${esc(o.id)}">${esc(o.id)}</button></td>` +
      `<td class="n opt">${o.bits_per_weight ? o.bits_per_weight.toFixed(2) : ''}</td><td class="opt">${esc(o.engine || '')}</td>` +
      `<td class="n">${b ? bytes(b) : '–'}</td><td><span class="badge ${o.verdict}" title="${esc(o.error || '')}">${words}</span></td></tr>`;
  }).join('');
  el.innerHTML = `<table class="formats"><thead><tr><th>Format</th><th class="opt">bits/w</th><th class="opt">Engine</th><th>On device</th><th>Verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// Devices of the question's kind first (GPUs for a GPU question), then the others; smallest
// first within each kind. `kinds`: device id -> gpu | unified | cpu, from the catalog listing.
const ORDER = { gpu: ['gpu', 'unified', 'cpu'], unified: ['unified', 'gpu', 'cpu'], cpu: ['cpu', 'unified', 'gpu'] };
export function renderDevices(el, devices, res, kinds) {
  if (!devices.ok) { el.innerHTML = `<p class="muted">${esc(errorText(devices.error))}</p>`; return; }
  const order = ORDER[res.device.kind] || ORDER.gpu;
  const rank = (o) => { const i = order.indexOf(kinds.get(o.id)); return i < 0 ? 3 : i; };
  const fit = devices.options.filter((o) => o.verdict === 'fits').sort((a, b) => rank(a) - rank(b) || a.usable_bytes - b.usable_bytes);
  const item = (o) => `<li data-kind="${esc(kinds.get(o.id) || '')}"><button type="button" class="linkish" data-device="${esc(o.id)}">${esc(o.name)}</button> — ${bytes(o.gpu_bytes || o.total_bytes)} of ${bytes(o.usable_bytes)}</li>`;
  const first = fit.slice(0, 10).map(item).join('');
  const rest = fit.slice(10).map(item).join('');
  const what = { gpu: 'GPUs first', unified: 'unified-memory machines first', cpu: 'CPU RAM first' }[res.device.kind] || '';
  el.innerHTML = fit.length
    ? `<p>${fit.length} of ${devices.options.length} catalog devices hold it entirely (${what}, smallest first):</p><ul class="devlist">${first}</ul>` +
      (rest ? `<details><summary>${fit.length - 10} more</summary><ul class="devlist">${rest}</ul></details>` : '')
    : '<p>No single catalog device holds it entirely; try a smaller format or several GPUs.</p>';
}

// The solver's setups on this device (as `willitfit fit`): every format that runs, with the KV
// cache type and the layers on the GPU that make it run, fastest first; the best one (the most
// bits per weight at the usable speed) is marked. A phone keeps Format, Layers and tokens/s.
export function renderSetups(el, sol, res) {
  if (!sol || !sol.setups) { el.innerHTML = ''; return; }
  if (!sol.setups.length) { el.innerHTML = '<p class="muted">No format of this model runs on this device, even with layers in system RAM.</p>'; return; }
  const best = sol.setups[sol.best];
  const tps = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const rows = sol.setups.map((x, i) => {
    const cls = i === sol.best ? ' class="current"' : '';
    // llama.cpp --n-cpu-moe: every layer on the GPU, the experts of the first N in system RAM.
    const layers = `${x.gpu_layers}/${x.total_layers}` + (x.n_cpu_moe > 0 ? `<br><span class="muted">experts of ${x.n_cpu_moe} in RAM</span>` : '');
    return `<tr${cls}><td><button type="button" class="linkish" data-quant="${esc(x.quant)}" data-kv="${esc(x.kv_type)}" data-ncmoe="${x.n_cpu_moe}" data-engine="${esc(x.engine)}">${esc(x.quant)}</button>${i === sol.best ? ' <span class="badge fits">best</span>' : ''}</td>` +
      `<td class="opt">${esc(x.kv_type)}</td><td class="n">${layers}</td><td class="n opt">${bytes(x.gpu_bytes)}</td><td class="n opt">${bytes(x.ram_bytes)}</td>` +
      `<td class="n">${tps(x.tokens_per_second.decode)}</td></tr>`;
  }).join('');
  const lead = best
    ? `<p>Best: <strong>${esc(best.quant)}</strong> with a ${esc(best.kv_type)} KV cache, ${best.gpu_layers} of ${best.total_layers} layers on the ${res.device.kind === 'cpu' ? 'CPU' : 'GPU'}${best.n_cpu_moe > 0 ? ` and the experts of ${best.n_cpu_moe} layers in system RAM (llama.cpp <code>--n-cpu-moe ${best.n_cpu_moe}</code>)` : ''}, about ${tps(best.tokens_per_second.decode)} tokens/s — the most bits per weight at ${sol.min_speed} tokens/s or more.</p>`
    : `<p>Nothing reaches ${sol.min_speed} tokens/s here; the fastest setups come first.</p>`;
  el.innerHTML = lead + `<table class="formats setups"><thead><tr><th>Format</th><th class="opt">KV cache</th><th>Layers on device</th><th class="opt">On device</th><th class="opt">In RAM</th><th>tokens/s</th></tr></thead><tbody>${rows}</tbody></table>`;
}
