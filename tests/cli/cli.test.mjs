// The willitfit command-line contract: commands, flags, --json output, errors and exit codes.
// Run by ctest with WILLITFIT_BIN pointing at the built binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.WILLITFIT_BIN || new URL('../../build/willitfit', import.meta.url).pathname;
const CATALOGS = new URL('../../catalogs/', import.meta.url).pathname;

function run(...args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) };
}

test('ask answers the quiz question: 7B fp16 does not fit an 8 GB RTX 4060', () => {
  const r = run('ask', '7B fp16 on an 8GB RTX 4060?', '--json');
  assert.equal(r.status, 0);
  const a = r.json();
  assert.equal(a.verdict, 'does_not_fit');
  assert.equal(a.memory.weights_bytes, 14e9);
  assert.match(a.explanation[0], /7B parameters x 2 bytes \(fp16\) = 14 GB of weights/);
  assert.equal(a.question.request.params, 7e9);
});

test('ask prints the verdict and the arithmetic for people', () => {
  const r = run('ask', '13B on a 4090');
  assert.equal(r.status, 0);
  assert.match(r.out, /^Understood:/);
  assert.match(r.out, /Does not fit/);
  assert.match(r.out, /13B parameters x 2 bytes \(fp16\) = 26 GB of weights/);
  assert.match(r.out, /Assumptions:/);
});

test('infer --json carries the contract fields, bytes as exact integers', () => {
  const r = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4060', '--ctx', '8k', '--json');
  assert.equal(r.status, 0);
  const a = r.json();
  for (const k of ['weights_bytes', 'kv_cache_bytes', 'compute_bytes', 'overhead_bytes', 'total_bytes']) {
    assert.ok(Number.isInteger(a.memory[k]), k);
  }
  for (const k of ['usable_bytes', 'device_bytes', 'total_layers', 'gpu_layers']) assert.ok(Number.isInteger(a[k]), k);
  assert.equal(a.verdict, 'fits');
  assert.equal(a.ctx, 8192);
  assert.equal(a.memory.kv_cache_bytes, 32 * 8 * 128 * 2 * 2 * 8192);
  assert.ok(Array.isArray(a.explanation) && a.explanation.length > 2);
});

test('infer takes a parameter count, a bare memory size, counts and cache types', () => {
  const a = run('infer', '--params', '70B', '--quant', 'Q4_K_M', '--memory', '24GB', '--count', '2', '--kv-type', 'q8_0', '--json').json();
  assert.equal(a.ok, true);
  assert.equal(a.device.count, 2);
  assert.equal(a.usable_bytes, 2 * 24 * 2 ** 30);
  assert.equal(a.kv_type, 'q8_0');
  assert.match(a.model.assumed_shape, /Llama-3.1-70B/);
});

test('infer reads a config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wif-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ model_type: 'qwen2', vocab_size: 152064, hidden_size: 3584, intermediate_size: 18944,
    num_hidden_layers: 28, num_attention_heads: 28, num_key_value_heads: 4, tie_word_embeddings: false, max_position_embeddings: 32768 }));
  const a = run('infer', '--hf-config', config, '--device', 'rtx-4090', '--json').json();
  assert.equal(a.ok, true);
  assert.equal(a.model.params, 7615616512);  // Qwen2.5-7B, as its model card lists it
});

test('list prints the catalogs, with --json too', () => {
  const models = run('list', 'models', '--json').json().models;
  assert.ok(models.length >= 60);
  assert.ok(models.some((m) => m.id === 'llama-3.1-8b'));
  assert.ok(run('list', 'devices', '--json').json().devices.length >= 100);
  assert.match(run('list', 'quants').out, /Q4_K_M/);
});

