// Assembles web/dist from the WebAssembly build and the page sources:
//   index.html / embed.html  the page with its CSS, the Emscripten loader and the app inlined
//                            (pages opened from file:// may not load external ES modules)
//   willitfit-core.wasm.lzma the core, LZMA-compressed: what the page fetches over HTTP (web/lzma.mjs decodes it)
//   unlzma.wasm              the decoder of the .lzma (src/wasm/unlzma.cpp), fetched beside it
//   willitfit-core.wasm      the core as it is, for other pages (willitfit.mjs) and as the page's fallback
//   willitfit-core.wasm.js   the same bytes as base64 in a classic script, loaded only from file://
//   willitfit-core.js, willitfit.mjs, willitfit.d.ts   the module for other pages and Node
//   willitfit-full.js, willitfit-full.wasm, willitfit-full.wasm.js
//                            the full module (training and serving too): loaded by the page only
//                            when a question needs it (the .wasm.js variant from file://)
//   willitfit-training-view.js  the page's Training form and view, loaded with the full module
//   willitfit-file-view.js      the model-file reader, loaded with the first file or pasted config
//
// Usage: node build.mjs <dir with willitfit-core.js and .wasm> [out dir]
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unlzma } from './lzma.mjs';
import { packLzma } from './pack-lzma.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = process.argv[2];
const out = process.argv[3] || join(here, 'dist');
if (!coreDir) {
  console.error('usage: node build.mjs <dir with willitfit-core.js and willitfit-core.wasm> [out]');
  process.exit(2);
}

const app = await build({
  entryPoints: [join(here, 'app.mjs')],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  external: ['node:*'],
  write: false,
  legalComments: 'none',
});
const appJs = app.outputFiles[0].text;
// The Training view (its form and the rendering of training answers) loads with the full module.
const trainingView = (await build({
  entryPoints: [join(here, 'page', 'training-view.mjs')],
  bundle: true,
  format: 'iife',
  globalName: 'WIF_TRAINING_VIEW',
  minify: true,
  target: 'es2020',
  write: false,
  legalComments: 'none',
})).outputFiles[0].text;
// The model-file reader (page/file-view.mjs) loads with the first file or pasted config.
const fileView = (await build({
  entryPoints: [join(here, 'page', 'file-view.mjs')],
  bundle: true,
  format: 'iife',
  globalName: 'WIF_FILE_VIEW',
  minify: true,
  target: 'es2020',
  write: false,
  legalComments: 'none',
})).outputFiles[0].text;
const css = (await build({ entryPoints: [join(here, 'style.css')], minify: true, write: false, loader: { '.css': 'css' } })).outputFiles[0].text;
// Emscripten 3.1.6's minimal loader (-sMINIMAL_RUNTIME) with three fixes, each checked: given a
// compiled WebAssembly.Module as Module.wasm (what the page's first script makes), instantiate()
// resolves to the Instance itself, not {instance, module}; a failure there left the ready promise
// pending forever, so a broken module would hang the page instead of failing its load(); and it
// has no CommonJS export (the full loader's last line), which Node's require() needs.
function loader(file, factory) {
  const js = readFileSync(join(coreDir, file), 'utf8');
  const fixes = [['asm=output.instance.exports;', 'asm=(output.instance||output).exports;'],
    ['initRuntime(asm);ready()});', 'initRuntime(asm);ready()}).catch(readyPromiseReject);']];
  for (const [from, to] of fixes) {
    if (js.split(from).length !== 2) {
      console.error(`web/build.mjs: ${file}: the loader no longer has "${from}" once; check the Emscripten version`);
      process.exit(1);
    }
  }
  return `${fixes.reduce((text, [from, to]) => text.replace(from, to), js)}\nif (typeof module === 'object' && module.exports) module.exports = ${factory};\n`;
}
// emcc minifies whitespace only; esbuild also shortens local names (the loader uses no eval).
const core = (await transform(loader('willitfit-core.js', 'createWillItFitCore'), { minify: true, target: 'es2020' })).code;
const wasm = readFileSync(join(coreDir, 'willitfit-core.wasm'));
const unlzmaWasm = readFileSync(join(coreDir, 'unlzma.wasm'));
let full = null;
try {
  full = {
    js: (await transform(loader('willitfit-full.js', 'createWillItFitFull'), { minify: true, target: 'es2020' })).code,
    wasm: readFileSync(join(coreDir, 'willitfit-full.wasm')),
  };
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
  console.error(`web/build.mjs: no willitfit-full.js/.wasm in ${coreDir}: the page will not answer training or serving questions`);
}

