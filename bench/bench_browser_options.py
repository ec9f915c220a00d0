"""onnxruntime-web session options for the demo's models, side by side in one headless Chromium page per thread count.

Each page loads onnxruntime-web (wasm) with one thread count, opens one session per option set on the same model file
and runs them in turn, one call each per round (so a busy machine slows them alike): graphOptimizationLevel 'all'
(the page's choice), 'extended' and 'basic', and 'all' with freeDimensionOverrides fixing the batch (1 for the
classifier, 2 for the generator: one image with guidance). Thread counts: 1, and every core
(navigator.hardwareConcurrency) if that is more; the page itself uses half the cores, at most 4 (onnxruntime-web's
default). The inputs are the page's shapes: the classifier at batch 1, the generator's velocity call at batch 2.
Each round also times the same files, option sets, thread counts and inputs in Python onnxruntime (native code), so the
second table gives wasm's cost over native for the same graph: 'extended' runs the same MLAS kernels in both (native
'all' adds its NCHWc layouts, which wasm does not have). The int8 classifier is timed too, where the run has one.
Writes bench/results/browser_options.{json,md}.
  python bench/bench_browser_options.py [--run runs/pipeline] [--rounds 3]
`--run` is a `tinycats pipeline` folder (its onnx/ files). Without one: the pretrained EfficientNet-Lite0 with a fresh
head and a randomised `unet32` U-Net, exported here (the main job's graphs; the timings do not depend on the weights).
"""
import argparse, json, os, platform, statistics, tempfile, time, urllib.parse
from pathlib import Path
import numpy as np, onnxruntime as ort
from playwright.sync_api import sync_playwright
from tinycats.core import read_json
from tinycats.demo import ORT_WEB_VERSION, build_demo, find_chromium, serve

ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync']
OPTIONS = {'all': {'graphOptimizationLevel': 'all'}, 'extended': {'graphOptimizationLevel': 'extended'},
           'basic': {'graphOptimizationLevel': 'basic'},
           'all + fixed batch': {'graphOptimizationLevel': 'all', 'free': True}}
HARNESS = '''
const q = new URLSearchParams(location.search), ort = await import('./ort/ort.wasm.min.mjs');
ort.env.wasm.wasmPaths = new URL('ort/', location.href).href; ort.env.wasm.numThreads = Number(q.get('threads'));
const m = JSON.parse(q.get('model')), opts = JSON.parse(q.get('options')), runs = Number(q.get('runs'));
const sc = m.sidecar, gen = sc.kind === 'generator', B = gen ? 2 : 1, S = sc.size, C = gen ? sc.in_ch : 3;
const buf = new Uint8Array(await (await fetch(m.url)).arrayBuffer()), sessions = {};
for (const [k, o] of Object.entries(opts))
  sessions[k] = await ort.InferenceSession.create(buf, { executionProviders: ['wasm'],
    graphOptimizationLevel: o.graphOptimizationLevel, ...(o.free ? { freeDimensionOverrides: { batch: B } } : {}) });
const x = new ort.Tensor('float32', new Float32Array(B * C * S * S).fill(0.1), [B, C, S, S]);
const feeds = gen ? { x, t: new ort.Tensor('float32', new Float32Array(B).fill(0.5), [B]),
                      y: new ort.Tensor('int64', BigInt64Array.from(Array(B).fill(1n)), [B]) } : { image: x };
for (const s of Object.values(sessions)) for (let i = 0; i < 3; i++) await s.run(feeds);
const ms = Object.fromEntries(Object.keys(sessions).map(k => [k, []]));
for (let i = 0; i < runs; i++) for (const [k, s] of Object.entries(sessions)) {
  const t = performance.now(); await s.run(feeds); ms[k].push(performance.now() - t); }
window.result = { threads: ort.env.wasm.numThreads, ms, cores: navigator.hardwareConcurrency };
'''

LEVELS = {'all': ort.GraphOptimizationLevel.ORT_ENABLE_ALL, 'extended': ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
          'basic': ort.GraphOptimizationLevel.ORT_ENABLE_BASIC}

def native(f:Path, m:dict, threads:int, runs:int) -> dict:
    "{option set: call times in ms} of `f` in Python onnxruntime: the page's inputs, option sets and thread count"
    sc = m['sidecar']; gen = sc['kind'] == 'generator'; B = 2 if gen else 1
    x = np.full((B, sc['in_ch'] if gen else 3, sc['size'], sc['size']), 0.1, np.float32)
    feeds = {'x': x, 't': np.full(B, .5, np.float32), 'y': np.ones(B, np.int64)} if gen else {'image': x}
    sessions = {}
    for k, o in OPTIONS.items():
        so = ort.SessionOptions(); so.graph_optimization_level = LEVELS[o['graphOptimizationLevel']]
        so.intra_op_num_threads, so.inter_op_num_threads, so.log_severity_level = threads, 1, 3
        if o.get('free'): so.add_free_dimension_override_by_name('batch', B)
        sessions[k] = ort.InferenceSession(str(f), so, providers=['CPUExecutionProvider'])
    ms = {k: [] for k in sessions}
    for k, s in sessions.items():   # one session at a time: each has its own spinning thread pool (the page's share one)
        for _ in range(3): s.run(None, feeds)
        for _ in range(runs):
            t = time.perf_counter(); s.run(None, feeds); ms[k].append(1e3 * (time.perf_counter() - t))
    return ms

