"""File size and CPU latency of PyTorch vs ONNX float32 vs ONNX int8, for the classifier and one generator network call.

All variants run side by side in one process, interleaved round by round (so a busy machine slows them alike), with
the same number of threads; the result is the ratios to PyTorch. Writes bench/results/onnx.{json,md}.
  python bench/bench_onnx.py [--classifier models/classifier] [--generator models/generator] [--threads 2] [--rounds 7]
Without trained models: the pretrained EfficientNet-Lite0 with a fresh head and a randomised `unet32` U-Net (same sizes).
"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import numpy as np, torch
import onnxruntime as ort
from tinycats.core import pets_mini_path
from tinycats.images import preprocess
from tinycats.classifier import CatClassifier
from tinycats.generator import generator_from_preset, model_sampling, model_velocity, n_params, randomize_
from tinycats.onnx import export_classifier, export_generator

def session(f, threads):
    so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1; so.log_severity_level = 3
    return ort.InferenceSession(str(f), so, providers=['CPUExecutionProvider'])

def time_it(fn, reps):
    fn()  # warm-up
    t = time.perf_counter()
    for _ in range(reps): fn()
    return (time.perf_counter() - t) / reps

def interleaved(fns:dict, rounds, reps):
    "Median seconds per call of each function in `fns`, measured round-robin"
    ts = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items(): ts[k].append(time_it(f, reps))
    return {k: float(np.median(v)) for k, v in ts.items()}

def weights_size(model, d):
    model.save_pretrained(d)
    return (Path(d)/'model.safetensors').stat().st_size

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--classifier'); p.add_argument('--generator')
    p.add_argument('--threads', type=int, default=2); p.add_argument('--rounds', type=int, default=7)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp())
    from tinycats.checkpoint import load_generator
    clf = CatClassifier.load(a.classifier, 'cpu') if a.classifier else CatClassifier(pretrained=True).eval()
    gen = load_generator(a.generator, 'cpu') if a.generator else randomize_(generator_from_preset('unet32')).eval()
    ec, eg = export_classifier(clf, tmp/'onnx', int8=True), export_generator(gen, tmp/'onnx', int8=True)
    rows, sizes = [], {}
    # classifier: real photos, preprocessed once (preprocessing is the same for every variant)
    files = sorted((pets_mini_path()/'images').glob('*.jpg'))[::30][:32]
    x = np.stack([preprocess(f, clf.size) for f in files])
    sc = {k: session(f, a.threads) for k, f in zip(('onnx_fp32', 'onnx_int8'), ec['files'])}
    sizes['classifier'] = {'pytorch': weights_size(clf, tmp/'clf'), **{k: Path(f).stat().st_size for k, f in zip(sc, ec['files'])}}
    for bs, reps in ((1, 10), (32, 1)):
        xb, xt = x[:bs], torch.from_numpy(x[:bs])
        def pt():
            with torch.inference_mode(): clf(xt).softmax(1)
        t = interleaved({'pytorch': pt, **{k: (lambda s=s: s.run(None, {'image': xb})) for k, s in sc.items()}}, a.rounds, reps)
        rows.append({'model': 'classifier', 'batch': bs, **{k: v/bs for k, v in t.items()}})
    # generator: one network call (x, t, y) -> velocity; batch 16 = 8 images with classifier-free guidance
    c = gen.config
    sg = {k: session(f, a.threads) for k, f in zip(('onnx_fp32', 'onnx_int8'), eg['files'])}
    sizes['generator'] = {'pytorch': weights_size(gen, tmp/'gen'), **{k: Path(f).stat().st_size for k, f in zip(sg, eg['files'])}}
    for bs, reps in ((1, 20), (16, 5)):
        g = torch.Generator().manual_seed(0)
        xt, tt, yt = torch.randn(bs, c['in_ch'], c['img_size'], c['img_size'], generator=g), torch.rand(bs, generator=g), torch.randint(0, c['n_classes']+1, (bs,), generator=g)
        feeds = {'x': xt.numpy(), 't': tt.numpy(), 'y': yt.numpy()}
        def pt():
            with torch.inference_mode(): model_velocity(gen, xt, tt, yt)
        t = interleaved({'pytorch': pt, **{k: (lambda s=s: s.run(None, feeds)) for k, s in sg.items()}}, a.rounds, reps)
        rows.append({'model': f"generator ({c['img_size']}px, {sum(q.numel() for q in gen.parameters())/1e6:.1f}M params)", 'batch': bs, **{k: v/bs for k, v in t.items()}})
    sp = model_sampling(gen)
    res = {'machine': f"{platform.processor() or platform.machine()}, {a.threads} threads", 'torch': torch.__version__, 'onnxruntime': ort.__version__,
           'classifier': f"trained {clf.arch} at {clf.size} px" if a.classifier else f'pretrained {clf.arch}, fresh head',
           'generator': (f"trained {type(gen).__name__} {c['img_size']} px, {n_params(gen)/1e6:.1f}M parameters"
                         if a.generator else 'random unet32 U-Net'),
           'rounds': a.rounds, 'latency_s_per_image': rows, 'bytes': sizes}
    out = Path(__file__).parent/'results'; out.mkdir(exist_ok=True)
    (out/'onnx.json').write_text(json.dumps(res, indent=2))
    ms = lambda r, k: f"{r[k]*1e3:.2f} ms" + ("" if k == 'pytorch' else f" ({r['pytorch']/r[k]:.2f}x)")
    md = ["| model | batch | PyTorch | ONNX fp32 (speed-up) | ONNX int8 (speed-up) |", "|---|---|---|---|---|",
          *[f"| {r['model']} | {r['batch']} | {ms(r, 'pytorch')} | {ms(r, 'onnx_fp32')} | {ms(r, 'onnx_int8')} |" for r in rows], "",
          "| file | PyTorch (safetensors) | ONNX fp32 | ONNX int8 |", "|---|---|---|---|",
          *[f"| {k} | {v['pytorch']/1e6:.2f} MB | {v['onnx_fp32']/1e6:.2f} MB ({v['onnx_fp32']/v['pytorch']:.2f}x) | {v['onnx_int8']/1e6:.2f} MB ({v['onnx_int8']/v['pytorch']:.2f}x) |" for k, v in sizes.items()], "",
          f"Latency per image (median of {a.rounds} interleaved rounds), {res['machine']}, torch {torch.__version__}, onnxruntime {ort.__version__}; "
          f"classifier: {res['classifier']}; generator: {res['generator']} (one network call; a sample with the model's recommended sampling, {sp['sampler']} {sp['steps']} with guidance, is "
          f"{sp['steps']*(2 if sp['sampler'] == 'heun' else 1)} calls at twice the batch). "
          "Classifier timings exclude the JPEG decoding and resizing, which are the same for all three."]
    (out/'onnx.md').write_text('\n'.join(md) + '\n'); print('\n'.join(md))
