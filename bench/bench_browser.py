"""The browser demo's speed against Python onnxruntime and eager PyTorch, side by side in one run, on the same models.

The Benchmark view of `tinycats demo` runs in headless Chromium (Playwright, onnxruntime-web wasm, threads as the page
picks them), interleaved round by round with Python's onnxruntime and eager PyTorch with the same thread count (so a
busy machine slows them alike): the generator drawing one image with the sampling its sidecar recommends (`sampling`:
solver, steps, guidance; with guidance one batched call of 2 per step), and the classifier at batch 1 (the network call,
as the page times it). The table names the models from their sidecars. Writes bench/results/browser.{json,md}.
  python bench/bench_browser.py [--run runs/pipeline] [--runs 30] [--rounds 3] [--threads 2]
`--run` is a `tinycats pipeline` folder (its onnx/ files; classifier/ and generator/ for PyTorch). Without one: the
pretrained EfficientNet-Lite0 with a fresh head and a randomised `unet32` U-Net, exported here (same sizes).
"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import numpy as np, torch
from playwright.sync_api import sync_playwright
from tinycats.core import pets_mini_path, read_json
from tinycats.images import preprocess
from tinycats.runtime import OnnxClassifier, OnnxGenerator
from tinycats.sampling import sample
from tinycats.demo import build_demo, find_chromium, serve, ORT_WEB_VERSION
from _machine import cpu_name   # bench/_machine.py (the script's own folder is on the path)

ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync']

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

def describe(sc:dict) -> str:
    "What the ONNX file of sidecar `sc` is: architecture, input size, precision, size, checksum, tinycats version"
    if sc['kind'] == 'classifier': what = f"{sc.get('arch') or 'classifier'}, {sc['size']} px"
    else:
        c = sc['config']
        what = f"{c['backbone']} {sc['size']} px ({', '.join(f'{k} {c[k]}' for k in ('ch', 'ch_mult', 'dim', 'depth', 'patch') if k in c)})"
    return (f"`{sc['file']}`: {what}, {sc['precision']}, {sc['bytes']/1e6:.1f} MB, sha256 {sc['sha256'][:12]}, "
            f"tinycats {sc.get('tinycats_version')}")

def browser_round(pg, runs, warmup, s):
    return pg.evaluate('o => window.tinycats.benchmark(o)', dict(warmup=warmup, runs=runs, **s))


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--run', default='runs/pipeline'); p.add_argument('--runs', type=int, default=30)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp())
    onnx_dir, tclf, tgen = models(a.run, tmp)
    made_here = onnx_dir == tmp/'onnx'
    scs = {k: read_json(onnx_dir/f'{k}.onnx.json') for k in ('classifier', 'generator')}
    S = scs['generator']['sampling']   # the model's recommended sampling: {sampler, steps, cfg}
    STEPS, CFG, SAMPLER = S['steps'], S['cfg'], S['sampler']
    site = build_demo([onnx_dir/'classifier.onnx', onnx_dir/'generator.onnx'], tmp/'site')
    srv = serve(site, 0)
    oclf, ogen = OnnxClassifier(onnx_dir/'classifier.onnx', threads=a.threads), OnnxGenerator(onnx_dir/'generator.onnx', threads=a.threads)
    photo = sorted((pets_mini_path()/'images').glob('*.jpg'))[0]
    x = preprocess(photo, oclf.size)[None]
    xt = torch.from_numpy(x)
    per = a.runs // a.rounds
    res = {k: {'classify': [], 'generate': []} for k in ('browser', 'onnxruntime', 'pytorch')}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=find_chromium(), args=ARGS)
        pg = b.new_page(); pg.goto(f'http://127.0.0.1:{srv.server_port}/')
        info = pg.evaluate('window.tinycats.ready')
        for rd in range(a.rounds):
            r = browser_round(pg, per, 3 if rd == 0 else 1, S)
            assert (r['generate']['steps'], r['generate']['sampler'], r['generate']['cfg']) == (STEPS, SAMPLER, CFG), r['generate']
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
    meta = {'models': str(onnx_dir), 'made_here': made_here, 'sidecars': {k: describe(v) for k, v in scs.items()},
            'generator': f'{tgen.config["img_size"]} px, {STEPS} {SAMPLER} steps, guidance {CFG:g}: the sampling its '
                         f'sidecar recommends, {"2 images" if CFG != 1 else "1 image"} per call',
            'classifier': f'{oclf.size} px, batch 1, network call only', 'threads': a.threads, 'browser': info,
            'onnxruntime_web': ORT_WEB_VERSION, 'machine': f'{platform.machine()}, {cpu_name()}, '
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
    src = ('made by this script (pretrained EfficientNet-Lite0 with a random head, a random unet32 U-Net; '
           f'no run folder at `{a.run}`)' if made_here else f'from `{a.run}`')
    L += ['', f"Models {src}: {'; '.join(meta['sidecars'].values())}.", '',
          f"{a.rounds} interleaved rounds, {a.runs} timed runs each; {meta['machine']}; "
          f"Chromium {info['user_agent'].split('Chrome/')[1].split(' ')[0]}, "
          f"crossOriginIsolated {info['crossOriginIsolated']}. Targets: a generated image under 0.3 s in the browser and within 3x of "
          "Python onnxruntime; the classifier within 3x."]
    Path('bench/results/browser.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))
