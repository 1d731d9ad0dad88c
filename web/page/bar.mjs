// The memory bar: the line items that count against the device, against the usable-memory line.
// Hovering or focusing a segment shows its formula and source. The same bar draws a training
// answer's four memories (weights, gradients, optimizer states, activations, plus overhead) per GPU.
import { esc, bytes } from './format.mjs';

// The line items that count against the device: all of them on a CPU, else those on the GPU.
export const onDeviceItems = (res) => {
  if (res.intent === 'training') return res.memory.items.filter((i) => i.location !== 'host');
  return res.device.kind === 'cpu' ? res.memory.items : res.memory.items.filter((i) => i.location === 'gpu');
};

const LEGEND = [['weights', 'weights'], ['kv_cache', 'KV cache'], ['compute', 'buffers'], ['overhead', 'runtime']];
const TRAIN_LEGEND = [['weights', 'weights'], ['gradients', 'gradients'], ['optimizer', 'optimizer states'], ['activations', 'activations'], ['overhead', 'overhead']];

export function bar(res) {
  const training = res.intent === 'training';
  const onDevice = onDeviceItems(res);
  const need = onDevice.reduce((a, i) => a + i.bytes, 0);
  const usableBytes = training ? res.memory.usable_bytes : res.usable_bytes;
  const scale = Math.max(need, usableBytes, 1) * 1.04;
  const segs = onDevice.map((i, n) => {
    const pct = (100 * i.bytes) / scale;
    return `<span class="seg ${i.category}" data-i="${n}" tabindex="0" role="img" aria-label="${esc(`${i.label}: ${bytes(i.bytes)}`)}" style="width:${pct.toFixed(3)}%"></span>`;
  }).join('');
  const at = (100 * usableBytes) / scale;
  const usable = bytes(usableBytes);
  const perGpu = training && res.memory.per_gpu && (res.options?.count || res.device.count) > 1 ? ' per GPU' : '';
  const legend = (training ? TRAIN_LEGEND : LEGEND).map(([c, l]) => `<li class="key"><i class="seg ${c}"></i>${l}</li>`).join('');
  return `<div class="bar" aria-label="Memory needed${perGpu} against usable memory"><div class="track">${segs}</div>` +
    `<div class="limit${at > 75 ? ' end' : at < 25 ? ' start' : ''}" style="left:${at.toFixed(3)}%"><span>usable ${usable}</span></div><div class="tip" hidden></div></div>` +
    `<ul class="legend">${legend}<li class="need">needed ${training ? `on ${perGpu ? 'each' : 'the'} GPU` : 'on the device'}: <strong>${bytes(need)}</strong> of ${usable} usable</li></ul>`;
}

export function bindTips(root, res) {
  const onDevice = onDeviceItems(res);
  const tip = root.querySelector('.tip');
  if (!tip) return;
  const show = (e) => {
    const item = onDevice[Number(e.target.dataset.i)];
    if (!item) return;
    tip.innerHTML = `<strong>${esc(item.label)}: ${bytes(item.bytes)}</strong><br>${esc(item.formula)}<br><em>${esc(item.source)}</em>`;
    tip.hidden = false;
    tip.style.left = `${Math.min(e.target.offsetLeft, Math.max(0, root.querySelector('.track').clientWidth - tip.offsetWidth))}px`;
  };
  const hide = () => { tip.hidden = true; };
  for (const seg of root.querySelectorAll('.seg[data-i]')) {
    seg.addEventListener('mouseenter', show);
    seg.addEventListener('focus', show);
    seg.addEventListener('mouseleave', hide);
    seg.addEventListener('blur', hide);
  }
}
