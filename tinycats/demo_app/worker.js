// Inference off the page's thread: loads onnxruntime-web and the models, classifies and generates on request.
// Messages: {id, op, ...} in; {id, ok, result} or {id, ok: false, error} out, {id, progress} while generating or
// downloading.
import { decodeImage } from './images.js';
import { preprocess, mirror } from './preprocess.js';
import { makeNoise } from './noise.js';
import { sampleFlow } from './solvers.js';
import { fetchKept, keptFiles, sriOf } from './cache.js';

let ort = null, ortInfo = null;
const sessions = new Map(), cancelled = new Set();

/** A progress callback for operation `id` that sums the bytes of several downloads and posts `{download}`. */
function downloads(id, what) {
  const files = new Map();
  return name => p => {
    files.set(name, p);
    const all = [...files.values()], sum = k => all.reduce((a, x) => a + x[k], 0);
    postMessage({ id, progress: { download: { what, loaded: sum('loaded'), total: sum('total'), kept: all.every(x => x.kept) } } });
  };
}

/** Load onnxruntime-web from `cfg.base` (WebGPU build only when `gpu`): each file checked against `cfg.sha256` and kept. */
async function initOrt({ cfg, gpu, threads }, id) {
  const main = gpu ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
  const glue = gpu ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  const progress = downloads(id, `onnxruntime-web ${cfg.version}`), sha = cfg.sha256 || {};
  const get = f => fetchKept(new URL(f, cfg.base).href, { what: `onnxruntime-web's ${f}`, sha256: sha[f],
    integrity: cfg.cdn && sha[f] ? sriOf(sha[f]) : undefined, onProgress: progress(f) });
  const js = b => URL.createObjectURL(new Blob([b], { type: 'text/javascript' }));
  try {
    const [m, g, w] = await Promise.all([get(main), get(glue + '.mjs'), get(glue + '.wasm')]);
    ort = await import(js(m));
    ort.env.wasm.wasmPaths = { mjs: js(g) }; ort.env.wasm.wasmBinary = w;   // nothing fetched behind the cache's back
  } catch (e) { throw new Error(`could not load onnxruntime-web ${cfg.version} from ${cfg.base}: ${e.message}`); }
  ort.env.wasm.numThreads = threads; ort.env.logLevel = 'error';
  ortInfo = { version: ort.env.versions?.web || cfg.version, threads, gpu, source: cfg.source };
  return ortInfo;
}

/** Fetch model `m` ({name, url, bytes, sha256, sidecar}) or its kept copy, check it, open a session on `ep`. */
async function loadModel({ m, ep }, id) {
  const t0 = performance.now();
  const buf = await fetchKept(m.url, { what: `model ${m.name}`, sha256: m.sha256, bytes: m.bytes,
                                       onProgress: downloads(id, `model ${m.name}`)(m.name) });
  let s;
  try { s = await ort.InferenceSession.create(buf, { executionProviders: [ep], graphOptimizationLevel: 'all' }); }
  catch (e) { throw new Error(`model ${m.name}: not a loadable ONNX model on ${ep} (${String(e.message || e).slice(0, 200)})`); }
  sessions.set(m.name, { s, m, ep });
  return { name: m.name, ep, ms: performance.now() - t0, inputs: s.inputNames, outputs: s.outputNames,
           threads: ort.env.wasm.numThreads };   // onnxruntime-web sets it to 1 where threads cannot run
}

const tick = new MessageChannel(), waiting = [];   // one channel; its messages arrive in order, one per waiting task
tick.port1.onmessage = () => waiting.shift()();
/** A promise that settles in a new task (faster than setTimeout's clamped delay), so queued messages run first. */
function nextTask() { return new Promise(r => { waiting.push(r); tick.port2.postMessage(0); }); }

function get(name) { const x = sessions.get(name); if (!x) throw new Error(`model ${name} is not loaded`); return x; }

async function runClassifier(x, name, n) {
  const { s, m } = get(name), sz = m.sidecar.size;
  const r = await s.run({ image: new ort.Tensor('float32', x, [n, 3, sz, sz]) });
  return r[s.outputNames[0]].data;
}

/** Probabilities of one image (a Blob, or `rgb` bytes with `w`, `h`) under classifier `name`; `tta` adds the mirror. */
async function classify({ name, blob, fileName, rgb, w, h, tta, wantInput }) {
  const { m } = get(name), sz = m.sidecar.size;
  const t0 = performance.now();
  if (blob) ({ rgb, w, h } = await decodeImage(blob, fileName || blob.name || 'image'));
  const t1 = performance.now(), x = preprocess(rgb, w, h, sz), t2 = performance.now();
  let p = Float32Array.from(await runClassifier(x, name, 1));
  if (tta) { const q = await runClassifier(mirror(x, sz), name, 1); p = p.map((v, i) => Math.fround(Math.fround(v + q[i]) / 2)); }
  const t3 = performance.now();
  return { probs: Array.from(p), labels: m.sidecar.labels, ms: { decode: t1 - t0, preprocess: t2 - t1, run: t3 - t2, total: t3 - t0 },
           ep: get(name).ep, input: wantInput ? Array.from(x) : undefined };
}

/** Images from generator `name`: `y` label ids, solver options, seed; posts the state after each step when `preview`. */
async function generate({ name, y, steps, sampler, cfg, seed, preview }, id) {
  const { s, m } = get(name), sc = m.sidecar, [C, H, W] = [sc.in_ch, sc.size, sc.size];
  const velocity = async (x, t, yy) => {
    const B = yy.length;
    const r = await s.run({ x: new ort.Tensor('float32', x, [B, C, H, W]), t: new ort.Tensor('float32', Float32Array.from(t), [B]),
                            y: new ort.Tensor('int64', BigInt64Array.from(yy.map(BigInt)), [B]) });
    return r[s.outputNames[0]].data;
  };
  const t0 = performance.now(), noise = makeNoise(y.length, [C, H, W], seed);
  const onStep = async (i, x) => {
    if (preview) postMessage({ id, progress: { step: i + 1, steps, x } });
    await nextTask();   // let a Cancel message in: onnxruntime's promises settle without ever leaving the task
    return cancelled.has(id);
  };
  const spec = { nullId: sc.null_id, lastEuler: sc.pred === 'x', shift: sc.t_shift ?? 1 };   // no t_shift: an older export
  const x = await sampleFlow(velocity, spec, y, { steps, sampler, cfg, noise, onStep });
  cancelled.delete(id);
  if (x === null) return { cancelled: true };
  return { x, n: y.length, c: C, h: H, w: W, ms: performance.now() - t0, ep: get(name).ep };
}

const OPS = {
  init: initOrt, load: loadModel, classify, generate,
  noise: ({ n, shape, seed }) => Array.from(makeNoise(n, shape, seed)),
  decode: async ({ blob, fileName }) => { const r = await decodeImage(blob, fileName || 'image'); return { w: r.w, h: r.h }; },
  cancel: ({ target }) => { cancelled.add(target); return true; },
  kept: keptFiles,
};

onmessage = async ({ data }) => {
  const { id, op, args } = data;
  try {
    if (!OPS[op]) throw new Error(`unknown operation ${op}`);
    postMessage({ id, ok: true, result: await OPS[op](args || {}, id) });
  } catch (e) { postMessage({ id, ok: false, error: String(e && e.message || e) }); }
};
