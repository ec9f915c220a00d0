// The Generate view: breed (or unconditional), steps, guidance, Euler/Heun, seed, number of images; live preview.
import { gridRGBA, drawGrid } from './grid.js';
const $ = id => document.getElementById(id);
let running = null;

function showError(msg) { $('gen-error').textContent = msg; $('gen-error').hidden = !msg; }
const norm = s => String(s).toLowerCase().replace(/[\s_-]/g, '');

/** The label id of `name` (any case; spaces, '-' or '_'; 'unconditional' = null id) or an error listing valid names. */
export function labelId(sc, name) {
  if (norm(name) === 'unconditional' || norm(name) === 'none') return sc.null_id;
  const i = sc.labels.findIndex(l => norm(l) === norm(name));
  if (i < 0) throw new Error(`unknown breed '${name}'; valid: ${sc.labels.join(', ')}, or unconditional`);
  return i;
}

function readOptions() {
  const int = (id, lo, hi, what) => {
    const v = Number($(id).value);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${what} must be a whole number from ${lo} to ${hi}, got '${$(id).value}'`);
    return v;
  };
  const cfg = Number($('gen-cfg').value);
  if (!(cfg >= 0 && cfg <= 20)) throw new Error(`guidance must be a number from 0 to 20, got '${$('gen-cfg').value}'`);
  return { steps: int('gen-steps', 1, 100, 'steps'), seed: int('gen-seed', 0, 2 ** 32 - 1, 'seed'),
           n: int('gen-n', 1, 16, 'number of images'), cfg, sampler: $('gen-sampler').value, y: Number($('gen-breed').value) };
}

/** Run the generator with options `o` (`y` label id, `n`, steps, sampler, cfg, seed); draws the grid, returns it. */
export async function generate(app, o, preview = true) {
  showError('');
  const model = $('gen-model').value, m = app.config.models.find(x => x.name === model), sc = m.sidecar;
  await app.ensureLoaded(model);
  const t0 = performance.now(), ys = Array(o.n).fill(o.y), C = sc.in_ch, S = sc.size;
  $('gen-cancel').disabled = false; $('gen-run').disabled = true; $('gen-download').disabled = true;
  running = app.call('generate', { name: model, y: ys, steps: o.steps, sampler: o.sampler, cfg: o.cfg, seed: o.seed, preview },
    p => { drawGrid($('gen-canvas'), gridRGBA(p.x, o.n, S, S)); $('gen-status').textContent = `step ${p.step} of ${p.steps}`; });
  try {
    const r = await running;
    if (r.cancelled) { $('gen-status').textContent = 'cancelled'; return null; }
    const g = gridRGBA(r.x, o.n, S, S); drawGrid($('gen-canvas'), g);
    const label = o.y === sc.null_id ? 'unconditional' : sc.labels[o.y].replaceAll('_', ' ');
    $('gen-canvas').setAttribute('aria-label', `${o.n} generated ${label} images`);
    $('gen-status').textContent = `${o.n} x ${label}: ${(performance.now() - t0).toFixed(0)} ms on ${r.ep} ` +
      `(${o.steps} ${o.sampler} steps, guidance ${o.cfg}, seed ${o.seed})`;
    $('gen-download').disabled = false;
    return { ...r, grid: g };
  } finally { running = null; $('gen-cancel').disabled = true; $('gen-run').disabled = false; }
}

function applyUrl(app, sc) {
  const q = new URLSearchParams(location.search);
  for (const k of ['steps', 'cfg', 'seed', 'n', 'sampler']) if (q.has(k)) $(`gen-${k}`).value = q.get(k);
  if (q.has('breed')) $('gen-breed').value = String(labelId(sc, q.get('breed')));
}

/** Wire the Generate view to `app`. */
export function setupGenerate(app) {
  const gens = app.config.models.filter(m => m.kind === 'generator')
    .sort((a, b) => (a.precision === 'float32' ? 0 : 1) - (b.precision === 'float32' ? 0 : 1));   // float32 first
  $('gen-model').replaceChildren(...gens.map(m => new Option(`${m.name} (${m.precision})`, m.name)));
  if (!gens.length) { showError('no generator model in models.json'); return; }
  const sc = gens[0].sidecar;
  $('gen-breed').replaceChildren(...sc.labels.map((l, i) => new Option(l.replaceAll('_', ' '), i)),
                                 new Option('unconditional (null label)', sc.null_id));
  $('gen-steps').value = sc.sampling.steps; $('gen-cfg').value = sc.sampling.cfg; $('gen-sampler').value = sc.sampling.sampler;
  try { applyUrl(app, sc); } catch (e) { showError(e.message); }
  $('gen-form').addEventListener('submit', async e => {
    e.preventDefault();
    try { await generate(app, readOptions()); } catch (err) { showError(err.message); }
  });
  $('gen-cancel').addEventListener('click', () => { if (running) app.call('cancel', { target: running.id }); });
  $('gen-download').addEventListener('click', () => $('gen-canvas').toBlob(b => {
    const a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download = 'tinycats.png'; a.click();
  }, 'image/png'));
}
