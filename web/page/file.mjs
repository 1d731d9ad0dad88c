// "Read a model file": a .gguf or .safetensors file picked or dropped on the page. Only its header
// is read, with File.slice (1 MiB first, more while the core says the header needs it); the bytes
// go to the full module's inspect_file, in this page: nothing is uploaded. What the header holds is
// shown, and the device and question of the form are answered for that model (answer_file) with
// the file's shape and exact weight bytes.
// One file at a time: a split GGUF (-00001-of-00003) or sharded safetensors is read from the file
// given, and the page says that the other parts were not read.
import { store } from './state.mjs';
import { esc, bytes, count, num } from './format.mjs';
import { formState, toRequest } from './form.mjs';
import { renderAnswer } from './answer.mjs';

const $ = (id) => document.getElementById(id);
let full = null;
let info = null;   // the header last read ({ file, name, size, bytes_read, ms })
let seq = 0;
let startFull = null;

// The request for the file: the form's device and question, without a model or a format (the file
// is both). With no device in the form, the device of the answer on screen.
function fileRequest() {
  const r = toRequest(formState());
  for (const k of ['model', 'params', 'quant']) delete r[k];
  if (!r.device && !r.memory) {
    const d = store.result?.answer?.device;
    if (d?.id && !String(d.id).startsWith('custom')) r.device = d.id;
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
  rows.push(['Weights', `<span data-file-weights="${file.weight_bytes}">${esc(bytes(file.weight_bytes))}</span> (${num(file.weight_bytes)} bytes, exact)`]);
  if (file.mmproj_bytes) rows.push(['Projector', esc(bytes(file.mmproj_bytes))]);
  rows.push(['Parameters', esc(count(file.params))]);
  rows.push(['Tensors', esc(count(file.tensor_count))]);
  const table = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${k === 'Weights' ? v : esc(v)}</td></tr>`).join('');
  const types = file.bytes_by_type.map((t) => `<tr><td>${esc(t.type)}</td><td class="n">${esc(count(t.tensors))}</td><td class="n">${esc(bytes(t.bytes))}</td></tr>`).join('');
  const notes = file.notes.length ? `<ul class="notes">${file.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<table class="file-facts">${table}</table>` +
    `<h3>Tensor types</h3><table class="file-types"><thead><tr><th scope="col">Type</th><th scope="col">Tensors</th><th scope="col">Bytes</th></tr></thead><tbody>${types}</tbody></table>` + notes;
}

function split(name) {
  if (/-\d{5}-of-\d{5}\.gguf$/i.test(name)) return 'This is one part of a split GGUF: only this part was read (the page reads one file at a time), so the weights are this part\'s.';
  if (/-\d{5}-of-\d{5}\.safetensors$/i.test(name)) return 'This is one shard of a checkpoint: only this shard was read (the page reads one file at a time), so the weights are this shard\'s.';
  return '';
}

function answerFile() {
  if (!info || !full) return;
  const out = $('file-answer');
  if (!info.file.arch_known) {
    renderAnswer(out, { ok: false, error: { code: 'unsupported_architecture', message: `The header does not describe a model this calculator can size (${info.file.architecture || 'no architecture'}): its weights are above, but no answer for a device.` } });
    return;
  }
  const res = full.answer_file(fileRequest(), { units: store.units });
  renderAnswer(out, res);
  // The vLLM link of an answer serves the form's model, not the file's: not offered here.
  for (const el of out.querySelectorAll('[data-serve]')) (el.closest('p') || el).remove();
  out.dataset.verdict = res.ok ? res.verdict || res.intent : 'error';
}

async function read(file) {
  const mine = ++seq;
  const status = $('file-status');
  info = null;
  $('file-info').innerHTML = '';
  $('file-answer').innerHTML = '';
  status.textContent = `Reading the header of ${file.name}…`;
  const t0 = performance.now();
  try {
    if (!full) full = await startFull();
  } catch (e) {
    status.textContent = `The file reader could not start: ${e.message || e}`;
    return;
  }
  const r = await full.read_file(file);
  if (mine !== seq) return;
  const ms = performance.now() - t0;
  if (!r.ok) {
    status.innerHTML = `<span class="error" role="alert" data-code="${esc(r.error.code)}">${esc(file.name)}: ${esc(r.error.message)}</span>`;
    return;
  }
  info = { file: r.file, name: file.name, size: file.size, bytes_read: r.bytes_read, ms };
  const part = split(file.name);
  status.innerHTML = `Read ${esc(bytes(r.bytes_read))} of <strong>${esc(file.name)}</strong> (${esc(bytes(file.size))}): the header only, in ${Math.round(ms)} ms. Nothing was uploaded.` +
    (part ? ` <span class="hint">${esc(part)}</span>` : '');
  $('file-info').innerHTML = what(r.file);
  answerFile();
  $('file-panel').dataset.read = String(mine);
  window.__wifFile = { name: file.name, weight_bytes: r.file.weight_bytes, bytes_read: r.bytes_read, ms };
}

// `startFull`: starts the full module (inspect_file and answer_file live there) and resolves to it.
export function installFileReader(start) {
  startFull = start;
  const input = $('model-file');
  const zone = $('file-drop');
  if (!input || !zone) return;
  const take = (files) => {
    if (!files || !files.length) return;
    const list = [...files];
    read(list[0]);
    if (list.length > 1) $('file-more').textContent = `${list.length - 1} more file(s) not read: the page reads one file at a time (for a split or sharded model, the first part).`;
    else $('file-more').textContent = '';
  };
  input.addEventListener('change', () => take(input.files));
  for (const ev of ['dragenter', 'dragover']) zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) zone.addEventListener(ev, () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); take(e.dataTransfer?.files); });
  // The answer follows the form and the units.
  let pending;
  const again = () => { clearTimeout(pending); pending = setTimeout(answerFile, 150); };
  $('form').addEventListener('input', again);
  for (const u of ['gb', 'gib']) $(`unit-${u}`).addEventListener('click', () => {
    if (!info) return;
    $('file-info').innerHTML = what(info.file);
    again();
  });
}
