// The native CLI and the WebAssembly module must give identical numbers: over the whole catalog
// (every model x format x device), and field for field on a set of full answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { load, loadFull } from '../../web/dist/willitfit.mjs';

const BIN = process.env.WILLITFIT_BIN || new URL('../../build/willitfit', import.meta.url).pathname;
const native = (...args) => JSON.parse(execFileSync(BIN, args, { maxBuffer: 1 << 30 }).toString());
const wif = await load();       // the page's core: answers through answer_page
const full = await loadFull();  // the full module: its own ask/estimate and the sweep

test('the page\'s core has no sweep of its own and says which module has it', () => {
  assert.equal(wif.sweep(4096).error.code, 'module_needed');
});

test('every model x format x device gets the same verdict, bytes and layers in wasm and natively', () => {
  const w = full.sweep(4096, true);
  const n = native('sweep', '--json');
  assert.deepEqual(w.models, n.models);
  assert.deepEqual(w.devices, n.devices);
  assert.deepEqual(w.counts, n.counts);
  assert.equal(w.rows.length, n.rows.length);
  assert.equal(w.rows.length, w.models.length * w.quants.length * w.devices.length);
  for (let i = 0; i < w.rows.length; i++) {
    if (w.rows[i].join() !== n.rows[i].join()) assert.fail(`row ${i}: wasm ${w.rows[i]} native ${n.rows[i]}`);
  }
});

test('full answers match field for field', () => {
  const requests = [
    ['--model', 'llama-3.1-8b', '--quant', 'Q4_K_M', '--device', 'rtx-4060', '--ctx', '32768'],
    ['--model', 'mixtral-8x7b', '--quant', 'fp16', '--device', 'apple-m2-ultra-192gb'],
    ['--model', 'deepseek-v3', '--quant', 'IQ1_S', '--device', 'h200', '--count', '2'],
    ['--model', 'gemma-3-27b', '--quant', 'Q4_K_M', '--memory', '24GB', '--ctx', '32768', '--kv-type', 'q8_0'],
    ['--model', 'gpt-oss-120b', '--device', 'h100-sxm', '--engine', 'vllm'],
    ['--params', '13B', '--quant', 'nf4', '--device', 'rtx-3060-12gb'],
    ['--model', 'qwen3-30b-a3b', '--quant', 'exl2:4.65', '--device', 'rtx-4090', '--units', 'gib'],
  ];
  const flag = { '--model': 'model', '--quant': 'quant', '--device': 'device', '--ctx': 'ctx', '--count': 'count',
    '--memory': 'memory', '--kv-type': 'kv_type', '--engine': 'engine', '--params': 'params', '--units': 'units' };
  for (const args of requests) {
    const req = {};
    for (let i = 0; i < args.length; i += 2) req[flag[args[i]]] = ['ctx', 'count'].includes(flag[args[i]]) ? Number(args[i + 1]) : args[i + 1];
    const n = native('infer', ...args, '--json');
    assert.deepEqual(wif.estimate(req), n, `core: ${args.join(' ')}`);
    assert.deepEqual(full.estimate(req), n, `full: ${args.join(' ')}`);
  }
  // The solver's setups on the page are `willitfit fit --json`'s.
  const more = wif.answer_page('estimate', { model: 'llama-3.3-70b', quant: 'Q4_K_M', device: 'rtx-4090' }, { points: 4 });
  assert.deepEqual(more.setups, native('fit', '--model', 'llama-3.3-70b', '--quant', 'Q4_K_M', '--device', 'rtx-4090', '--json'));
  for (const q of ['7B fp16 on an 8GB RTX 4060?', 'mixtral 8x7b int4 on m2 ultra 192gb', 'gemma 3 27b at 32k context on a 24GB card',
    'how much memory does llama 3.1 70b need', 'llama 3.3 70b q4_k_m on a 4090']) {
    const n = native('ask', q, '--json');
    assert.deepEqual(wif.ask(q), n, `core: ${q}`);
    assert.deepEqual(full.ask(q), n, `full: ${q}`);
  }
});

// The page's core reads requests into its own small JSON value (LiteJson) and the full module into
// nlohmann::json: the same request, valid or not, must get the same answer or the same error.
test('the page\'s core reads every request as the full module does, errors included', () => {
  const requests = [
    { model: 'llama-3.1-8b', quant: 'Q4_K_M', device: 'rtx-4060', ctx: '32k', batch: 2, flash_attn: true },
    { model: 'llama-3.1-8b', device: 'rtx-4090', flash_attn: false, kv_type: 'q8_0', n_cpu_moe: 'all' },
    { model: 'qwen3-30b-a3b', quant: 'Q4_K_M', memory: '16 GB', ram: 64, n_cpu_moe: 12, ngl: 20 },
    { params: '13B', memory: 24.5, device_kind: 'unified', reserve: '512MB', units: 'GiB' },
    { params: 7e9, memory: '1.5TB', count: 2, ubatch: 1024, prompt: '4k', depth: 2048 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', intent: 'speed', bandwidth_efficiency: 0.6, compute_efficiency: 0.5 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', count: 65 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', count: 2.5 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', count: '2' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', ctx: -1 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', ctx: 1e300 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', gpu_memory_utilization: 0 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', memory: -3 },
    { model: 'llama-3.1-8b', device: 'rtx-4090', memory: '24 parsecs' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', units: 'bytes' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', intent: 'dance' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', n_cpu_moe: 'some' },
    { model: 42, device: 'rtx-4090' },
    { model: 'llama-3.1-8b', device: ['rtx-4090'] },
    { model: 'llama-3.1-8b', device: 'rtx-4090', training: 'qlora' },
    { params: 'seven', device: 'rtx-4090' },
    { params: 5e12, device: 'rtx-4090' },
    { params: true, device: 'rtx-4090' },
    { model: 'llama-3.1-8b', params: '8B', device: 'rtx-4090' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', hf_config: 7 },
    { model: 'no-such-model', device: 'rtx-4090' },
    { model: 'llama-3.1-8b', device: 'no-such-card' },
    { model: 'llama-3.1-8b', device: 'rtx-4090', quant: 'gptq:4:128', ctx: null, unknown_key: { nested: [1, 2] } },
    {},
  ];
  for (const req of requests) {
    const core = wif.estimate(req);
    assert.deepEqual(core, full.estimate(req), JSON.stringify(req));
  }
  // What the page's core leaves to the full module it says so, rather than answering otherwise.
  for (const req of [
    { model: 'llama-3.1-8b', device: 'rtx-4090', intent: 'training', training: { method: 'qlora' } },
    { hf_config: { model_type: 'llama' }, device: 'rtx-4090' },
  ]) {
    assert.equal(wif.estimate(req).error.code, 'module_needed', JSON.stringify(req));
  }
});
