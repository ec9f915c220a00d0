// The Benchmark view: warm-up, then N timed runs of classification (batch 1) and of generation (one image).
import { percentile } from './rpc.js';
const $ = id => document.getElementById(id);

function stats(ms) {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return { n: ms.length, mean_ms: mean, p50_ms: percentile(ms, 50), p95_ms: percentile(ms, 95), p99_ms: percentile(ms, 99),
           per_s: 1000 / mean };
}

async function timed(fn, warmup, runs, key) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push((await fn(i))[key]);
  return ms;
}

function table(res) {
  const row = (what, s) => `<tr><th scope="row">${what}</th><td>${s.p50_ms.toFixed(1)}</td><td>${s.p95_ms.toFixed(1)}</td>` +
                           `<td>${s.p99_ms.toFixed(1)}</td><td>${s.per_s.toFixed(2)}</td><td>${s.n}</td></tr>`;
  $('bench-table').innerHTML = '<caption>milliseconds per call, measured in the worker</caption>' +
    '<tr><th scope="col">what</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th>' +
    '<th scope="col">per second</th><th scope="col">runs</th></tr>' +
    (res.classify ? row(`classify 1 image (${res.classify.model})`, res.classify) : '') +
    (res.generate ? row(`generate 1 image (${res.generate.model}, ${res.generate.steps} ${res.generate.sampler} steps, guidance ${res.generate.cfg})`, res.generate) : '');
}

/** Run the benchmark with options `o` ({warmup, runs, steps, sampler, cfg}); shows and returns the results. */
export async function runBenchmark(app, o) {
  $('bench-error').hidden = true; $('bench-status').textContent = 'running…'; $('bench-run').disabled = true;
  try {
    const info = await app.info(), res = { ...info, warmup: o.warmup, runs: o.runs, when: new Date().toISOString() };
    const byName = id => app.config.models.find(m => m.name === $(id).value);   // the models chosen in the other views
    const clf = byName('clf-model'), gen = byName('gen-model');
    if (clf) {
      await app.ensureLoaded(clf.name);
      const sz = clf.sidecar.size, rgb = new Uint8Array(sz * sz * 3).map((_, i) => (i * 37) % 256);
      const ms = await timed(() => app.call('classify', { name: clf.name, rgb, w: sz, h: sz }).then(r => r.ms), o.warmup, o.runs, 'run');
      res.classify = { model: clf.name, ...stats(ms) }; res.classify_ms = ms;
    }
    if (gen) {
      await app.ensureLoaded(gen.name);
      const args = i => ({ name: gen.name, y: [0], steps: o.steps, sampler: o.sampler, cfg: o.cfg, seed: i, preview: false });
      const ms = await timed(i => app.call('generate', args(i)), o.warmup, o.runs, 'ms');
      res.generate = { model: gen.name, steps: o.steps, sampler: o.sampler, cfg: o.cfg, ...stats(ms) }; res.generate_ms = ms;
      const ok = res.generate.p50_ms < 2000;
      $('bench-chip').textContent = ok ? '✓ under 2 s per generated image' : '✗ over 2 s per generated image';
      $('bench-chip').className = `chip ${ok ? 'good' : 'bad'}`; $('bench-chip').hidden = false;
    }
    table(res); $('bench-json').value = JSON.stringify(res, null, 1); $('bench-status').textContent = 'done';
    return res;
  } catch (e) { $('bench-error').textContent = e.message; $('bench-error').hidden = false; $('bench-status').textContent = ''; return null; }
  finally { $('bench-run').disabled = false; }
}

/** Wire the Benchmark view to `app`. */
export function setupBenchmark(app) {
  const num = id => Number($(id).value), gen = app.config.models.find(m => m.name === $('gen-model').value);
  const rec = gen?.sidecar.sampling;   // the generator's recommended sampling, as the Generate view starts from
  if (rec) { $('bench-steps').value = rec.steps; $('bench-sampler').value = rec.sampler; $('bench-cfg').value = rec.cfg; }
  $('bench-form').addEventListener('submit', e => {
    e.preventDefault();
    runBenchmark(app, { warmup: num('bench-warmup'), runs: num('bench-runs'), steps: num('bench-steps'),
                        sampler: $('bench-sampler').value, cfg: num('bench-cfg') });
  });
  $('bench-copy').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText($('bench-json').value); $('bench-status').textContent = 'JSON copied'; }
    catch { $('bench-json').select(); $('bench-status').textContent = 'select the JSON and copy it (clipboard not available)'; }
  });
}