test('unknown names fail with candidates and a non-zero status, as JSON with --json', () => {
  const r = run('infer', '--model', 'llama 3.1 80b', '--device', 'rtx-4090', '--json');
  assert.equal(r.status, 1);
  const e = r.json();
  assert.equal(e.error.code, 'unknown_model');
  assert.match(e.error.message, /did you mean/);
  const d = run('infer', '--model', 'llama-3.1-8b', '--device', 'rtx 9090');
  assert.equal(d.status, 1);
  assert.match(d.err, /unknown device "rtx 9090"/);
});

test('negative and absurd numbers are refused with a message that names the flag', () => {
  for (const [flag, value] of [['--ctx', '-5'], ['--ctx', 'lots'], ['--count', '0'], ['--count', '1000'], ['--batch', '-1'], ['--gpu-util', '2']]) {
    const r = run('infer', '--model', 'llama-3.1-8b', '--device', 'rtx-4090', flag, value, '--json');
    assert.notEqual(r.status, 0, `${flag} ${value}`);
    assert.match(r.json().error.message, new RegExp(flag.replace(/^--/, '')), `${flag} ${value}`);
  }
  const m = run('infer', '--model', 'llama-3.1-8b', '--memory', '-8GB', '--json');
  assert.equal(m.status, 1);
  assert.equal(m.json().error.code, 'invalid_size');
});

test('usage errors exit with 2', () => {
  assert.equal(run('fly').status, 2);
  assert.equal(run('infer', '--model').status, 2);
  assert.equal(run('infer', '--nonsense', 'x').status, 2);
  assert.equal(run('ask').status, 2);
  assert.equal(run('list', 'planets').status, 2);
  const j = run('infer', '--model', 'llama-3.1-8b', '--device', 'rtx-4090', '--ctx', '8192', '--ctx', '4096', '--json');
  assert.equal(j.status, 2);
  assert.equal(j.json().error.code, 'usage');
  assert.equal(run('--help').status, 0);
});

test('a malformed catalog file is reported by name and position, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wif-'));
  for (const f of ['models.json', 'devices.json', 'quants.json']) writeFileSync(join(dir, f), readFileSync(join(CATALOGS, f)));
  writeFileSync(join(dir, 'devices.json'), '{"schema_version": 1, "catalog": "devices", "devices": [ {"id": "x",');
  const r = run('list', 'devices', '--catalog-dir', dir, '--json');
  assert.equal(r.status, 1);
  assert.match(r.json().error.message, /devices\.json: not valid JSON at line 1/);
  const missing = run('list', 'models', '--catalog-dir', join(dir, 'nowhere'));
  assert.equal(missing.status, 1);
  assert.match(missing.err, /catalog: cannot read/);
});

test('hostile questions get errors, never a crash', () => {
  for (const q of ['', '\u0001\u0002', 'x'.repeat(5000), '99999999999999999999B on a 4090', '7B on a 0GB card', '🦙 on 💻']) {
    const r = run('ask', q, '--json');
    assert.ok(r.status === 0 || r.status === 1, JSON.stringify(q).slice(0, 40));
    JSON.parse(r.out);
  }
});

test('sweep covers every model x format x device', () => {
  const r = run('sweep', '--json');
  assert.equal(r.status, 0);
  const s = r.json();
  assert.equal(s.rows.length, s.models.length * s.quants.length * s.devices.length);
});

// ---- One pipeline for every question: the intent decides what is answered --------------------

test('a fine-tuning question is answered as training, never as inference', () => {
  const a = run('ask', 'can I fine-tune llama 3 8b with qlora on a 3060 12gb', '--json').json();
  assert.equal(a.intent, 'training');
  assert.equal(a.question.intent, 'training');
  assert.equal(a.options.method, 'qlora');
  // Training keys, not inference ones: gradients and optimizer states, no KV cache.
  assert.ok(a.memory.gradients_bytes > 0);
  assert.equal(a.memory.kv_cache_bytes, undefined);
  assert.ok(a.trainable_params > 0 && a.trainable_params < a.total_params);
});

