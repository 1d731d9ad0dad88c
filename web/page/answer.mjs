// The answer: verdict, headline, what was understood, the bar, the arithmetic, suggestions and
// assumptions. In the embed widget only the verdict, the headline and the bar.
import { esc, bytes, VERDICT, errorText } from './format.mjs';
import { bar, bindTips } from './bar.mjs';
import { store } from './state.mjs';
import { speedLine, splitBar, speedDetails, devicesNeeded, servingFacts } from './speed.mjs';

// The rendering of training answers, set once page/training-view.mjs has loaded (with the full
// module: no training answer can come before it).
let trainingView = null;
export const setTrainingView = (view) => { trainingView = view; };

const list = (items, cls, label) => `<ul class="${cls}"${label ? ` aria-label="${label}"` : ''}>${items.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`;

function chips(q) {
  let html = list(q.understood, 'chips', 'Understood');
  if (q.ambiguities.length) html += list(q.ambiguities, 'sugg amb', 'Ambiguities');
  return html;
}

// Candidates of a failed question, each a button that answers again with that name.
function candidates(q) {
  const row = (names, field, what) => (names?.length
    ? `<p class="cands">Did you mean the ${what} ${names.map((n) => `<button type="button" class="linkish" data-cand-${field}="${esc(n)}">${esc(n)}</button>`).join(', ')}?</p>` : '');
  return row(q.model_candidates, 'model', 'model') + row(q.device_candidates, 'device', 'device');
}

// The verdict chip. A borderline answer (its memory band straddles the usable memory) says so in
// the amber of an uncertain fit; data-verdict keeps the verdict by the estimate.
function verdictLine(res) {
  const [icon, words] = res.borderline ? ['⚠', 'Borderline'] : VERDICT[res.verdict] || ['', res.verdict];
  const cls = res.borderline ? 'fits_with_offload' : res.verdict;
  return `<p class="vline"><span class="verdict ${cls}" data-verdict="${res.verdict}"${res.borderline ? ' data-borderline="true"' : ''} elementtiming="verdict"><span aria-hidden="true">${icon}</span> ${words}</span></p>`;
}

// The error band of the memory the verdict weighs (training: the peak per GPU), and why a
// borderline verdict could go either way.
function bandNote(res) {
  const b = res.intent === 'training' ? res.band : res.memory?.band;
  let html = '';
  if (res.borderline && res.borderline_reason) html += `<p class="sugg amb" role="note" data-borderline="true">${esc(res.borderline_reason)}</p>`;
  else if (b) {
    html += `<p class="band muted" data-band="${esc(b.category)}">Error band ${esc(b.plus_minus)}: likely ${bytes(b.low_bytes)} to ${bytes(b.high_bytes)} ` +
      `<span title="${esc(b.basis)}">(from ${b.points} measurements${b.engine === '*' ? '' : ` with ${esc(b.engine)}`})</span>.</p>`;
  }
  return html;
}

// "What can I run on this device": the models that fit, largest first.
function whatFits(res) {
  const fit = res.models.filter((m) => m.verdict === 'fits');
  const item = (m) => `<li><button type="button" class="linkish" data-model="${esc(m.id)}">${esc(m.name)}</button> — ${bytes(m.gpu_bytes || m.total_bytes)}</li>`;
  return `<p class="headline" data-intent="what_fits">${esc(res.headline)}</p>` +
    (fit.length ? `<ul class="sugg">${fit.slice(0, 12).map(item).join('')}</ul>` : '');
}

// A model with no device: what it needs in the common formats, and the smallest devices that
// hold it in each (a click answers for that device).
function sizes(res) {
  const kind = { gpu: 'GPU', unified: 'Mac', cpu: 'CPU only' };
  const rows = res.sizes.map((r) => `<tr><td>${esc(r.quant)}</td><td class="n">${r.total_bytes ? bytes(r.total_bytes) : '–'}</td><td>${r.smallest.length
    ? r.smallest.map((d) => `${kind[d.kind] || esc(d.kind)}: <button type="button" class="linkish" data-device="${esc(d.id)}" data-quant="${esc(r.quant)}">${esc(d.name)}</button>`).join('<br>')
    : 'no single catalog device'}</td></tr>`).join('');
  return `<p class="headline" data-intent="sizes">${esc(res.headline)}</p>` +
    `<table class="formats sizes"><thead><tr><th>Format</th><th>Needs</th><th>Smallest that hold it</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderAnswer(out, res) {
  out.setAttribute('aria-busy', 'false');
  const q = res.question;
  const embed = store.mode === 'embed';
  let html = '';
  if (!res.ok) {
    html = `<p class="error" role="alert" data-code="${esc(res.error.code)}">${esc(errorText(res.error))}</p>`;
    if (q) html += candidates(q) + (embed ? '' : chips(q));
    out.innerHTML = html;
    return;
  }
  if (res.intent === 'what_fits') {
    out.innerHTML = whatFits(res) + (q && !embed ? chips(q) : '');
    return;
  }
  if (res.intent === 'sizes') {
    out.innerHTML = sizes(res) + (q && !embed ? chips(q) : '');
    return;
  }
  const training = res.intent === 'training';
  html += verdictLine(res);
  html += `<p class="headline" title="${esc(res.headline)}">${esc(res.headline)}</p>`;
  if (embed) {
    out.innerHTML = html + bar(res);
    bindTips(out, res);
    return;
  }
  // Not in the embed widget, whose height is fixed: the headline there already carries the ± band.
  html += bandNote(res);
  if (training) {
    html += (q ? chips(q) : '') + trainingView.body(res);
    html += `<h3>The arithmetic</h3><ol class="math" aria-label="The arithmetic">${res.explanation.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>`;
    html += `<details><summary>Assumptions (${res.assumptions.length})</summary>${list(res.assumptions, '')}</details>`;
    out.innerHTML = html;
    bindTips(out, res);
    return;
  }
  html += devicesNeeded(res) + speedLine(res);
  if (q) html += chips(q);
  html += bar(res) + splitBar(res) + servingFacts(res);
  html += `<ol class="math" aria-label="The arithmetic">${res.explanation.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>`;
  html += speedDetails(res);
  if (res.suggestions.length) html += `<h3>What would fit</h3>${list(res.suggestions.map((s) => s.text), 'sugg')}`;
  if (res.max_context > 0 && res.max_context !== res.ctx) {
    html += `<p>Largest context that fits entirely on the device: <strong>${res.max_context.toLocaleString('en')}</strong> tokens.</p>`;
  }
  if (res.warnings.length) html += list(res.warnings, 'sugg amb');
  html += `<details><summary>Assumptions (${res.assumptions.length})</summary>${list(res.assumptions, '')}</details>`;
  out.innerHTML = html;
  bindTips(out, res);
}
