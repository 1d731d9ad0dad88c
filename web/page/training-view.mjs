// The Training view, loaded with the full module (web/build.mjs bundles it into
// willitfit-training-view.js, a classic script that sets globalThis.WIF_TRAINING_VIEW, so it also
// loads from file://): the Training form and a training answer — the four memories per GPU against
// usable memory, trainable parameters, how many GPUs with which sharding, time, cost and power.
// The page passes in what must be shared with it (its byte formatter, the memory bar, fact grids).
import { esc, num, pct, count } from './format-pure.mjs';

let bytes, bar, factGrid;
const SHARDING = { none: 'DDP (a full copy on every GPU)', zero1: 'ZeRO-1', zero2: 'ZeRO-2', zero3: 'ZeRO-3', fsdp: 'FSDP' };
const METHOD = { full: 'Full fine-tuning', lora: 'LoRA', qlora: 'QLoRA' };

const sel = (id, label, options) => `<div class="field"><label for="${id}">${label}</label><select id="${id}">${options.map(([v, t]) => `<option value="${v}">${t}</option>`).join('')}</select></div>`;
const inp = (id, label, attrs, wide = false) => `<div class="field${wide ? ' wide' : ''}"><label for="${id}">${label}</label><input id="${id}" ${attrs}></div>`;
const NAME = 'autocomplete="off" spellcheck="false"';
// The form: model and device pickers share the Adjust form's catalog lists (#models, #devices).
export const FORM = inp('t-model', 'Model <span class="hint">(name, or a size like 7B)</span>', `list="models" ${NAME}`, true) +
  inp('t-device', 'GPU <span class="hint">(or leave empty and give memory)</span>', `list="devices" ${NAME}`, true) +
  inp('t-memory', 'Memory per GPU (GB)', 'type="number" min="0.5" max="1048576" step="any" inputmode="decimal"') +
  inp('t-count', 'GPUs', 'type="number" min="1" max="65536" step="1" placeholder="1"') +
  sel('t-method', 'Method', [['full', 'full fine-tuning'], ['lora', 'LoRA'], ['qlora', 'QLoRA']]) +
  sel('t-optimizer', 'Optimizer', [['', 'auto (AdamW; paged 8-bit for QLoRA)'], ['adamw', 'AdamW'], ['adamw8bit', '8-bit AdamW'], ['paged_adamw8bit', 'paged 8-bit AdamW'],
    ['sgd', 'SGD'], ['sgd_momentum', 'SGD with momentum'], ['adafactor', 'Adafactor'], ['lion', 'Lion']]) +
  sel('t-precision', 'Precision', [['', 'auto (mixed bf16)'], ['mixed_bf16', 'mixed bf16 (fp32 master)'], ['mixed_fp16', 'mixed fp16 (fp32 master)'], ['bf16', 'pure bf16'], ['fp32', 'fp32']]) +
  inp('t-batch', 'Micro-batch', 'type="number" min="1" max="65536" step="1" placeholder="1"') +
  inp('t-seq', 'Sequence (tokens)', 'type="number" min="1" max="16777216" step="256" placeholder="2048" list="ctxs"') +
  sel('t-checkpointing', 'Activation checkpointing', [['', 'auto (on for QLoRA)'], ['none', 'none'], ['selective', 'selective'], ['full', 'full']]) +
  inp('t-lora-rank', 'LoRA rank', 'type="number" min="1" max="65536" step="1" placeholder="16"') +
  inp('t-lora-targets', 'LoRA targets', `list="targets" placeholder="all" ${NAME}`) +
  sel('t-zero', 'Sharding', [['', 'auto (DDP)'], ['0', 'DDP (full copy per GPU)'], ['1', 'ZeRO-1'], ['2', 'ZeRO-2'], ['3', 'ZeRO-3'], ['fsdp', 'FSDP']]) +
  '<div class="field check"><label for="t-offload-optimizer"><input id="t-offload-optimizer" type="checkbox"> Optimizer in CPU RAM</label></div>' +
  inp('t-tokens', 'Tokens to train on', `placeholder="e.g. 100M, 2T" ${NAME}`) +
  inp('t-mfu', 'Utilization (MFU)', 'type="number" min="0.01" max="1" step="0.05" placeholder="0.4"') +
  inp('t-price', '$ per GPU-hour', 'type="number" min="0" max="100000" step="any" placeholder="typical cloud"') +
  inp('t-outlet-watts', 'Wall outlet (W)', 'type="number" min="1" max="1000000" step="any" placeholder="1800"') +
  '<datalist id="targets"><option value="all"><option value="attn"><option value="q,k,v,o"><option value="q,v"></datalist>';

// A training answer's options and request -> page state for the form (what the core settled on).
function stateFromAnswer(res, request = {}) {
  const o = res.options || {};
  const t = request.training || {};
  const s = {
    model: request.model || (request.params ? String(request.params) : res.model?.id),
    device: request.device || (request.memory ? '' : res.device?.id),
    memory: request.memory ?? '',
    count: (res.options?.count || res.device?.count) > 1 ? String(res.options?.count || res.device.count) : '',
    method: o.method, optimizer: o.optimizer, precision: o.precision, batch: o.batch, seq: o.seq,
    checkpointing: o.checkpointing, lora_rank: o.method === 'full' ? '' : o.lora_rank, lora_targets: o.method === 'full' ? '' : o.lora_targets,
    zero: t.zero ?? (o.sharding && o.sharding !== 'none' ? o.sharding.replace('zero', '') : ''),
    offload_optimizer: o.offload_optimizer ? '1' : '',
    tokens: res.time?.tokens > 0 ? count(res.time.tokens).replace(/\.0(?=\D)/, '') : '', mfu: t.mfu ?? '', price: t.price ?? '', outlet_watts: t.outlet_watts ?? '',
  };
  if (typeof s.model === 'number') s.model = `${s.model / 1e9}B`;
  return s;
}

