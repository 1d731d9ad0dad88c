// Model files through the full module (inspect_file, read_file, answer_file), under Node: the same
// header facts and the same answer as the native `willitfit inspect` / `infer --gguf`, need_more
// when too few bytes are given, clear errors, and nothing of it in the page's core module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadFull } from '../../web/dist/willitfit.mjs';

const BIN = process.env.WILLITFIT_BIN || fileURLToPath(new URL('../../build/willitfit', import.meta.url));
const DUMP = process.env.GGUF_DUMP ?? fileURLToPath(new URL('../../build/tests/gguf_dump', import.meta.url));
const native = (...args) => JSON.parse(execFileSync(BIN, args, { maxBuffer: 1 << 30 }).toString());
const core = await load();
const full = await loadFull();

const skip = !existsSync(DUMP) ? `no gguf_dump at ${DUMP} (set GGUF_DUMP)` : !existsSync(BIN) ? `no willitfit at ${BIN}` : false;
let dir = null;
const corpus = () => {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'wif-wasm-file-'));
    execFileSync(DUMP, ['--write-corpus', dir]);
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
};
const withoutTensors = (info) => { const { tensors, ...rest } = info; return rest; };

test('every corpus GGUF: inspect_file (read_files for a split model\'s parts) gives what `willitfit inspect --json` gives', { skip }, async () => {
  const names = execFileSync('ls', [corpus()]).toString().split('\n').filter((n) => n.endsWith('.gguf'));
  assert.ok(names.length >= 5);
  for (const name of names) {
    const path = join(corpus(), name);
    const bytes = readFileSync(path);
    // One part of a split GGUF: the CLI reads every part (as llama.cpp loads them); the page is
    // given them all together (inspect_files).
    const parts = /-\d{5}-of-\d{5}\.gguf$/.test(name) ? names.filter((n) => n.replace(/-\d{5}-of-/, '') === name.replace(/-\d{5}-of-/, '')) : null;
    const r = parts
      ? await full.read_files(parts.map((n) => new Blob([readFileSync(join(corpus(), n))]).slice(0)).map((b, i) => Object.assign(b, { name: parts[i] })))
      : full.inspect_file(new Uint8Array(bytes), bytes.length);
    if (parts) delete r.bytes_read;
    let n;
    try { n = native('inspect', path, '--json'); } catch (e) { n = JSON.parse(e.stdout.toString()); }
    if (n.ok === false || n.error) {
      assert.equal(r.ok, false, name);
      assert.equal(r.error.code, (n.error || n).code, name);
      continue;
    }
    assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.error)}`);
    assert.deepEqual(r.file, withoutTensors(n), name);
  }
});

test('too few bytes: need_more with the bytes to read; then the header', { skip }, () => {
  const bytes = readFileSync(join(corpus(), 'llama-q4_k_m.gguf'));
  const size = 10 * 1024 ** 3;  // as if the file went on for 10 GiB
  const r = full.inspect_file(new Uint8Array(bytes.subarray(0, 64)), size);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'need_more');
  assert.ok(r.error.need_bytes > 64 && r.error.need_bytes <= bytes.length, String(r.error.need_bytes));
  let want = r.error.need_bytes;
  let got;
  for (let i = 0; i < 20; i++) {
    got = full.inspect_file(new Uint8Array(bytes.subarray(0, want)), size);
    if (got.ok || got.error.code !== 'need_more') break;
    want = Math.max(got.error.need_bytes, want * 2);
  }
  assert.equal(got.ok, true, JSON.stringify(got.error));
  assert.equal(got.file.weight_bytes, 1107152);
  assert.equal(got.file.file_bytes, size);
});

test('read_file reads a Blob\'s header and answer_file answers like `willitfit infer --gguf`', { skip }, async () => {
  const path = join(corpus(), 'llama-q4_k_m.gguf');
  const r = await full.read_file(new Blob([readFileSync(path)]));
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.file.name, 'Tiny Llama');
  assert.ok(r.bytes_read <= 1 << 20);
  const a = full.answer_file({ device: 'rtx-4090', ctx: 8192 });
  assert.equal(a.ok, true, JSON.stringify(a.error));
  const n = native('infer', '--gguf', path, '--device', 'rtx-4090', '--ctx', '8192', '--json');
  for (const k of ['verdict', 'headline', 'memory', 'explanation', 'assumptions']) assert.deepEqual(a[k], n[k], k);
  assert.equal(full.answer_file({ device: 'rtx-4090' }, { units: 'gib' }).headline.includes('GiB'), true);
  // The file is the model: a model name as well is a conflict, said so.
  assert.equal(full.answer_file({ model: 'llama-3.1-8b', device: 'rtx-4090' }).error.code, 'conflicting_model');
});

test('hostile input: a clear error, and no earlier file is answered after it', { skip }, () => {
  const bytes = readFileSync(join(corpus(), 'llama-q4_k_m.gguf'));
  assert.equal(full.inspect_file(new Uint8Array(bytes), bytes.length).ok, true);
  const junk = new TextEncoder().encode('GGUF' + '\xff'.repeat(60));
  const r = full.inspect_file(junk, junk.length);
  assert.equal(r.ok, false);
  assert.notEqual(r.error.code, 'internal_error');
  assert.equal(full.answer_file({ device: 'rtx-4090' }).error.code, 'no_file');
  assert.equal(full.inspect_file(new Uint8Array(8), -1).ok, false);
  assert.equal(full.inspect_file(new Uint8Array(8), 4).error.code, 'invalid_argument');
});

test('the page\'s core module leaves model files to the full module', async () => {
  assert.equal(core.inspect_file(new Uint8Array(4), 4).error.code, 'module_needed');
  assert.equal((await core.read_file(new Blob([new Uint8Array(4)]))).error.code, 'module_needed');
  assert.equal(core.answer_file({ device: 'rtx-4090' }).error.code, 'module_needed');
});
