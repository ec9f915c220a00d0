// The page: reads models.json, starts the worker, picks the execution provider, wires the three views, and exposes
// `window.tinycats` (the test hook: every value a test checks is one the page computed).
import { startWorker, loadConfig } from './rpc.js';
import { setupClassify, classifyBlob } from './classify.js';
import { setupGenerate, generate, labelId } from './generate.js';
import { setupBenchmark, runBenchmark } from './benchmark.js';
import { isolationSettled, threadCount } from './isolation.js';
const $ = id => document.getElementById(id);

function setStatus(msg, err = false) { $('status').textContent = msg; $('status').classList.toggle('error', err); }

/** Show a download's progress (`{download: {what, loaded, total, kept}}`, in bytes) in the header's bar. */
function showDownload({ download: d }) {
  if (!d) return;
  const { what, loaded, total, kept } = d;
  const mb = b => (b / 1e6).toFixed(1);
  $('dl-bar').max = total || 1; $('dl-bar').value = loaded;
  $('dl-text').textContent = kept ? `${what}: ${mb(total)} MB from the browser's cache`
    : loaded < total ? `downloading ${what}: ${mb(loaded)} of ${mb(total)} MB` : `${what}: ${mb(total)} MB downloaded`;
  $('download').hidden = false;
}

/** 'webgpu' only when the browser hands out a WebGPU adapter (and `?ep=wasm` does not ask otherwise), else 'wasm'. */
async function pickEp(q) {
  if (q.get('ep') === 'wasm' || !navigator.gpu) return 'wasm';
  try { return (await navigator.gpu.requestAdapter()) ? 'webgpu' : 'wasm'; } catch { return 'wasm'; }
}

function setupTabs(app) {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const show = t => {
    for (const x of tabs) {
      const on = x === t; x.setAttribute('aria-selected', on); x.tabIndex = on ? 0 : -1;
      $(x.getAttribute('aria-controls')).hidden = !on;
    }
    app.current = t.dataset.view;
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => show(t));
    t.addEventListener('keydown', e => {
      const d = { ArrowRight: 1, ArrowLeft: -1 }[e.key]; if (!d) return;
      const n = tabs[(i + d + tabs.length) % tabs.length]; show(n); n.focus();
    });
  });
  const want = new URLSearchParams(location.search).get('view');
  show(tabs.find(t => t.dataset.view === want) || tabs[0]);
}

async function main() {
  const q = new URLSearchParams(location.search);
  await isolationSettled(() => setStatus('turning on cross-origin isolation for wasm threads (the page reloads once)…'));
  const { call } = startWorker(), config = await loadConfig(q.get('config') || 'models.json');
  const ep = await pickEp(q);
  setStatus('loading onnxruntime-web…');
  const ort = await call('init', { cfg: config.ort, gpu: ep === 'webgpu', threads: threadCount(q) }, showDownload);
  const loaded = new Map();
  const app = { config, call, current: 'classify', view: () => app.current, ep,
    ensureLoaded(name) {
      if (!loaded.has(name)) {
        const m = config.models.find(x => x.name === name);
        if (!m) return Promise.reject(new Error(`no model ${name} in models.json`));
        setStatus(`loading ${name} (${(m.bytes / 1e6).toFixed(1)} MB)…`);
        const p = call('load', { m, ep }, showDownload).then(r => {
          app.threadsUsed = r.threads; setStatus(`${name} loaded in ${r.ms.toFixed(0)} ms on ${r.ep}`); return r; },
          e => { loaded.delete(name); setStatus(e.message, true); throw e; });
        loaded.set(name, p);
      }
      return loaded.get(name);
    },
    info: async () => ({ ep, threads: ort.threads, threads_used: app.threadsUsed ?? null, crossOriginIsolated,
                         ort: ort.version, ort_source: ort.source,
                         hardware_concurrency: navigator.hardwareConcurrency, user_agent: navigator.userAgent }) };
  setupTabs(app); setupClassify(app); setupGenerate(app); setupBenchmark(app);
  $('env').textContent = `onnxruntime-web ${ort.version} (${ort.source}) · EP ${ep} · ${ort.threads} thread(s) · ` +
                         `crossOriginIsolated ${crossOriginIsolated}`;
  setStatus('ready');
  const genOf = name => config.models.find(m => m.name === (name || $('gen-model').value));
  window.tinycats = { ...window.tinycats, app, info: app.info, load: n => app.ensureLoaded(n),
    noise: (n, shape, seed) => call('noise', { n, shape, seed }), kept: () => call('kept'),
    classify: async ({ url, model, tta = false, input = false, name }) => {
      const m = model || $('clf-model').value; await app.ensureLoaded(m);
      const r = await fetch(url); if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return call('classify', { name: m, blob: await r.blob(), fileName: name || url.split('/').pop(), tta, wantInput: input });
    },
    classifyInView: async (url, name) => classifyBlob(app, await (await fetch(url)).blob(), name),
    generate: async ({ model, breed, y, n = 1, steps = 25, sampler = 'euler', cfg = 1, seed = 0 }) => {
      const m = genOf(model); $('gen-model').value = m.name;
      const yy = y ?? labelId(m.sidecar, breed), r = await generate(app, { y: yy, n, steps, sampler, cfg, seed });
      return r && { x: Array.from(r.x), grid: Array.from(r.grid.data), width: r.grid.width, height: r.grid.height, ms: r.ms, ep: r.ep };
    },
    benchmark: o => runBenchmark(app, { warmup: 2, runs: 10, ...genOf()?.sidecar.sampling, ...o }),   // the model's sampling
  };
  window.tinycats.resolve(await app.info());
}

let resolve, reject;
window.tinycats = { ready: new Promise((a, b) => { resolve = a; reject = b; }), resolve: x => resolve(x) };
main().catch(e => { setStatus(e.message, true); reject(e); });
window.tinycats.ready.catch(() => {});