test('train --json carries the contract fields; Llama 2 7B pretraining costs what the paper says', () => {
  // Llama 2 paper, Table 2: 184,320 A100-80GB GPU-hours for 7B on 2T tokens. At 6 x 6.74B x 2T
  // FLOPs and 312 TFLOPS dense bf16, that is an MFU of 0.39; at $33 per 8-GPU hour ($4.125 per GPU).
  const r = run('train', '--model', 'llama-2-7b', '--method', 'full', '--device', 'a100-80gb-sxm', '--count', '8',
    '--zero', '3', '--tokens', '2T', '--mfu', '0.39', '--price', '4.125', '--json');
  assert.equal(r.status, 0, r.err);
  const a = r.json();
  for (const k of ['weights_bytes', 'gradients_bytes', 'optimizer_bytes', 'activations_bytes', 'overhead_bytes', 'total_bytes']) {
    assert.equal(typeof a.memory[k], 'number', k);
  }
  assert.ok(Array.isArray(a.memory.items) && a.memory.items.length > 0);
  assert.ok(Math.abs(a.time.gpu_hours - 184320) / 184320 < 0.01, `gpu_hours ${a.time.gpu_hours}`);
  assert.ok(Math.abs(a.cost.usd - 760000) / 760000 < 0.01, `usd ${a.cost.usd}`);
  assert.equal(typeof a.min_gpus, 'number');
  assert.equal(typeof a.power.watts, 'number');
  assert.ok(a.explanation.length > 0);
});

test('speed, device-count and what-fits questions get their own answers', () => {
  const speed = run('ask', 'how fast is llama 3.1 8b q4_k_m on a 4090', '--json').json();
  assert.equal(speed.intent, 'speed');
  assert.ok(speed.tokens_per_second.decode > 0 && speed.tokens_per_second.prefill > 0);
  assert.match(speed.headline, /tokens\/s/);
  const count = run('ask', 'how many 4090s do I need for llama 3.1 70b q4_k_m', '--json').json();
  assert.equal(count.intent, 'device_count');
  assert.equal(count.devices_needed, 2);  // 42.5 GB of weights: more than one 24 GB card, less than two
  const fits = run('ask', 'what can I run on an rtx 4090', '--json').json();
  assert.equal(fits.intent, 'what_fits');
  assert.ok(fits.models.length > 50);
  assert.equal(fits.models[0].verdict, 'fits');
});

test('fit ranks setups by speed and serve sizes the vLLM KV budget', () => {
  const fit = run('fit', '--model', 'llama-3.3-70b', '--device', 'rx-7600-xt', '--ram', '64GB', '--json').json();
  assert.ok(fit.setups.length > 3);
  assert.ok(fit.best >= 0);
  for (let i = 1; i < fit.setups.length; i++) {
    assert.ok(fit.setups[i - 1].tokens_per_second.decode >= fit.setups[i].tokens_per_second.decode);
  }
  const serve = run('serve', '--model', 'llama-3.1-8b', '--device', 'h100-sxm', '--json').json();
  assert.equal(serve.intent, 'serving');
  assert.ok(serve.serving.kv_budget_bytes > 0 && serve.serving.max_concurrency > 1);
});

test('fit proposes --n-cpu-moe for a mixture of experts, and infer agrees with the setup it names', () => {
  const args = ['--model', 'qwen3-30b-a3b', '--quant', 'Q4_K_M', '--device', 'rtx-2080', '--ctx', '4096', '--ram', '64GB'];
  const fit = run('fit', ...args, '--json').json();
  const x = fit.setups.find((s) => s.quant === 'Q4_K_M' && s.n_cpu_moe > 0);
  assert.ok(x, 'a Q4_K_M setup with experts in RAM');
  assert.equal(x.engine, 'llama.cpp');
  assert.equal(x.gpu_layers, x.total_layers);
  assert.ok(fit.setups.every((s) => Number.isInteger(s.n_cpu_moe)));
  // The setup, run as infer: every layer on the GPU with that N, some left in RAM with one fewer.
  const at = run('infer', ...args, '--kv-type', x.kv_type, '--n-cpu-moe', String(x.n_cpu_moe), '--json').json();
  assert.equal(at.verdict, 'fits');
  assert.equal(at.gpu_layers, at.total_layers);
  const fewer = run('infer', ...args, '--kv-type', x.kv_type, '--n-cpu-moe', String(x.n_cpu_moe - 1), '--json').json();
  assert.notEqual(fewer.verdict, 'fits');
  assert.match(run('fit', ...args).out, new RegExp(`--n-cpu-moe ${x.n_cpu_moe} \\(experts of ${x.n_cpu_moe} layers in RAM\\)`));
});

