// The page's first script, inline in <head>: starts downloading, decoding and compiling the core
// while the rest of the page is parsed and painted, and sets the colour scheme before anything is
// painted. Over HTTP the core comes LZMA-compressed (willitfit-core.wasm.lzma), decoded by a tiny
// WebAssembly module of its own (unlzma.wasm, from src/wasm/unlzma.cpp) on this thread: a worker
// took 90-160 ms here to start, fetch, decode and hand the module back. Anything going
// wrong leaves WIF_WASM null and willitfit.mjs fetches willitfit-core.wasm itself. From disk
// (file://) the bytes come from willitfit-core.wasm.js instead.
import { unlzma } from './lzma.mjs';

const get = (file) => fetch(file, { credentials: 'same-origin' }).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject()));
window.WIF_WASM = location.protocol === 'file:' ? null
  : Promise.all([get('willitfit-core.wasm.lzma'), get('unlzma.wasm')])
    .then(([core, decoder]) => unlzma(new Uint8Array(core), decoder))
    .then((wasm) => WebAssembly.compile(wasm))
    .catch(() => null);

// theme=light|dark|auto in the hash; an embed defaults to light, so a widget in a light blog is
// never a dark block.
const root = document.documentElement;
const theme = /[#&]theme=(light|dark|auto)(&|$)/.exec(location.hash);
root.dataset.theme = theme ? theme[1] : root.dataset.mode === 'embed' ? 'light' : 'auto';
