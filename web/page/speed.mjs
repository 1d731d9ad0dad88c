// What an inference answer adds to the memory: how fast it runs (tokens/s generating and reading
// the prompt, with the measured efficiencies behind them), the GPU / system-RAM split of an
// offloaded model, "how many of this device" and, for vLLM serving, the KV budget and concurrency.
import { esc, bytes, num, pct } from './format.mjs';

const tps = (v) => `${num(v, v < 10 ? 1 : 0)} tokens/s`;
const rate = (v) => num(v, v < 10 ? 1 : 0);
// " Likely 40–55 and 1,226–1,932 tokens/s.": the speeds' error bands (tokens_per_second.decode_band,
// prefill_band), after the sentence they qualify.
function likely(bands) {
  const d = bands.decode_band, p = bands.prefill_band;
  if (!d && !p) return '';
  const range = (b) => `${rate(b.low)}–${rate(b.high)}`;
  const words = d && p ? `${range(d)} and ${range(p)} tokens/s` : `${range(d || p)} tokens/s`;
  const basis = [d, p].filter(Boolean).map((b) => `${b.plus_minus}: ${b.basis}`).join('\n');
  return ` <span class="muted" data-band="speed" title="${esc(basis)}">Likely ${words} (error bands).</span>`;
}
const secs = (s) => (s < 1 ? `${num(s * 1000, 0)} ms` : `${num(s, s < 10 ? 1 : 0)} s`);

// "About 12 tokens/s generating, 1,200 tokens/s reading the prompt": the line under the headline.
export function speedLine(res) {
  const s = res.speed;
  if (!s) {
    return res.speed_error && res.verdict !== 'does_not_fit' ? `<p class="speed muted" data-speed="none">No speed figure: ${esc(res.speed_error)}</p>` : '';
  }
  const cpu = s.speedup_vs_cpu > 1.05 && s.cpu_only_decode_tps > 0 && res.device.kind !== 'cpu'
    ? ` — ${num(s.speedup_vs_cpu, 1)}× the CPU alone (${tps(s.cpu_only_decode_tps)})` : '';
  return `<p class="speed" data-speed="${num(s.decode_tps, 1)}"><span aria-hidden="true">⚡</span> About <strong>${tps(s.decode_tps)}</strong> generating, ` +
    `<strong>${tps(s.prefill_tps)}</strong> reading the prompt (first token after ${secs(s.time_to_first_token_s)} for ${num(s.prompt_tokens, 0)} prompt tokens)${cpu}.` +
    `${likely(res.tokens_per_second || {})}</p>`;
}

// An offloaded model: so many layers on the GPU, the rest in system RAM, as a two-part bar.
export function splitBar(res) {
  if (!(res.total_layers > 0) || res.gpu_layers >= res.total_layers || res.device.kind === 'cpu' || res.verdict !== 'fits_with_offload') return '';
  const g = res.gpu_layers, t = res.total_layers, r = t - g;
  const gpuPart = res.speed?.parts?.find((p) => p.where === 'gpu');
  const unified = res.device.kind === 'unified';
  const ramWords = unified ? 'left to the CPU' : 'in system RAM';
  return `<div class="split" aria-label="Where the layers run"><div class="strack">` +
    `<span class="sgpu" style="width:${((100 * g) / t).toFixed(2)}%">${g ? `GPU: ${g}` : ''}</span><span class="sram" style="width:${((100 * r) / t).toFixed(2)}%">${unified ? 'CPU' : 'RAM'}: ${r}</span></div>` +
    `<p><strong>${g} of ${t} layers</strong> on the GPU${res.gpu_layers_band ? ` <span class="muted" title="${esc(res.gpu_layers_band.basis)}">(${esc(res.gpu_layers_band.plus_minus)})</span>` : ''}${gpuPart ? ` (${bytes(gpuPart.weight_bytes)} of weights)` : ''}, ${r} ${ramWords}` +
    `${res.ram_bytes > 0 ? ` (${bytes(res.ram_bytes)} of RAM${res.system_ram_bytes > 0 ? ` of ${bytes(res.system_ram_bytes)}` : ''})` : ''}; ` +
    'each token reads the RAM part at RAM speed, which sets the pace.</p></div>';
}