// The page's download of the core: .lzma (on this module 18% smaller than gzip -9), checked here
// by decoding it with the page's own decoder.
async function lzma(bytes) {
  let packed;
  try {
    packed = packLzma(bytes);
  } catch (e) {
    console.error(`web/build.mjs: ${e.message}`);
    process.exit(1);
  }
  if (Buffer.compare(Buffer.from(await unlzma(packed, unlzmaWasm)), bytes) !== 0) {
    console.error('web/build.mjs: the LZMA decoder does not give back the module');
    process.exit(1);
  }
  return packed;
}

// Inline scripts must not close their own <script> element.
const safe = (js) => js.replace(/<\/script/gi, '<\\/script');
const coreInline = safe(core);
// The first inline script (early.mjs): fetches, decodes and compiles the LZMA-compressed core while
// the page is parsed, and sets the colour scheme.
const early = safe((await build({
  entryPoints: [join(here, 'early.mjs')],
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  write: false,
  legalComments: 'none',
})).outputFiles[0].text.trim());
const appInline = safe(appJs);
const sha = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
// Scripts: only these three inline blocks, files of this page, and compiling the wasm. Styles: the
// page's own, and the inline widths of the memory bar. Nothing may be fetched from elsewhere.
const csp = [
  "default-src 'none'",
  `script-src ${sha(early)} ${sha(coreInline)} ${sha(appInline)} 'self' 'wasm-unsafe-eval'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const template = readFileSync(join(here, 'index.html'), 'utf8');
const page = (mode) => template
  .replace('{{MODE}}', mode)
  .replace('{{CSP}}', csp)
  .replace('{{EARLY}}', () => early)
  .replace('{{CSS}}', () => css)
  .replace('{{CORE}}', () => coreInline)
  .replace('{{APP}}', () => appInline);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'index.html'), page('full'));
writeFileSync(join(out, 'embed.html'), page('embed'));
writeFileSync(join(out, 'willitfit-core.wasm'), wasm);
writeFileSync(join(out, 'willitfit-core.wasm.lzma'), await lzma(wasm));
writeFileSync(join(out, 'unlzma.wasm'), unlzmaWasm);
writeFileSync(join(out, 'willitfit-core.wasm.js'), `globalThis.WILLITFIT_WASM_BASE64="${wasm.toString('base64')}";\n`);
writeFileSync(join(out, 'willitfit-core.js'), core);
if (full) {
  writeFileSync(join(out, 'willitfit-full.js'), full.js);
  writeFileSync(join(out, 'willitfit-full.wasm'), full.wasm);
  writeFileSync(join(out, 'willitfit-full.wasm.js'), `globalThis.WILLITFIT_FULL_WASM_BASE64="${full.wasm.toString('base64')}";\n`);
  writeFileSync(join(out, 'willitfit-training-view.js'), trainingView);
  writeFileSync(join(out, 'willitfit-file-view.js'), fileView);
}
copyFileSync(join(here, 'willitfit.mjs'), join(out, 'willitfit.mjs'));
copyFileSync(join(here, 'willitfit.d.ts'), join(out, 'willitfit.d.ts'));
console.log(`web/dist: index.html ${(page('full').length / 1024).toFixed(1)} KiB, willitfit-core.wasm ${(wasm.length / 1024).toFixed(1)} KiB` +
  (full ? `, willitfit-full.wasm ${(full.wasm.length / 1024).toFixed(1)} KiB (loaded on demand)` : ''));
