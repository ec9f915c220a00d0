// The Classify view: a photo from the file picker, drag-and-drop, paste or the sample photos; top-k bars.
const $ = id => document.getElementById(id);

function showError(msg) { $('clf-error').textContent = msg; $('clf-error').hidden = !msg; }

function bars(res, k = 5) {
  const order = res.probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, k);
  $('clf-result').replaceChildren(...order.map(([p, i]) => {
    const li = document.createElement('li'), name = res.labels[i].replaceAll('_', ' ');
    li.innerHTML = `<span class="bar-label"></span><span class="bar" role="meter" aria-valuemin="0" aria-valuemax="100"></span>`;
    li.querySelector('.bar-label').textContent = `${name} ${(100 * p).toFixed(1)}%`;
    const b = li.querySelector('.bar'); b.style.setProperty('--p', `${(100 * p).toFixed(1)}%`);
    b.setAttribute('aria-valuenow', (100 * p).toFixed(1)); b.setAttribute('aria-label', name);
    return li;
  }));
}

/** Classify `blob` (named `name`) with the chosen model and show the result; returns it (or null on an error). */
export async function classifyBlob(app, blob, name) {
  showError(''); $('clf-meta').textContent = 'classifying…';
  try {
    const model = $('clf-model').value;
    await app.ensureLoaded(model);
    const res = await app.call('classify', { name: model, blob, fileName: name, tta: $('clf-tta').checked });
    $('clf-preview').src = URL.createObjectURL(blob); $('clf-preview').alt = `the photo ${name}`; $('clf-preview').hidden = false;
    bars(res);
    $('clf-meta').textContent = `${res.ms.total.toFixed(0)} ms (model ${res.ms.run.toFixed(0)} ms) on ${res.ep}` +
                                ($('clf-tta').checked ? ', with the mirror image' : '');
    return res;
  } catch (e) { showError(e.message); $('clf-meta').textContent = ''; $('clf-result').replaceChildren(); return null; }
}

/** Wire the Classify view to `app` (the shell: call, config, ensureLoaded). */
export function setupClassify(app) {
  const clfs = app.config.models.filter(m => m.kind === 'classifier')
    .sort((a, b) => (a.precision === 'float32' ? 0 : 1) - (b.precision === 'float32' ? 0 : 1));   // float32 first
  $('clf-model').replaceChildren(...clfs.map(m => new Option(`${m.name} (${m.precision})`, m.name)));
  if (!clfs.length) showError('no classifier model in models.json');
  $('clf-file').addEventListener('change', e => { const f = e.target.files[0]; if (f) classifyBlob(app, f, f.name); });
  const drop = $('clf-drop');
  drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => {
    e.preventDefault(); drop.classList.remove('over');
    const f = e.dataTransfer.files[0]; if (f) classifyBlob(app, f, f.name); else showError('nothing to classify: drop an image file');
  });
  drop.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('clf-file').click(); } });
  document.addEventListener('paste', e => {
    if (app.view() !== 'classify') return;
    const f = [...(e.clipboardData?.files || [])][0]; if (f) classifyBlob(app, f, f.name || 'pasted image');
  });
  const samples = app.config.samples || [];
  $('clf-samples').replaceChildren(...samples.map(s => {
    const b = document.createElement('button'); b.type = 'button'; b.className = 'sample';
    b.innerHTML = `<img alt="">`; b.querySelector('img').src = s.url; b.setAttribute('aria-label', `classify sample photo ${s.name}`);
    b.addEventListener('click', async () => classifyBlob(app, await (await fetch(s.url)).blob(), s.name));
    return b;
  }));
  $('clf-samples-note').hidden = samples.length > 0;
}
