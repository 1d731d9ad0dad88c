// The page's side of "Read a model file": it waits for files (picked or dropped, several at once
// for a split or sharded model) or a pasted config.json, then loads the reader
// (willitfit-file-view.js, from page/file-view.mjs) and the full module: a first visit carries
// none of it.
const $ = (id) => document.getElementById(id);

// `load`: resolves to the installed view ({ read(files), useConfig(text) }).
export function installFileReader(load) {
  const input = $('model-file');
  const zone = $('file-drop');
  if (!input || !zone) return;
  const take = (files) => { if (files && files.length) load().then((v) => v.read([...files])); };
  input.addEventListener('change', () => take(input.files));
  for (const ev of ['dragenter', 'dragover']) zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) zone.addEventListener(ev, () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); take(e.dataTransfer?.files); });
  $('config-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('config-text').value.trim();
    if (text) load().then((v) => v.useConfig(text));
  });
}
