// The page's side of the worker: promise-returning calls, progress callbacks, and the models.json config.

/** A module Web Worker running worker.js, with `call(op, args, onProgress)` returning a promise of the result. */
export function startWorker() {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const pending = new Map(); let next = 1;
  w.onmessage = ({ data }) => {
    const p = pending.get(data.id); if (!p) return;
    if (data.progress) { p.onProgress?.(data.progress); return; }
    pending.delete(data.id);
    data.ok ? p.resolve(data.result) : p.reject(new Error(data.error));
  };
  w.onerror = e => { for (const p of pending.values()) p.reject(new Error(`worker error: ${e.message}`)); pending.clear(); };
  const call = (op, args, onProgress) => {
    const id = next++;
    const pr = new Promise((resolve, reject) => pending.set(id, { resolve, reject, onProgress }));
    w.postMessage({ id, op, args });
    pr.id = id;
    return pr;
  };
  return { call, worker: w };
}

/** The demo's config (models.json next to the page), with model URLs and the onnxruntime-web base made absolute. */
export async function loadConfig(url = 'models.json') {
  let r;
  try { r = await fetch(url, { cache: 'no-store' }); } catch (e) { throw new Error(`could not fetch ${url}: ${e.message}`); }
  if (!r.ok) throw new Error(`${url} is missing (HTTP ${r.status}): build the demo with \`tinycats demo MODELS --build OUT\``);
  const cfg = await r.json();
  cfg.ort.base = new URL(cfg.ort.base, r.url).href;
  for (const m of cfg.models) m.url = new URL(m.url, r.url).href;
  for (const s of cfg.samples || []) s.url = new URL(s.url, r.url).href;
  return cfg;
}

/** Percentile `q` (0-100) of the numbers `xs`, linear between ranks as NumPy's default. */
export function percentile(xs, q) {
  const s = [...xs].sort((a, b) => a - b), r = (s.length - 1) * q / 100, lo = Math.floor(r), hi = Math.ceil(r);
  return s[lo] + (s[hi] - s[lo]) * (r - lo);
}
