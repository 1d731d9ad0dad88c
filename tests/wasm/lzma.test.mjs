// The page's LZMA decoder (src/wasm/unlzma.cpp as unlzma.wasm, through web/lzma.mjs): what xz
// writes comes back byte for byte, whatever the literal and position settings; damaged, truncated
// or unsupported files are refused with a reason, and none makes it hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unlzma } from '../../web/lzma.mjs';
import { packLzma } from '../../web/pack-lzma.mjs';

const decoder = readFileSync(new URL('../../web/dist/unlzma.wasm', import.meta.url));
const core = readFileSync(new URL('../../web/dist/willitfit-core.wasm', import.meta.url));
const text = Buffer.from('Will it fit? '.repeat(400) + 'A 70B model in Q4_K_M needs about 42 GB. '.repeat(50));

// A fixed pseudo-random sequence (xorshift), so a failure repeats.
function noise(n, seed = 1) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

test('what xz writes decodes to the same bytes: empty, one byte, text, noise, zeros and the core', async () => {
  for (const [name, bytes] of [['empty', Buffer.alloc(0)], ['one byte', Buffer.from('x')], ['text', text],
    ['noise', noise(100000)], ['zeros', Buffer.alloc(1 << 20)], ['the core', core]]) {
    const back = await unlzma(packLzma(bytes), decoder);
    assert.equal(back.length, bytes.length, name);
    assert.ok(Buffer.from(back).equals(bytes), `${name}: the same bytes`);
  }
});

test('every literal-context and position setting xz allows within lc + lp <= 4 decodes', async () => {
  const bytes = Buffer.concat([text, noise(3000, 7), text.subarray(0, 5000)]);
  for (const [lc, lp, pb] of [[0, 0, 0], [3, 0, 2], [4, 0, 4], [0, 4, 0], [2, 2, 1], [1, 3, 3]]) {
    const back = await unlzma(packLzma(bytes, `preset=6,lc=${lc},lp=${lp},pb=${pb}`), decoder);
    assert.ok(Buffer.from(back).equals(bytes), `lc=${lc} lp=${lp} pb=${pb}`);
  }
});

test('a file without its size, with lc + lp above 4, or too short is refused with a reason', async () => {
  const packed = packLzma(text);
  const unknown = Buffer.from(packed);
  unknown.fill(255, 5, 13);
  await assert.rejects(unlzma(unknown, decoder), /no declared size/);
  const wide = Buffer.from(packed);
  wide[0] = (0 * 5 + 1) * 9 + 4;  // lc=4, lp=1, pb=0: valid LZMA, past what the decoder takes (xz itself refuses to write it)
  await assert.rejects(unlzma(wide, decoder), /unsupported properties/);
  const invalid = Buffer.from(packed);
  invalid[0] = 225;
  await assert.rejects(unlzma(invalid, decoder), /unsupported properties/);
  await assert.rejects(unlzma(packed.subarray(0, 10), decoder), /too short/);
  const huge = Buffer.from(packed);
  huge.writeBigUInt64LE(1n << 40n, 5);
  await assert.rejects(unlzma(huge, decoder), /too large/);
});

test('a truncated file is refused at every cut, never returned short', async () => {
  const packed = packLzma(text);
  for (let cut = 13; cut < packed.length - 1; cut += 7) {
    await assert.rejects(unlzma(packed.subarray(0, cut), decoder), /truncated|damaged|bad start|too short/, `cut at ${cut}`);
  }
});

test('damaged bytes give an error or exactly the declared size, never a hang', async () => {
  const packed = packLzma(Buffer.concat([text, noise(2000, 3)]));
  const flips = noise(600, 11);
  let refused = 0;
  for (let i = 0; i < 300; i++) {
    const bad = Buffer.from(packed);
    const at = 13 + ((flips[2 * i] << 8 | flips[2 * i + 1]) % (bad.length - 13));
    bad[at] ^= 1 << (i % 8);
    try {
      const out = await unlzma(bad, decoder);
      assert.equal(out.length, text.length + 2000);
    } catch (e) {
      assert.match(e.message, /^lzma: (damaged|truncated|bad start)$/);
      refused++;
    }
  }
  assert.ok(refused > 0, 'some damage is detected');
});