test('files named on the command line are read with a limit', () => {
  const r = run('infer', '--hf-config', '/dev/zero', '--device', 'rtx-4090', '--json');
  assert.equal(r.status, 1);
  assert.equal(r.json().error.code, 'file_too_large');
  const i = run('inspect', '/dev/null', '--json');
  assert.equal(i.status, 1);
  assert.equal(i.json().ok, false);
});

test('validate predicts the validation set within each category threshold', () => {
  const points = new URL('../validation/points.json', import.meta.url).pathname;
  const r = run('validate', '--points', points, '--json');
  assert.equal(r.status, 0, r.err);
  const v = r.json();
  assert.ok(v.predicted >= 200);
  for (const c of v.categories) assert.ok(c.ok, `${c.category}: median ${c.median_abs_error} over ${c.threshold}`);
  const byName = Object.fromEntries(v.categories.map((c) => [c.category, c]));
  assert.ok(byName.inference_total.count >= 15, 'at least 15 inference totals');
  assert.ok(byName.offload_layers.count >= 8, 'at least 8 layer counts');
  assert.equal(byName.offload_layers.error_unit, 'layers');
  assert.equal(typeof byName.inference_total.target_met, 'boolean');
  // --bands prints the band table as the C++ rows of src/core/advice/bands.cpp.
  const bands = run('validate', '--points', points, '--bands');
  assert.equal(bands.status, 0, bands.err);
  assert.match(bands.out, /constexpr BandRow kBandTable\[\] = \{\n    \{"inference_total", "\*", \d+, [0-9.]+\},/);
});

test('answers carry error bands in JSON and in words, and a close call says borderline', () => {
  const a = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4090', '--json').json();
  assert.equal(a.borderline, false);
  assert.equal(a.memory.band.value_bytes, a.memory.gpu_bytes);
  assert.ok(a.memory.band.low_bytes < a.memory.band.value_bytes && a.memory.band.value_bytes < a.memory.band.high_bytes);
  assert.ok(a.tokens_per_second.decode_band.low < a.tokens_per_second.decode);
  const text = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4090');
  assert.match(text.out, /needs [0-9.]+ GB ± [0-9.]+%/);
  assert.match(text.out, /needed on the GPU, likely +[0-9.]+ GB to [0-9.]+ GB {2}\(error band ± [0-9.]+%\)/);
  assert.match(text.out, /tokens\/s \(likely [0-9.]+ to [0-9.]+\) decoding/);
  // 24,000 tokens of cache put Llama 3.1 8B within 2% of an 8 GB card's 8.59 GB.
  const close = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4060', '--ctx', '24000', '--json').json();
  assert.equal(close.borderline, true);
  assert.match(close.headline, /^Borderline \(fits by the estimate\)/);
  assert.match(close.borderline_reason, /straddles/);
  const closeText = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4060', '--ctx', '24000');
  assert.match(closeText.out, /^Borderline/);
  assert.match(closeText.out, /Borderline: the memory needed on the GPU may lie anywhere from/);
});

test('--engine-version picks an older engine\'s memory rule and the answer names it', () => {
  const args = ['infer', '--model', 'llama-3.1-8b', '--quant', 'F16', '--device', 'apple-m1-pro-32gb', '--engine', 'llama.cpp',
    '--flash-attn', 'off', '--ctx', '31072', '--json'];
  const now = run(...args).json();
  const then = run(...args, '--engine-version', 'llama.cpp-2025.10').json();
  assert.equal(now.engine_version, 'latest');
  assert.equal(then.engine_version, 'llama.cpp-2025.10');
  assert.equal(then.memory.kv_cache_bytes, 3884 * 1048576);  // "KV self size = 3884.00 MiB" (31072 cells)
  assert.equal(now.memory.kv_cache_bytes, 31232 * 131072);    // padded to 256 cells
  assert.ok(now.assumptions.some((s) => s.includes('PR #17046')));
  const bad = run('infer', '--model', 'llama-3.1-8b', '--device', 'rtx-4090', '--engine-version', 'nope', '--json');
  assert.equal(bad.status, 1);
  assert.equal(bad.json().error.code, 'unknown_engine_version');
});

test('-ngl places exactly that many layers, and too many is an error of memory, not a guess', () => {
  const at = (n) => run('infer', '--model', 'llama-3.3-70b', '--quant', 'Q4_K_M', '--device', 'rx-7600-xt', '--ram', '64GB',
    '--ngl', String(n), '--json').json();
  assert.equal(at(20).gpu_layers, 20);
  assert.equal(at(20).verdict, 'fits_with_offload');
  assert.equal(at(60).verdict, 'does_not_fit');  // 60 of 80 blocks of a 42 GB model cannot sit in 16 GB
});

test('infer --n-cpu-moe keeps the experts of the first N layers in system RAM (llama.cpp only, MoE only)', () => {
  const at = (...extra) => run('infer', '--model', 'qwen3-30b-a3b', '--quant', 'Q4_K_M', '--device', 'rtx-2080', '--ram', '64GB',
    ...extra, '--json');
  const none = at().json();
  const some = at('--n-cpu-moe', '20').json();
  const experts = some.memory.items.find((i) => i.key === 'moe_experts_cpu');
  assert.ok(experts, 'an item for the experts in system RAM');
  assert.equal(experts.location, 'host');
  assert.match(experts.label, /first 20 layers, --n-cpu-moe/);
  assert.equal(some.memory.gpu_bytes, none.memory.gpu_bytes - experts.bytes);
  assert.equal(some.memory.host_bytes, none.memory.host_bytes + experts.bytes);
  assert.equal(none.memory.items.find((i) => i.key === 'moe_experts_cpu'), undefined);
  // Every layer's experts in RAM: the 18 GB model runs with all 49 layers on the 8 GB card.
  const all = at('--n-cpu-moe', 'all').json();
  assert.equal(all.verdict, 'fits');
  assert.equal(all.gpu_layers, 49);
  assert.ok(all.speed.parts.some((p) => p.where === 'system_ram' && /n-cpu-moe/.test(p.label)));
  assert.deepEqual(at('--n-cpu-moe', '-1').json().memory, all.memory);
  assert.equal(at('--n-cpu-moe', 'some').status, 1);
  // Other engines have no such option; a dense model is told it does nothing.
  const vllm = run('infer', '--model', 'qwen3-30b-a3b', '--device', 'h100-sxm', '--engine', 'vllm', '--n-cpu-moe', '4', '--json');
  assert.equal(vllm.status, 1);
  assert.equal(vllm.json().error.code, 'unsupported_option');
  const dense = run('infer', '--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4060', '--n-cpu-moe', '4', '--json').json();
  assert.ok(dense.warnings.some((w) => /not a mixture of experts/.test(w)));
});

test('the issue seed: Llama 3.3 70B on a 16 GB RX 7600 XT with 64 GB DDR4-3200 under ollama', () => {
  // Measured (issue 8): Q4_K_M 27/81 layers, about 1.34 tokens/s (0.99 on the CPU alone);
  // Q2_K 46/81 layers, about 2.42 tokens/s. Layers within 2, speed within 30%.
  const at = (quant) => run('infer', '--model', 'llama-3.3-70b', '--quant', quant, '--device', 'rx-7600-xt', '--ram', '64GB',
    '--engine', 'ollama', '--ram-bandwidth', '51.2', '--json').json();
  const q4 = at('Q4_K_M');
  assert.equal(q4.total_layers, 81);
  assert.ok(Math.abs(q4.gpu_layers - 27) <= 2, `Q4_K_M layers ${q4.gpu_layers}`);
  assert.ok(Math.abs(q4.tokens_per_second.decode / 1.34 - 1) <= 0.3, `Q4_K_M ${q4.tokens_per_second.decode} t/s`);
  assert.ok(Math.abs(q4.speed.cpu_only_decode_tps / 0.99 - 1) <= 0.3);
  const q2 = at('Q2_K');
  assert.ok(Math.abs(q2.gpu_layers - 46) <= 2, `Q2_K layers ${q2.gpu_layers}`);
  assert.ok(Math.abs(q2.tokens_per_second.decode / 2.42 - 1) <= 0.3, `Q2_K ${q2.tokens_per_second.decode} t/s`);
});

test('fit --gguf sizes the model in the file, not the catalog', (t) => {
  const dump = new URL('../../build/tests/gguf_dump', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'wif-gguf-'));
  const made = spawnSync(dump, ['--write-corpus', dir]);
  if (made.status !== 0) return t.skip('no gguf_dump built');
  const fit = run('fit', '--gguf', join(dir, 'llama-q4_k_m.gguf'), '--device', 'rtx-4090', '--json');
  assert.equal(fit.status, 0, fit.err);
  const a = fit.json();
  assert.equal(a.intent, 'fit');  // not "what runs on this device": the file names the model
  assert.ok(a.setups.length > 0);
});

