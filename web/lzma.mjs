// Decodes .lzma files (xz's "LZMA alone" format) with src/wasm/unlzma.cpp, a tiny WebAssembly
// module of its own (built by the wasm preset as unlzma.wasm; the page fetches it beside the core).
// unlzma(file bytes, decoder module bytes) -> Promise<Uint8Array>; a damaged file rejects
// with an Error that says what is wrong.

const WORDS = { '-1': 'too short', '-2': 'unsupported properties', '-3': 'no declared size', '-4': 'too large', '-5': 'bad start', '-6': 'damaged', '-7': 'truncated' };
export async function unlzma(input, decoder) {
  const e = (await WebAssembly.instantiate(decoder)).instance.exports;
  const head = e.__heap_base.value;
  const need = (bytes) => {
    const more = Math.ceil((bytes - e.memory.buffer.byteLength) / 65536);
    if (more > 0) e.memory.grow(more);
  };
  // The file goes in once; its header's size then says how much room the output needs after it.
  need(head + input.length);
  new Uint8Array(e.memory.buffer, head, input.length).set(input);
  const size = Number(e.unlzma_size(head, input.length));
  if (size < 0) throw new Error(`lzma: ${WORDS[size]}`);
  need(head + input.length + size);
  // In steps of 16 KB: V8 optimizes the decoder between calls (see unlzma.cpp).
  let n = e.unlzma_start(head, input.length, head + input.length, size);
  while (n >= 0 && n < size) n = e.unlzma_run(n + 16384);
  if (n < 0) throw new Error(`lzma: ${WORDS[n]}`);
  return new Uint8Array(e.memory.buffer, head + input.length, n).slice();
}
