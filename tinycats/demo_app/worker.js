// Inference off the page's thread: loads onnxruntime-web and the models, classifies and generates on request.
// Messages: {id, op, ...} in; {id, ok, result} or {id, ok: false, error} out, {id, progress} while generating.
import { decodeImage } from './images.js';
import { preprocess, mirror } from './preprocess.js';
import { makeNoise } from './noise.js';
import { sampleFlow } from './solvers.js';

let ort = null, ortInfo = null;
const sessions = new Map(), cancelled = new Set();

async function verified(base, integrity, f) {  // a CDN file checked against its subresource-integrity hash
  const r = await fetch(new URL(f, base).href, { integrity: integrity[f], mode: 'cors' });
  if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
  const type = f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
  return URL.createObjectURL(new Blob([await r.arrayBuffer()], { type }));
}

/** Load onnxruntime-web from `cfg.base` (WebGPU build only when `gpu`), with SRI checks when `cfg.integrity` is set. */
async function initOrt({ cfg, gpu, threads }) {
  const main = gpu ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
  const glue = gpu ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
  try {
    if (cfg.integrity) {
      ort = await import(await verified(cfg.base, cfg.integrity, main));
      ort.env.wasm.wasmPaths = { mjs: await verified(cfg.base, cfg.integrity, glue + '.mjs'),
                                 wasm: await verified(cfg.base, cfg.integrity, glue + '.wasm') };
    } else { ort = await import(new URL(main, cfg.base).href); ort.env.wasm.wasmPaths = cfg.base; }
  } catch (e) { throw new Error(`could not load onnxruntime-web ${cfg.version} from ${cfg.base}: ${e.message}`); }
  ort.env.wasm.numThreads = threads; ort.env.logLevel = 'error';
  ortInfo = { version: ort.env.versions?.web || cfg.version, threads, gpu, source: cfg.source };
  return ortInfo;
}

async function sha256(buf) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, b => b.toString(16).padStart(2, '0')).join('');
}

/** Fetch model `m` ({name, url, bytes, sha256, sidecar}), check it, open a session on `ep` ('webgpu' or 'wasm'). */
async function loadModel({ m, ep }) {
  const t0 = performance.now();
  let r;
  try { r = await fetch(m.url); } catch (e) { throw new Error(`model ${m.name}: could not be fetched (${e.message})`); }
  if (!r.ok) throw new Error(`model ${m.name} is missing: HTTP ${r.status} for ${m.url}`);
  const buf = await r.arrayBuffer();
  if (m.bytes && buf.byteLength !== m.bytes) throw new Error(`model ${m.name} is corrupt: ${buf.byteLength} bytes, expected ${m.bytes}`);
  if (m.sha256 && crypto.subtle && await sha256(buf) !== m.sha256) throw new Error(`model ${m.name} is corrupt: its SHA-256 does not match models.json`);
  let s;
  try { s = await ort.InferenceSession.create(new Uint8Array(buf), { executionProviders: [ep], graphOptimizationLevel: 'all' }); }
  catch (e) { throw new Error(`model ${m.name}: not a loadable ONNX model on ${ep} (${String(e.message || e).slice(0, 200)})`); }
  sessions.set(m.name, { s, m, ep });
  return { name: m.name, ep, ms: performance.now() - t0, inputs: s.inputNames, outputs: s.outputNames };
}

const chan = new MessageChannel();
/** A promise that settles in a new task (faster than setTimeout's clamped delay), so queued messages run first. */
function nextTask() { return new Promise(r => { chan.port1.onmessage = () => r(); chan.port2.postMessage(0); }); }

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
};

onmessage = async ({ data }) => {
  const { id, op, args } = data;
  try {
    if (!OPS[op]) throw new Error(`unknown operation ${op}`);
    postMessage({ id, ok: true, result: await OPS[op](args || {}, id) });
  } catch (e) { postMessage({ id, ok: false, error: String(e && e.message || e) }); }
};