// A tiny Llama checkpoint in two safetensors shards with its index and config.json, as
// transformers' save_pretrained writes them. Hand count (BF16, 2 bytes a parameter): embeddings and
// lm_head 32 x 16 = 512 each; per layer q/k/v/o 4 x 16 x 16 = 1,024, gate/up/down 3 x 32 x 16 =
// 1,536, two norms 32, so 2,592; two layers 5,184; final norm 16: 6,224 parameters, 12,448 bytes.
function shardedLlama() {
  const dir = mkdtempSync(join(tmpdir(), 'wif-st-'));
  const layer = (i) => [
    ...['q', 'k', 'v', 'o'].map((p) => [`model.layers.${i}.self_attn.${p}_proj.weight`, [16, 16]]),
    [`model.layers.${i}.mlp.gate_proj.weight`, [32, 16]], [`model.layers.${i}.mlp.up_proj.weight`, [32, 16]],
    [`model.layers.${i}.mlp.down_proj.weight`, [16, 32]],
    [`model.layers.${i}.input_layernorm.weight`, [16]], [`model.layers.${i}.post_attention_layernorm.weight`, [16]],
  ];
  const shards = [
    [['model.embed_tokens.weight', [32, 16]], ...layer(0)],
    [...layer(1), ['model.norm.weight', [16]], ['lm_head.weight', [32, 16]]],
  ];
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const weight_map = {};
  shards.forEach((tensors, s) => {
    const header = {};
    let at = 0;
    for (const [name, shape] of tensors) {
      const bytes = shape.reduce((a, b) => a * b, 1) * 2;
      header[name] = { dtype: 'BF16', shape, data_offsets: [at, at + bytes] };
      at += bytes;
      weight_map[name] = names[s];
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(join(dir, names[s]), Buffer.concat([len, json, Buffer.alloc(at)]));
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 12448 }, weight_map }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 32,
    num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 2048, torch_dtype: 'bfloat16' }));
  return { dir, names };
}