const hours = (h) => (h >= 48 ? `${num(h, 0)} h (${num(h / 24, h < 24 * 30 ? 1 : 0)} days)` : `${num(h, 1)} h`);

function trainingFacts(res) {
  const n = res.options?.count || res.device.count || 1;
  const facts = [];
  // Trainable parameters.
  facts.push(['Trained', `${count(res.trainable_params)} of ${count(res.total_params)} parameters`,
    res.trainable_params < res.total_params ? `${pct(res.trainable_params / res.total_params)}; frozen ones carry no gradients or optimizer states` : 'every parameter']);
  // How many GPUs.
  const sharding = res.options?.sharding || 'none';
  const gpu = esc(res.device.name);
  let gpus;
  if (res.min_gpus > 0) {
    gpus = [`${res.min_gpus} × ${gpu}`, `the fewest with ${esc(SHARDING[sharding] || sharding)}` +
      (res.recommended_sharding && (res.recommended_sharding !== sharding || res.recommended_gpus !== res.min_gpus)
        ? `; recommended: ${esc(SHARDING[res.recommended_sharding] || res.recommended_sharding)} on ${res.recommended_gpus}` : '')];
  } else if (res.recommended_gpus > 0) {
    gpus = [`${res.recommended_gpus} × ${gpu}`, `with ${esc(SHARDING[res.recommended_sharding] || res.recommended_sharding)}; ${esc(SHARDING[sharding] || sharding)} keeps too much on each GPU for any count`];
  } else {
    gpus = ['no count of this GPU', 'holds it, even sharded: try LoRA, QLoRA, checkpointing or a larger GPU'];
  }
  facts.push(['GPUs needed', ...gpus, ' data-fact="gpus"']);
  // Time and cost.
  const t = res.time, c = res.cost;
  if (t && t.tokens > 0) {
    facts.push(['Time', `${num(t.gpu_hours, 0)} GPU-hours`, `${hours(t.wall_hours)} on ${n} GPU${n > 1 ? 's' : ''}: ${count(t.tokens)} tokens × ${count(t.flops_per_token)} FLOPs each at ${pct(t.mfu)} of ${num(t.peak_tflops, 0)} TFLOPS`, ' data-fact="time"']);
    facts.push(['Cost', c.usd > 0 ? `$${num(c.usd, 0)}` : 'no price', c.usd_per_gpu_hour > 0
      ? `at $${c.usd_per_gpu_hour.toFixed(2)} per GPU-hour${c.price_from_catalog ? ' (typical cloud price of this GPU)' : ''}` : 'give a price per GPU-hour', ' data-fact="cost"']);
  } else {
    facts.push(['Time and cost', '—', 'give the tokens to train on (e.g. 100M) for hours and dollars', ' data-fact="cost"']);
  }
  // Power against the wall outlet.
  const p = res.power;
  if (p && p.known) {
    const warn = p.trips_outlet || p.over_continuous_limit;
    facts.push(['Power', `${num(p.watts, 0)} W`, `${num(p.gpu_watts, 0)} W of GPUs + ${num(p.host_watts, 0)} W host; ${p.trips_outlet ? 'trips' : warn ? 'over the continuous limit of' : 'fine on'} a ${num(p.outlet_watts, 0)} W outlet`,
      ` data-fact="power"${warn ? ' class="warn"' : ''}`]);
  }
  return factGrid(facts, 'training');
}

function powerWarning(res) {
  const p = res.power;
  if (!p || !p.known) return '';
  if (p.trips_outlet) {
    return `<p class="alert" role="alert" data-power="trips">⚠ <strong>This trips the wall outlet:</strong> ${num(p.watts, 0)} W against a ${num(p.outlet_watts, 0)} W circuit. ` +
      'Spread the GPUs over separate circuits, cap their power, or use a 240 V / datacenter supply.</p>';
  }
  if (p.over_continuous_limit) {
    return `<p class="alert" data-power="continuous">⚠ <strong>Over the outlet's continuous limit:</strong> ${num(p.watts, 0)} W for hours against ${num(p.continuous_limit_watts, 0)} W (80% of ${num(p.outlet_watts, 0)} W).</p>`;
  }
  return '';
}

function trainingBody(res) {
  const o = res.options || {};
  const what = `${METHOD[o.method] || o.method}, ${esc(o.optimizer)}, ${esc(o.precision)}, micro-batch ${o.batch} × ${num(o.seq, 0)} tokens, checkpointing ${esc(o.checkpointing)}` +
    (o.method !== 'full' && o.lora_rank ? `, rank ${o.lora_rank} on ${esc(o.lora_targets)}` : '') + (o.offload_optimizer ? ', optimizer offloaded to CPU' : '');
  const host = res.memory.host_bytes > 0 ? `<p class="muted">In CPU RAM as well: ${bytes(res.memory.host_bytes)}.</p>` : '';
  return `<p class="muted setup">${what}.</p>${bar(res)}${host}${powerWarning(res)}${trainingFacts(res)}`;
}

/** Called once by the page with what it shares; returns the view. */
export function install(deps) {
  ({ bytes, bar, factGrid } = deps);
  return { FORM, body: trainingBody, stateFromAnswer };
}