// The basis of the speed figures, behind a summary.
export function speedDetails(res) {
  const s = res.speed;
  if (!s) return '';
  const rows = (s.parts || []).map((p) => `<tr><td>${esc(p.label)}</td><td class="n">${p.layers}</td><td class="n">${bytes(p.weight_bytes + (p.kv_bytes || 0))}</td>` +
    `<td class="n">${num(p.peak_bandwidth_gbs, 0)} GB/s × ${pct(p.bandwidth_efficiency)}</td><td class="n">${num((p.seconds + (p.overhead_seconds || 0)) * 1000, 1)} ms</td></tr>`).join('');
  const items = [
    `Generating is ${s.bound === 'bandwidth' ? 'memory-bandwidth-bound' : `${esc(s.bound)}-bound`}: each token reads ${bytes(s.bytes_per_token)} at an effective ${num(s.effective_bandwidth_gbs, 0)} GB/s.`,
    `Bandwidth efficiency <strong>${pct(s.bandwidth_efficiency)}</strong> of peak — ${esc(s.bandwidth_efficiency_source)}.`,
    `Reading the prompt is ${esc(s.prefill_bound)}-bound at ${num(s.effective_tflops, 0)} effective TFLOPS (compute efficiency ${pct(s.compute_efficiency)} — ${esc(s.compute_efficiency_source)}).`,
  ];
  if (s.host_bytes_per_token > 0 || res.device.kind === 'cpu') items.push(`System RAM: ${esc(s.system_ram_source)} (${num(s.system_ram_bandwidth_gbs, 1)} GB/s).`);
  for (const a of s.assumptions || []) items.push(esc(a));
  return `<details class="basis"><summary>How fast, and why</summary><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` +
    (rows ? `<div class="scroll"><table class="parts"><thead><tr><th>Where</th><th class="n">Layers</th><th class="n">Read per token</th><th class="n">Bandwidth used</th><th class="n">Per token</th></tr></thead><tbody>${rows}</tbody></table></div>` : '') +
    '</details>';
}

// "You need 17 × RTX 4090": the count, large.
export function devicesNeeded(res) {
  if (res.intent !== 'device_count' || !(res.devices_needed > 0)) return '';
  return `<p class="bignum" data-devices-needed="${res.devices_needed}"><strong>${res.devices_needed} ×</strong> ${esc(res.device.name)}</p>`;
}

// vLLM serving: KV budget, tokens of KV cache, concurrent requests and throughput.
// Any GPU answer offers the vLLM serving view (answered by the full module), and back.
export function servingFacts(res) {
  const v = res.serving;
  if (!v) {
    return res.device.kind === 'gpu' && res.intent !== 'device_count'
      ? '<p><button type="button" class="linkish" data-serve="serving">Serving it with vLLM: how many requests at once?</button></p>' : '';
  }
  const facts = [
    ['KV cache budget', bytes(v.kv_budget_bytes), `${num(v.gpu_memory_utilization * 100, 0)}% of ${bytes(v.total_bytes)} less weights, activation peak and non-torch memory`],
    ['Requests at once', `${num(v.max_sequences, 0)}`, `of ${num(v.max_model_len, 0)} tokens each (${num(v.kv_tokens, 0)} tokens of KV cache)`],
    ['Throughput', tps(v.aggregate_decode_tps), `${tps(v.per_sequence_decode_tps)} per request; one request alone ${tps(v.single_stream_decode_tps)}`],
  ];
  return factGrid(facts, 'serving') + '<p><button type="button" class="linkish" data-serve="">Back to memory and speed for one user</button></p>';
}

export function factGrid(facts, cls = '') {
  return `<dl class="facts ${cls}">${facts.map(([k, v, note, extra = '']) => `<div${extra}><dt>${esc(k)}</dt><dd><strong>${v}</strong>${note ? `<span>${note}</span>` : ''}</dd></div>`).join('')}</dl>`;
}
