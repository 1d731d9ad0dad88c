// The full module (training and serving) through the façade's loadFull(), under Node: the same
// numbers as the native CLI, and the core's "module_needed" answer that sends the page to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { load, loadFull, needsFull } from '../../web/dist/willitfit.mjs';

const BIN = process.env.WILLITFIT_BIN || new URL('../../build/willitfit', import.meta.url).pathname;
const native = (...args) => JSON.parse(execFileSync(BIN, args, { maxBuffer: 1 << 30 }).toString());
const core = await load();
const full = await loadFull();

test('the core leaves training and serving to the full module, which answers them', () => {
  assert.equal(core.module, 'core');
  assert.equal(full.module, 'full');
  const q = 'can I QLoRA llama 3 70b on two 4090s?';
  const page = core.answer_page('ask', q);
  assert.equal(page.answer.error.code, 'module_needed');
  assert.ok(needsFull(page));
  assert.ok(needsFull(core.ask(q)));
  const a = full.answer_page('ask', q).answer;
  assert.equal(a.ok, true);
  assert.equal(a.intent, 'training');
  assert.equal(needsFull(a), false);
  assert.deepEqual(full.ask(q), native('ask', q, '--json'));
  // Inference answers are the same in both modules.
  const r = { model: 'llama-3.1-8b', quant: 'Q4_K_M', device: 'rtx-4090' };
  assert.deepEqual(full.estimate(r), core.estimate(r));
  assert.ok(core.estimate(r).tokens_per_second.decode > 0);
});

test('a model given by its config.json: the core sends it to the full module, which checks and answers it', () => {
  const config = { model_type: 'llama', vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32,
    num_attention_heads: 32, num_key_value_heads: 32, max_position_embeddings: 4096, torch_dtype: 'float16' };
  const r = { hf_config: config, quant: 'Q4_K_M', device: 'rtx-4060' };
  assert.ok(needsFull(core.estimate(r)));
  const a = full.estimate(r);
  assert.equal(a.ok, true, JSON.stringify(a.error));
  // Llama-2-7B's shape: the same weights as the catalog's llama-2-7b.
  assert.equal(a.memory.weights_bytes, full.estimate({ model: 'llama-2-7b', quant: 'Q4_K_M', device: 'rtx-4060' }).memory.weights_bytes);
  assert.equal(full.estimate({ ...r, hf_config: { ...config, hidden_size: -5 } }).ok, false);
  assert.equal(full.estimate({ ...r, hf_config: '['.repeat(100000) }).ok, false);
});

test('a training request gives the numbers of `willitfit train ... --json`', () => {
  const req = { intent: 'training', model: 'llama-2-7b', device: 'a100-80gb-sxm', count: 8,
    training: { method: 'full', zero: 3, tokens: '2T' } };
  const w = full.estimate(req);
  const n = native('train', '--model', 'llama-2-7b', '--method', 'full', '--device', 'a100-80gb-sxm', '--count', '8', '--zero', '3', '--tokens', '2T', '--json');
  assert.equal(w.ok, true, JSON.stringify(w.error));
  for (const k of ['weights_bytes', 'gradients_bytes', 'optimizer_bytes', 'activations_bytes', 'overhead_bytes', 'total_bytes', 'usable_bytes']) {
    assert.equal(w.memory[k], n.memory[k], k);
  }
  assert.deepEqual(w.memory.items, n.memory.items);
  for (const k of ['verdict', 'trainable_params', 'total_params', 'min_gpus', 'recommended_sharding', 'recommended_gpus']) assert.deepEqual(w[k], n[k], k);
  assert.deepEqual(w.time, n.time);
  assert.deepEqual(w.cost, n.cost);
  assert.deepEqual(w.power, n.power);
  assert.deepEqual(w.explanation, n.explanation);
  // The page's own call gives the same answer.
  assert.deepEqual(full.answer_page('estimate', req).answer, w);
  assert.equal(core.answer_page('estimate', req).answer.error.code, 'module_needed');
});

test('a serving request: the KV budget and concurrency of `willitfit serve --json`', () => {
  const w = full.estimate({ intent: 'serving', model: 'llama-3.1-8b', device: 'h100-sxm' });
  const n = native('serve', '--model', 'llama-3.1-8b', '--device', 'h100-sxm', '--json');
  assert.deepEqual(w.serving, n.serving);
  assert.equal(w.headline, n.headline);
});
