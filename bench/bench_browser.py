"""The browser demo's speed against Python onnxruntime and eager PyTorch, side by side in one run, on the same models.

The Benchmark view of `tinycats demo` runs in headless Chromium (Playwright, onnxruntime-web wasm, threads as the page
picks them), interleaved round by round with Python's onnxruntime and eager PyTorch with the same thread count (so a
busy machine slows them alike): the generator drawing one image with 25 Euler steps and guidance (one batched call of
2 per step), and the classifier at batch 1 (the network call, as the page times it). Writes bench/results/browser.{json,md}.
  python bench/bench_browser.py [--run runs/pipeline] [--runs 30] [--rounds 3] [--threads 2]
`--run` is a `tinycats pipeline` folder (its onnx/ files; classifier/ and generator/ for PyTorch). Without one: the
pretrained EfficientNet-Lite0 with a fresh head and a randomised `unet32` U-Net, exported here (same sizes).
"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import numpy as np, torch
from playwright.sync_api import sync_playwright
from tinycats.core import pets_mini_path
from tinycats.images import preprocess
from tinycats.runtime import OnnxClassifier, OnnxGenerator
from tinycats.sampling import sample
from tinycats.demo import build_demo, serve, ORT_WEB_VERSION

ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync']
STEPS, CFG, SAMPLER = 25, 2.0, 'euler'

def models(run, tmp):
    "(onnx folder, PyTorch classifier, PyTorch generator) of the run folder `run`, or made here"
    from tinycats.classifier import CatClassifier
    from tinycats.checkpoint import load_generator
    if run and (Path(run)/'onnx'/'generator.onnx').exists():
        return Path(run)/'onnx', CatClassifier.load(Path(run)/'classifier', 'cpu').eval(), load_generator(Path(run)/'generator', 'cpu').eval()
    from tinycats.generator import generator_from_preset, randomize_
    from tinycats.onnx import export_classifier, export_generator
    clf, gen = CatClassifier(pretrained=True).eval(), randomize_(generator_from_preset('unet32')).eval()
    export_classifier(clf, tmp/'onnx'); export_generator(gen, tmp/'onnx')
    return tmp/'onnx', clf, gen

def times(fn, n, warmup=1):
    for i in range(warmup): fn(i)
    out = []
    for i in range(n):
        t = time.perf_counter(); fn(i); out.append(1000*(time.perf_counter() - t))
    return out

def summary(ms):
    ms = np.array(ms)
    return {'n': len(ms), 'p50_ms': float(np.percentile(ms, 50)), 'p95_ms': float(np.percentile(ms, 95)),
            'p99_ms': float(np.percentile(ms, 99)), 'mean_ms': float(ms.mean()), 'per_s': float(1000/ms.mean())}

def browser_round(pg, runs, warmup):
    r = pg.evaluate('o => window.tinycats.benchmark(o)', dict(warmup=warmup, runs=runs, steps=STEPS, sampler=SAMPLER, cfg=CFG))
    return r

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--run', default='runs/pipeline'); p.add_argument('--runs', type=int, default=30)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp())
    onnx_dir, tclf, tgen = models(a.run, tmp)
    site = build_demo([onnx_dir/'classifier.onnx', onnx_dir/'generator.onnx'], tmp/'site')
    srv = serve(site, 0)
    oclf, ogen = OnnxClassifier(onnx_dir/'classifier.onnx', threads=a.threads), OnnxGenerator(onnx_dir/'generator.onnx', threads=a.threads)
    photo = sorted((pets_mini_path()/'images').glob('*.jpg'))[0]
    x = preprocess(photo, oclf.size)[None]
    xt = torch.from_numpy(x)
    per = a.runs // a.rounds
    res = {k: {'classify': [], 'generate': []} for k in ('browser', 'onnxruntime', 'pytorch')}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path='/usr/bin/chromium', args=ARGS)
        pg = b.new_page(); pg.goto(f'http://127.0.0.1:{srv.server_port}/')
        info = pg.evaluate('window.tinycats.ready')
        for rd in range(a.rounds):
            r = browser_round(pg, per, 3 if rd == 0 else 1)
            res['browser']['classify'] += r['classify_ms']; res['browser']['generate'] += r['generate_ms']
            res['onnxruntime']['classify'] += times(lambda i: oclf.run(x), per)
            res['onnxruntime']['generate'] += times(lambda i: ogen.sample(['Bengal'], steps=STEPS, sampler=SAMPLER, cfg=CFG, seed=i), per)
            with torch.inference_mode():
                res['pytorch']['classify'] += times(lambda i: tclf(xt).softmax(1), per)
                res['pytorch']['generate'] += times(lambda i: sample(tgen, ['Bengal'], steps=STEPS, sampler=SAMPLER, cfg=CFG, seed=i), per)
        b.close()
    srv.shutdown()
    out = {k: {w: summary(v) for w, v in d.items()} for k, d in res.items()}
    ratio = {w: out['browser'][w]['p50_ms'] / out['onnxruntime'][w]['p50_ms'] for w in ('classify', 'generate')}
    meta = {'models': str(onnx_dir), 'generator': f'{tgen.config["img_size"]} px, {STEPS} {SAMPLER} steps, guidance {CFG} (2 images per call)',
            'classifier': f'{oclf.size} px, batch 1, network call only', 'threads': a.threads, 'browser': info,
            'onnxruntime_web': ORT_WEB_VERSION, 'machine': f'{platform.machine()}, {platform.processor() or "?"}, '
            f'{__import__("os").cpu_count()} cores', 'rounds': a.rounds, 'browser_vs_onnxruntime_p50': ratio}
    Path('bench/results').mkdir(parents=True, exist_ok=True)
    Path('bench/results/browser.json').write_text(json.dumps({'meta': meta, 'results': out}, indent=1, default=str))
    L = ['| what | runtime | p50 ms | p95 ms | p99 ms | per second | vs Python onnxruntime (p50) |', '|---|---|---|---|---|---|---|']
    for w, what in (('generate', f"generate 1 image ({meta['generator']})"), ('classify', f"classify ({meta['classifier']})")):
        for k, name in (('browser', f'browser (onnxruntime-web {ORT_WEB_VERSION}, wasm, {info["threads"]} threads)'),
                        ('onnxruntime', f'Python onnxruntime ({a.threads} threads)'), ('pytorch', f'eager PyTorch ({a.threads} threads)')):
            s = out[k][w]
            L.append(f"| {what} | {name} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['p99_ms']:.1f} | {s['per_s']:.2f} | "
                     f"{s['p50_ms']/out['onnxruntime'][w]['p50_ms']:.2f}x |")
    L += ['', f"Models: `{a.run}` ({'the main job' if 'pipeline' in str(onnx_dir) else 'made here: pretrained EfficientNet-Lite0 + random head, random unet32 U-Net'}); "
          f"{a.rounds} interleaved rounds, {a.runs} timed runs each; {meta['machine']}; Chromium {info['user_agent'].split('Chrome/')[1].split(' ')[0]}, "
          f"crossOriginIsolated {info['crossOriginIsolated']}. Targets: a generated image under 0.3 s in the browser and within 3x of "
          "Python onnxruntime; the classifier within 2x."]
    Path('bench/results/browser.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))
