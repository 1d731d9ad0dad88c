// Compares the core's GGUF reader with an independent parser, @huggingface/gguf (npm), on every
// GGUF file the C++ tests generate, tensor by tensor and key by key.
//
//   (cd tests/files && npm install)        # once: installs @huggingface/gguf
//   GGUF_DUMP=build/tests/gguf_dump node --test tests/files/gguf.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dump = process.env.GGUF_DUMP ?? resolve(here, '../../build/tests/gguf_dump');

let hf = null;
const nodeMajor = Number(process.versions.node.split('.')[0]);
try {
  if (nodeMajor >= 20) hf = await import('@huggingface/gguf');
} catch {
  hf = null;
}
const skip = nodeMajor < 20 ? `@huggingface/gguf needs Node.js 20 (this is ${process.version})`
  : !hf ? '@huggingface/gguf is not installed (cd tests/files && npm install)'
  : !existsSync(dump) ? `no gguf_dump at ${dump} (set GGUF_DUMP)` : false;

// Values as the core prints them (64-bit integers as text), from @huggingface/gguf's typed values.
function same(ours, theirs, where) {
  assert.equal(theirs.type, ours.type, `${where}: value type`);
  if (ours.type === 9) {  // array
    assert.equal(theirs.subType, ours.elem, `${where}: element type`);
    assert.equal(theirs.value.length, ours.count, `${where}: element count`);
    if (ours.items) {
      ours.items.forEach((item, i) => {
        const v = theirs.value[i];
        // Nested arrays come back as plain values; element types follow the outer subType.
        const typed = item.type === 9 ? { type: 9, subType: item.elem, value: v } : { type: item.type, value: v };
        if (item.type === 9 && Array.isArray(v)) typed.value = v;
        same(item, typed, `${where}[${i}]`);
      });
    }
    return;
  }
  if (ours.type === 10 || ours.type === 11) assert.equal(String(theirs.value), ours.value, `${where}: value`);
  else if (ours.type === 6) assert.ok(Math.abs(Number(theirs.value) - ours.value) < 1e-6, `${where}: value`);
  else assert.deepEqual(theirs.value, ours.value, `${where}: value`);
}

test('the core reads every generated GGUF file as @huggingface/gguf does', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wif-gguf-'));
  try {
    const files = execFileSync(dump, ['--write-corpus', dir], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(files.length >= 10, 'the corpus has files');
    let tensors = 0;
    for (const name of files) {
      const path = join(dir, name);
      const ours = JSON.parse(execFileSync(dump, [path], { encoding: 'utf8' }));
      assert.equal(ours.ok, true, `${name}: ${ours.message}`);
      const theirs = await hf.gguf(path, { allowLocalFile: true, typedMetadata: true, computeParametersCount: true });
      assert.equal(theirs.littleEndian, true);
      const meta = theirs.typedMetadata;
      assert.equal(meta.version.value, ours.version, `${name}: version`);
      assert.equal(Number(meta.tensor_count.value), ours.tensor_count, `${name}: tensor_count`);
      assert.equal(Number(meta.kv_count.value), ours.kv_count, `${name}: kv_count`);
      assert.equal(Number(theirs.tensorDataOffset), ours.data_offset, `${name}: data offset`);
      for (const [key, value] of Object.entries(ours.metadata)) {
        assert.ok(key in meta, `${name}: key ${key}`);
        same(value, meta[key], `${name}: ${key}`);
      }
      assert.equal(theirs.tensorInfos.length, ours.tensors.length, `${name}: tensors`);
      let elements = 0n;
      ours.tensors.forEach((t, i) => {
        const o = theirs.tensorInfos[i];
        const where = `${name}: tensor ${t.name}`;
        assert.equal(o.name, t.name, where);
        assert.equal(o.n_dims, t.n_dims, `${where}: n_dims`);
        assert.deepEqual(o.shape.map(Number), t.shape, `${where}: shape`);
        assert.equal(o.dtype, t.dtype, `${where}: type`);
        assert.equal(hf.GGMLQuantizationType[o.dtype].toLowerCase(), t.type_name.toLowerCase(), `${where}: type name`);
        assert.equal(String(o.offset), t.offset, `${where}: offset`);
        elements += o.shape.reduce((a, b) => a * b, 1n);
        tensors += 1;
      });
      assert.equal(Number(theirs.parameterCount), Number(elements), `${name}: parameter count`);
    }
    assert.ok(tensors > 100, `compared ${tensors} tensors`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