test('--safetensors with the index reads every shard it names and the config.json beside it', () => {
  const { dir } = shardedLlama();
  const r = run('inspect', join(dir, 'model.safetensors.index.json'), '--json');
  assert.equal(r.status, 0, r.err);
  const f = r.json();
  assert.equal(f.params, 6224);
  assert.equal(f.weight_bytes, 12448);
  assert.equal(f.arch_known, true);  // from config.json in the same folder
  const a = run('infer', '--safetensors', join(dir, 'model.safetensors.index.json'), '--device', 'rtx-4090', '--json');
  assert.equal(a.status, 0, a.err);
  assert.equal(a.json().verdict, 'fits');
});

test('one shard alone is read, and the answer says the other shard is missing', () => {
  const { dir, names } = shardedLlama();
  const f = run('inspect', join(dir, names[0]), '--json').json();
  assert.equal(f.weight_bytes, (512 + 2592) * 2);
  assert.ok(f.notes.some((n) => /1 of the 2 shards/.test(n)), f.notes.join(' | '));
});

test('a shard the index names but the folder lacks is a clear error', () => {
  const { dir, names } = shardedLlama();
  writeFileSync(join(dir, names[1]), '');  // emptied: not a safetensors file any more
  const r = run('inspect', join(dir, 'model.safetensors.index.json'), '--json');
  assert.notEqual(r.status, 0);
  assert.match(r.json().error.message, /model-00002-of-00002\.safetensors/);
});

