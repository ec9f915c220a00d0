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

/** The wasm thread count: `?threads=N`, else every core (at most 4) when isolated, else 1. */
export function threadCount(q) {
  // On the main job's models, alone on a 2-core machine, 2 threads ran both networks 1.7-1.8x faster than 1
  // (bench/results/browser_options.md); `?threads=1` is there for a machine that has other work to do.
  const cores = Math.min(4, navigator.hardwareConcurrency || 1);
  return Number(q.get('threads')) || (crossOriginIsolated ? cores : 1);
}