def models(run, tmp:Path) -> Path:
    "The onnx folder of the run folder `run`, or stand-in models exported here"
    if run and (Path(run)/'onnx'/'generator.onnx').exists(): return Path(run)/'onnx'
    from tinycats.classifier import CatClassifier
    from tinycats.generator import generator_from_preset, randomize_
    from tinycats.onnx import export_classifier, export_generator
    export_classifier(CatClassifier(pretrained=True).eval(), tmp/'onnx')
    export_generator(randomize_(generator_from_preset('unet32')).eval(), tmp/'onnx')
    return tmp/'onnx'

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--run', default='runs/pipeline'); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--runs', type=int, default=20, help='timed calls per option set, per page')
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp()); onnx_dir = models(a.run, tmp)
    files = [onnx_dir/n for n in ('classifier.onnx', 'classifier.int8.onnx', 'generator.onnx') if (onnx_dir/n).exists()]
    site = build_demo(files, tmp/'site')
    (site/'options.js').write_text(HARNESS)
    (site/'options.html').write_text('<script type="module" src="options.js"></script>')
    srv = serve(site, 0); base = f'http://127.0.0.1:{srv.server_port}/options.html'
    cfg = read_json(site/'models.json'); res, nat = {}, {}
    with sync_playwright() as pw:
        launch = lambda: pw.chromium.launch(executable_path=find_chromium(), args=ARGS)
        b = launch(); pg = b.new_page(); pg.goto(f'http://127.0.0.1:{srv.server_port}/')
        info = pg.evaluate('window.tinycats.ready'); b.close()
        threads = sorted({1, info['hardware_concurrency']})
        for rd in range(a.rounds):   # each round: every page in a fresh browser, closed before native code runs alone
            b = launch()
            for m in cfg['models']:
                for t in threads:
                    pg = b.new_page()
                    q = urllib.parse.urlencode({'threads': t, 'runs': a.runs, 'model': json.dumps(m),
                                                'options': json.dumps(OPTIONS)})
                    pg.goto(f'{base}?{q}')
                    pg.wait_for_function('window.result', timeout=600_000); r = pg.evaluate('window.result'); pg.close()
                    for k, v in r['ms'].items():
                        res.setdefault(m['name'], {}).setdefault(f'{t}', {}).setdefault(k, []).extend(v)
            b.close()
            for m in cfg['models']:
                for t in threads:
                    for k, v in native(site/'models'/m['name'], m, t, a.runs).items():
                        nat.setdefault(m['name'], {}).setdefault(f'{t}', {}).setdefault(k, []).extend(v)
    srv.shutdown()
    med = lambda r: {n: {t: {k: statistics.median(v) for k, v in d.items()} for t, d in ts.items()} for n, ts in r.items()}
    p50, p50_native = med(res), med(nat)
    meta = {'models': str(onnx_dir), 'stand_ins': onnx_dir == tmp/'onnx', 'onnxruntime_web': ORT_WEB_VERSION,
            'chromium': info['user_agent'].split('Chrome/')[1].split(' ')[0], 'cores': info['hardware_concurrency'],
            'machine': f'{platform.machine()}, {os.cpu_count()} cores', 'rounds': a.rounds, 'runs': a.runs,
            'onnxruntime': ort.__version__}
    Path('bench/results').mkdir(parents=True, exist_ok=True)
    Path('bench/results/browser_options.json').write_text(json.dumps({'meta': meta, 'p50_ms': p50, 'p50_ms_native': p50_native}, indent=1))
    ref = lambda n: p50[n]['1']['all']
    L = ['| model | threads | ' + ' | '.join(OPTIONS) + ' |', '|---|---|' + '---|' * len(OPTIONS)]
    for n, ts in p50.items():
        for t, d in ts.items():
            L.append(f'| `{n}` | {t} | ' + ' | '.join(f'{d[k]:.2f} ms ({d[k]/ref(n):.2f}x)' for k in OPTIONS) + ' |')
    L += ['', "p50 of one call in the worker (classifier batch 1, generator batch 2), relative to 1 thread with 'all'. "
          "Models "
          f"{'exported by this script (stand-ins with random weights)' if meta['stand_ins'] else f'from `{a.run}`'}; "
          f"onnxruntime-web {ORT_WEB_VERSION}, Chromium {meta['chromium']}, {meta['machine']}; {a.rounds} rounds.", '',
          '| model | threads | ' + ' | '.join(f'{k}: native, wasm/native' for k in OPTIONS) + ' |',
          '|---|---|' + '---|' * len(OPTIONS)]
    for n, ts in p50_native.items():
        for t, d in ts.items():
            L.append(f'| `{n}` | {t} | ' + ' | '.join(f'{d[k]:.2f} ms, {p50[n][t][k]/d[k]:.1f}x' for k in OPTIONS) + ' |')
    L += ['', f"The same files, option sets, inputs and thread counts in Python onnxruntime {ort.__version__} (native "
          "code), timed in the same rounds: its p50 per call, and the browser's p50 over it."]
    Path('bench/results/browser_options.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))
