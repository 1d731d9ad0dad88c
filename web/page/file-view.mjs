// "Read a model file", loaded on first use (web/build.mjs bundles it into willitfit-file-view.js, a
// classic script that sets globalThis.WIF_FILE_VIEW, so it also loads from file://); the page
// itself carries only page/file.mjs, which waits for a file or a pasted config.
// Files picked or dropped together are one model: a split GGUF's parts, safetensors shards with
// model.safetensors.index.json and config.json, a projector beside its model. Only headers are
// read, with File.slice; the bytes go to the full module's inspect_files, in this page: nothing is
// uploaded. A pasted config.json is answered as that model's config. Either way the answer is for
// the device and question of the form.
// The page passes in what it shares (its state, formatter, form and answer rendering).
import { esc, num, count } from './format-pure.mjs';

const $ = (id) => document.getElementById(id);
let d = null;         // the page's shared parts: { store, bytes, formState, toRequest, renderAnswer, startFull }
let full = null;
let info = null;      // what was read last: { file, names, size, bytes_read, ms } or { config }
let seq = 0;

// The request for the file: the form's device and question, without a model or a format (the file
// is both). With no device in the form, the device of the answer on screen.
function fileRequest() {
  const r = d.toRequest(d.formState());
  for (const k of ['model', 'params', 'quant', 'hf_config']) delete r[k];
  if (!r.device && !r.memory) {
    const dev = d.store.result?.answer?.device;
    if (dev?.id && !String(dev.id).startsWith('custom')) r.device = dev.id;
  }
  return r;
}

function what(file) {
  const rows = [
    ['Format', file.format === 'gguf-mmproj' ? 'GGUF (multimodal projector)' : file.format === 'gguf' ? 'GGUF' : 'safetensors'],
    ['Architecture', file.architecture || '(not stated)'],
  ];
  if (file.name) rows.push(['Name', file.name]);
  if (file.file_type) rows.push(['File type', file.file_type]);
  if (file.quant_method) rows.push(['Quantization', file.quant_method]);
  rows.push(['Weights', `<span data-file-weights="${file.weight_bytes}">${esc(d.bytes(file.weight_bytes))}</span> (${num(file.weight_bytes)} bytes, exact)`]);
  if (file.mmproj_bytes) rows.push(['Projector', esc(d.bytes(file.mmproj_bytes))]);
  rows.push(['Parameters', esc(count(file.params))]);
  rows.push(['Tensors', esc(count(file.tensor_count))]);
  const table = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${k === 'Weights' ? v : esc(v)}</td></tr>`).join('');
  const types = file.bytes_by_type.map((t) => `<tr><td>${esc(t.type)}</td><td class="n">${esc(count(t.tensors))}</td><td class="n">${esc(d.bytes(t.bytes))}</td></tr>`).join('');
  const notes = file.notes.length ? `<ul class="notes">${file.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<table class="file-facts">${table}</table>` +
    `<h3>Tensor types</h3><table class="file-types"><thead><tr><th scope="col">Type</th><th scope="col">Tensors</th><th scope="col">Bytes</th></tr></thead><tbody>${types}</tbody></table>` + notes;
}

function show(res) {
  const out = $('file-answer');
  d.renderAnswer(out, res);
  // The vLLM link of an answer serves the form's model, not the file's: not offered here.
  for (const el of out.querySelectorAll('[data-serve]')) (el.closest('p') || el).remove();
  out.dataset.verdict = res.ok ? res.verdict || res.intent : 'error';
}

function answer() {
  if (!info || !full) return;
  if (info.config) return show(full.estimate({ ...fileRequest(), hf_config: info.config }));
  if (!info.file.arch_known) {
    d.renderAnswer($('file-answer'), { ok: false, error: { code: 'unsupported_architecture', message: `The header does not describe a model this calculator can size (${info.file.architecture || 'no architecture'}): its weights are above, but no answer for a device.` } });
    return;
  }
  show(full.answer_file(fileRequest(), { units: d.store.units }));
}

async function start(status) {
  try {
    if (!full) full = await d.startFull();
    return true;
  } catch (e) {
    status.textContent = `The file reader could not start: ${e.message || e}`;
    return false;
  }
}

async function read(files) {
  const mine = ++seq;
  const status = $('file-status');
  info = null;
  $('file-info').innerHTML = '';
  $('file-answer').innerHTML = '';
  const names = files.map((f) => f.name);
  const label = files.length === 1 ? names[0] : `${files.length} files (${names.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''})`;
  status.textContent = `Reading the header${files.length > 1 ? 's' : ''} of ${label}…`;
  const t0 = performance.now();
  if (!(await start(status)) || mine !== seq) return;
  const r = await full.read_files(files);
  if (mine !== seq) return;
  const ms = performance.now() - t0;
  if (!r.ok && r.error.code === 'config_only') {
    // A config.json alone: the model it describes, as if pasted.
    const text = await files[0].text();
    if (mine === seq) useConfig(text, names[0]);
    return;
  }
  if (!r.ok) {
    status.innerHTML = `<span class="error" role="alert" data-code="${esc(r.error.code)}">${esc(r.error.message)}</span>`;
    return;
  }
  const size = files.reduce((n, f) => n + f.size, 0);
  info = { file: r.file, names, size, bytes_read: r.bytes_read, ms };
  status.innerHTML = `Read ${esc(d.bytes(r.bytes_read))} of <strong>${esc(label)}</strong> (${esc(d.bytes(size))}): the header${files.length > 1 ? 's' : ''} only, in ${Math.round(ms)} ms. Nothing was uploaded.`;
  $('file-info').innerHTML = what(r.file);
  answer();
  $('file-panel').dataset.read = String(mine);
  window.__wifFile = { name: names.join(', '), names, weight_bytes: r.file.weight_bytes, bytes_read: r.bytes_read, ms };
}

async function useConfig(text, from = 'the pasted config.json') {
  const mine = ++seq;
  const status = $('file-status');
  $('file-info').innerHTML = '';
  $('file-answer').innerHTML = '';
  if (!(await start(status)) || mine !== seq) return;
  info = { config: text };
  status.textContent = `The model described by ${from}, for the device above (nothing was uploaded).`;
  answer();
  $('file-panel').dataset.read = String(mine);
}

// `deps`: what the page shares (see `d` above). Returns what its page/file.mjs hands over.
export function install(deps) {
  d = deps;
  // The answer follows the form and the units.
  let pending;
  const again = () => { clearTimeout(pending); pending = setTimeout(answer, 150); };
  $('form').addEventListener('input', again);
  for (const u of ['gb', 'gib']) $(`unit-${u}`).addEventListener('click', () => {
    if (info?.file) $('file-info').innerHTML = what(info.file);
    again();
  });
  return { read, useConfig };
}
