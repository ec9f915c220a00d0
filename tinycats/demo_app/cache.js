// Downloads that are kept: the model files and onnxruntime-web's files go into Cache Storage, keyed by their URL and
// SHA-256, and are checked against that SHA-256 on every use; a new release (another SHA-256) is fetched again and
// replaces the old copy. Where the page has no Cache Storage (not a secure context) every visit downloads again.
const CACHE = 'tinycats-v1', PARAM = 'tinycats-sha256';

/** The SHA-256 of the bytes `buf` as 64 hex digits. */
export async function sha256Hex(buf) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, b => b.toString(16).padStart(2, '0')).join('');
}

/** The subresource-integrity string (`sha256-<base64>`) of a SHA-256 given as hex digits. */
export function sriOf(hex) { return 'sha256-' + btoa(String.fromCharCode(...hex.match(/../g).map(h => parseInt(h, 16)))); }

const keyOf = (url, sha) => { const u = new URL(url); u.searchParams.set(PARAM, sha); return u.href; };
const urlOf = key => { const u = new URL(key); u.searchParams.delete(PARAM); return u.href; };

async function download(url, what, total, integrity, onProgress) {
  let r;
  try { r = await fetch(url, integrity ? { integrity, mode: 'cors' } : {}); }
  catch (e) { throw new Error(`${what}: could not be fetched${integrity ? ' or does not match its SHA-256' : ''} (${e.message})`); }
  if (!r.ok) throw new Error(`${what} is missing: HTTP ${r.status} for ${url}`);
  total = total || Number(r.headers.get('content-length')) || 0;
  if (!r.body) return new Uint8Array(await r.arrayBuffer());
  const reader = r.body.getReader(), parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value); n += value.length; onProgress?.({ loaded: n, total: Math.max(total, n) });
  }
  const out = new Uint8Array(n);
  parts.reduce((o, p) => { out.set(p, o); return o + p.length; }, 0);
  return out;
}

async function keep(store, url, key, bytes) {
  try {
    for (const k of await store.keys()) if (k.url !== key && urlOf(k.url) === new URL(url).href) await store.delete(k);
    await store.put(key, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
  } catch { /* quota or a refusal: the page works on without the copy */ }
}

/** The bytes at `url` ({what, sha256, bytes, integrity, onProgress}): the kept copy with that SHA-256, else downloaded, checked and kept. */
export async function fetchKept(url, { what = url, sha256, bytes, integrity, onProgress } = {}) {
  const canCheck = !!(sha256 && self.crypto?.subtle);
  const store = canCheck && self.caches ? await caches.open(CACHE).catch(() => null) : null, key = store && keyOf(url, sha256);
  const hit = store && await store.match(key);
  if (hit) {
    const b = new Uint8Array(await hit.arrayBuffer());
    if (await sha256Hex(b) === sha256) { onProgress?.({ loaded: b.length, total: b.length, kept: true }); return b; }
    await store.delete(key);   // damaged in storage: fetch it again
  }
  const b = await download(url, what, bytes, integrity, onProgress);
  if (bytes && b.length !== bytes) throw new Error(`${what} is corrupt: ${b.length} bytes, expected ${bytes}`);
  if (canCheck && await sha256Hex(b) !== sha256) throw new Error(`${what} is corrupt: its SHA-256 does not match models.json`);
  if (store) await keep(store, url, key, b);
  return b;
}

/** What Cache Storage holds for the page: `[{url, sha256}]` (the test hook reads it). */
export async function keptFiles() {
  if (!self.caches) return [];
  const store = await caches.open(CACHE);
  return (await store.keys()).map(k => ({ url: urlOf(k.url), sha256: new URL(k.url).searchParams.get(PARAM) }));
}
