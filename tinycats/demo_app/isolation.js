// Cross-origin isolation, which wasm threads (SharedArrayBuffer) need. `tinycats demo` sends the COOP/COEP headers
// itself; a static host that cannot (GitHub Pages) gets them from coi-serviceworker.min.js, loaded by index.html before
// this module: on the first visit it installs a service worker that adds the headers and reloads the page once.

/** Resolves once the page is cross-origin isolated or will not become so; stays pending while a reload is coming. */
export async function isolationSettled(onWait, timeoutMs = 5000) {
  const sw = navigator.serviceWorker;
  if (crossOriginIsolated || !isSecureContext || !sw || sw.controller) return;   // isolated, or no reload will change it
  onWait?.();
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  await Promise.race([sw.ready.then(() => sleep(1500)), sleep(timeoutMs)]);   // still here: run single-threaded
}

/** The wasm thread count: `?threads=N`, else half the cores (at most 4) when isolated, else 1. */
export function threadCount(q) {
  // onnxruntime-web's own default. On a 2-core machine that had other work to do, every core (2 threads) measured
  // 1.8-2.5x slower than half of them for the classifier (nbs/33_demo.ipynb, Speed): a thread waiting for a core stalls.
  const half = Math.min(4, Math.ceil((navigator.hardwareConcurrency || 1) / 2));
  return Number(q.get('threads')) || (crossOriginIsolated ? half : 1);
}
