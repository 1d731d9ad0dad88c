// The WebAssembly module through its ES module façade (web/dist/willitfit.mjs), under Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../web/dist/willitfit.mjs';

const wif = await load();

test('the quiz question comes back as data: does not fit, 14 GB of weights against 8 GB', () => {
  const a = wif.ask('7B fp16 on an 8GB RTX 4060?');
  assert.equal(a.ok, true);
  assert.equal(a.verdict, 'does_not_fit');
  assert.equal(a.memory.weights_bytes, 14e9);
  assert.equal(a.device.memory_bytes, 8 * 2 ** 30);
  assert.match(a.explanation[0], /= 14 GB of weights/);
  assert.ok(a.suggestions.some((s) => s.kind === 'quant'), 'suggests a format that fits');
});

test('a structured request gives the same answer as the question it came from', () => {
  const asked = wif.ask('llama 3.1 70b q4_k_m on 2x 3090');
  const again = wif.estimate(asked.question.request);
  const { question, ...rest } = asked;
  assert.deepEqual(again, rest);
});

test('errors are values with a code and a message, never exceptions', () => {
  assert.equal(wif.estimate({ model: 'nope', device: 'rtx-4090' }).error.code, 'unknown_model');
  assert.equal(wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', ctx: -1 }).ok, false);
  assert.equal(wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', memory: 'much' }).ok, false);
  assert.equal(wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', count: 1e9 }).ok, false);
  assert.equal(wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', ctx: 'x' }).ok, false);
  assert.equal(wif.ask('').error.code, 'empty_question');
  assert.equal(wif.ask('\uD800 half a surrogate').ok, false);
  assert.equal(wif.quant_options({ device: 'rtx-4090' }).error.code, 'missing_model');
  assert.throws(() => wif.estimate('llama'), TypeError);
  // The module keeps working after every error above.
  assert.equal(wif.ask('13B on a 4090').verdict, 'does_not_fit');
});

test('hostile input: long, binary or deeply nested text', () => {
  assert.equal(wif.ask('a'.repeat(100000)).ok, false);
  const nested = '['.repeat(100000);
  assert.equal(wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', hf_config: nested }).ok, false);
  assert.equal(wif.ask(String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))).ok, false);
  // A config.json is read by the full module (with the page's file reader); the core says so.
  assert.equal(wif.estimate({ hf_config: { model_type: 'llama', hidden_size: -5 }, device: 'rtx-4090' }).error.code, 'module_needed');
});

test('catalog listings carry the fields the page needs', () => {
  const models = wif.list_models(), devices = wif.list_devices(), quants = wif.list_quants();
  assert.ok(models.length >= 60 && devices.length >= 100 && quants.length >= 30);
  assert.ok(models.every((m) => m.id && m.name && m.params > 0 && Array.isArray(m.aliases)));
  assert.ok(devices.every((d) => d.id && d.name && d.memory_bytes > 0 && ['gpu', 'unified', 'cpu'].includes(d.kind)));
});

test('what would fit: every format, every device and the context curve', () => {
  const req = { model: 'llama-3.1-8b', quant: 'Q4_K_M', device: 'rtx-4060' };
  const q = wif.quant_options(req);
  assert.equal(q.options.length, wif.list_quants().length);
  const d = wif.device_options(req);
  assert.equal(d.options.length, wif.list_devices().length);
  // Listing devices needs no device of its own, and gives the same rows without one.
  const { device, ...withoutDevice } = req;
  assert.deepEqual(wif.device_options(withoutDevice), d);
  const c = wif.context_curve(req, 12);
  assert.equal(c.points.length, 12);
  assert.ok(c.max_context > 4096 && c.max_context < 131072);
  assert.ok(c.points.every((p, i) => i === 0 || p.kv_cache_bytes > c.points[i - 1].kv_cache_bytes));
});

test('GiB units switch the text, not the bytes', () => {
  const gb = wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090' });
  const gib = wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090', units: 'gib' });
  assert.equal(gib.memory.total_bytes, gb.memory.total_bytes);
  assert.match(gib.headline, /needs [\d.]+ GiB/);
  // A GB answer may still say how a card is sold ("a 24 GB card: 24 GiB = 25.8 GB"), but counts in GB.
  assert.match(gb.headline, /needs [\d.]+ GB/);
});

test('answer_page: one call gives the answer, every format, every device and the curve, as the separate calls do', () => {
  const req = { model: 'llama-3.1-8b', quant: 'Q4_K_M', device: 'rtx-4060' };
  const page = wif.answer_page('estimate', req, { points: 12 });
  assert.deepEqual(page.answer, wif.estimate(req));
  assert.deepEqual(page.quants, wif.quant_options(req));
  assert.deepEqual(page.devices, wif.device_options(req));
  assert.deepEqual(page.curve, wif.context_curve(req, 12));
  // The solver's setups on this device, fastest first, the best one among them.
  assert.equal(page.setups.ok, true);
  assert.ok(page.setups.setups.length > 0 && page.setups.best >= 0);
  for (let i = 1; i < page.setups.setups.length; i++) {
    assert.ok(page.setups.setups[i - 1].tokens_per_second.decode >= page.setups.setups[i].tokens_per_second.decode);
  }
  // A question: the same answer as ask(), with units as an option rather than words in the text.
  const text = 'llama 3.1 70b q4_k_m on 2x 3090';
  const asked = wif.answer_page('ask', text, { units: 'gib', points: 8 });
  assert.equal(asked.answer.units, 'gib');
  assert.match(asked.answer.headline, /GiB/);
  assert.equal(asked.answer.question.text, text);
  assert.equal(asked.curve.points.length, 8);
  assert.deepEqual(wif.answer_page('ask', text).answer, wif.ask(text));
  assert.equal(wif.answer_page('ask', text).quants, undefined, 'points 0: the answer only');
  // answer_page_more: the rest of the last answer, without resolving it again.
  const first = wif.answer_page('estimate', req);
  assert.equal(first.quants, undefined);
  assert.deepEqual(wif.answer_page_more(12), { quants: page.quants, devices: page.devices, curve: page.curve, setups: page.setups });
  // Errors come back in `answer`, with nothing else.
  const bad = wif.answer_page('estimate', { model: 'nope', device: 'rtx-4090' }, { points: 8 });
  assert.equal(bad.answer.error.code, 'unknown_model');
  assert.equal(bad.quants, undefined);
  assert.equal(wif.answer_page('ask', '').answer.error.code, 'empty_question');
  assert.deepEqual(wif.answer_page_more(12), {}, 'nothing is left over from an earlier answer');
});

test('format_bytes is the core\'s: the same text the answers use', () => {
  assert.equal(wif.format_bytes(14e9), '14 GB');
  assert.equal(wif.format_bytes(8 * 2 ** 30, 'gib'), '8 GiB');
  assert.equal(wif.format_bytes(512e6), '512 MB');
  const a = wif.estimate({ model: 'llama-3.1-8b', device: 'rtx-4090' });
  assert.ok(a.explanation.join(' ').includes(wif.format_bytes(a.memory.weights_bytes)));
});

// The minimal loader instantiates whatever it is handed: the façade compiles it first, so bytes
// that are not a module reject load() with the engine's reason instead of leaving it pending.
test('load() rejects, and does not hang, when the bytes are not a WebAssembly module', async () => {
  const fresh = await import('../../web/dist/willitfit.mjs?broken-module');
  const garbage = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 255, 255]);
  await assert.rejects(fresh.load({ wasmBinary: garbage }), WebAssembly.CompileError);
  await assert.rejects(fresh.loadFull({ wasmBinary: new Uint8Array(8) }), WebAssembly.CompileError);
  // After a failed start the next call starts again: here with the real files, and answers.
  const again = await fresh.load();
  assert.equal(again.ask('7B fp16 on an 8GB RTX 4060?').verdict, 'does_not_fit');
});