test('any part of a split GGUF brings the other parts, as llama.cpp loads them', (t) => {
  const dump = new URL('../../build/tests/gguf_dump', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'wif-split-'));
  if (spawnSync(dump, ['--write-corpus', dir]).status !== 0) return t.skip('no gguf_dump built');
  const merged = run('inspect', join(dir, 'split-00002-of-00003.gguf'), '--json').json();
  assert.ok(merged.notes.some((n) => /3 parts read and merged/.test(n)), merged.notes.join(' | '));
  const two = run('inspect', join(dir, 'split-00001-of-00003.gguf'), join(dir, 'split-00002-of-00003.gguf'), '--json');
  assert.notEqual(two.status, 0);
  assert.match(two.json().error.message, /missing part\(s\) 3/);
  const withProjector = run('inspect', join(dir, 'llama-q4_k_m.gguf'), join(dir, 'mmproj.gguf'), '--json').json();
  assert.ok(withProjector.mmproj_bytes > 0);
  // A GGUF without general.file_type (16-bit tensors) still runs on llama.cpp, not as a transformers checkpoint.
  const a = run('infer', '--gguf', join(dir, 'split-00001-of-00003.gguf'), '--device', 'rtx-4090', '--json').json();
  assert.equal(a.engine, 'llama.cpp');
});

test('a model and no device is answered with what it needs and the smallest devices that hold it', () => {
  const r = run('ask', 'how much memory does llama 3.1 70b need', '--json');
  assert.equal(r.status, 0, r.err);
  const a = r.json();
  assert.equal(a.intent, 'sizes');
  assert.deepEqual(a.sizes.map((s) => s.quant), ['bf16', 'Q8_0', 'Q4_K_M']);
  // 70.6B parameters: bf16 weights are about 141 GB, Q4_K_M's about 4.8 bits a weight about 42 GB.
  assert.ok(Math.abs(a.sizes[0].weights_bytes / 141.1e9 - 1) < 0.02, `bf16 weights ${a.sizes[0].weights_bytes}`);
  assert.ok(a.sizes[2].weights_bytes < a.sizes[1].weights_bytes && a.sizes[1].weights_bytes < a.sizes[0].weights_bytes);
  for (const s of a.sizes) {
    assert.ok(s.smallest.length > 0 && s.smallest[0].kind === 'gpu', s.quant);
    assert.ok(s.smallest[0].gpu_bytes <= s.smallest[0].usable_bytes, s.quant);
  }
  // A named format comes first.
  assert.equal(run('ask', 'qwen2.5 7b q6_k', '--json').json().sizes[0].quant, 'Q6_K');
});
