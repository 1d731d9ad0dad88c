// Writes bytes as a .lzma file the page's decoder reads (web/lzma.mjs): xz's "LZMA alone" format,
// with the real size written into the header (xz, compressing a stream, leaves it "unknown"), so
// that the decoder allocates once. Build-time and tests only (runs xz from xz-utils).
import { spawnSync } from 'node:child_process';

export function packLzma(bytes, lzma1 = 'preset=9e,lc=3,lp=0,pb=0') {
  const xz = spawnSync('xz', ['--format=lzma', `--lzma1=${lzma1}`, '--stdout'], { input: bytes, maxBuffer: 1 << 30 });
  if (xz.error) throw new Error(`cannot run xz (${xz.error.message}): apt-get install xz-utils`);
  if (xz.status !== 0) throw new Error(`xz failed: ${String(xz.stderr).trim()}`);
  const packed = Buffer.from(xz.stdout);
  packed.writeBigUInt64LE(BigInt(bytes.length), 5);
  return packed;
}
