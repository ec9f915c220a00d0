"""The sampler settings of a trained generator, chosen on `valid`: solver, steps, guidance scale, time shift.

Every point draws `--n` samples with the `valid` split's label mix from the same start noise (seed 0 unless it says otherwise) and scores them
against the `valid` photos (FID, KID, precision/recall; the floor: as many real `train` photos); the time per image
is the wall time of the sampling alone on this machine, all threads. `test` is never read. Results are saved after
each point (rerunning skips the finished ones, `--fresh` starts over). Writes bench/results/sampling.{json,md}.
  python bench/bench_sampling.py MODEL [--data ../shared/data/pets-mini] [--n 177] [--only NAME...]
MODEL: a generator folder or checkpoint (e.g. the main job's `runs/pipeline/generator`).
"""
import argparse, json, platform, time
from pathlib import Path
import torch
from tinycats.core import TinycatsError, pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator, read_checkpoint
from tinycats.evaluate import proportional_labels, generate, evaluate_samples

# name: sampler settings (`generate` / `sample_flow`). The first is the main job's setting before this sweep.
POINTS = {
    'heun 50, cfg 4':            dict(sampler='heun', steps=50, cfg=4.0),
    'heun 25, cfg 4':            dict(sampler='heun', steps=25, cfg=4.0),
    'heun 10, cfg 4':            dict(sampler='heun', steps=10, cfg=4.0),
    'euler 50, cfg 4':           dict(sampler='euler', steps=50, cfg=4.0),
    'euler 25, cfg 4':           dict(sampler='euler', steps=25, cfg=4.0),
    'euler 10, cfg 4':           dict(sampler='euler', steps=10, cfg=4.0),
    'heun 25, cfg 2':            dict(sampler='heun', steps=25, cfg=2.0),
    'heun 25, cfg 3':            dict(sampler='heun', steps=25, cfg=3.0),
    'heun 25, cfg 5':            dict(sampler='heun', steps=25, cfg=5.0),
    'heun 25, cfg 6':            dict(sampler='heun', steps=25, cfg=6.0),
    'heun 25, cfg 4, shift 0.5': dict(sampler='heun', steps=25, cfg=4.0, shift=0.5),
    'heun 25, cfg 4, shift 2':   dict(sampler='heun', steps=25, cfg=4.0, shift=2.0),
    # guidance only at middle noise levels (Kynkaanniemi et al. 2024): sigma in (0.28, 5.42] is t in (0.16, 0.78)
    'heun 25, cfg 4, guided t 0.16-0.78': dict(sampler='heun', steps=25, cfg=4.0, cfg_interval=(0.16, 0.78)),
    'heun 25, cfg 6, guided t 0.16-0.78': dict(sampler='heun', steps=25, cfg=6.0, cfg_interval=(0.16, 0.78)),
    'euler 5, cfg 4':            dict(sampler='euler', steps=5, cfg=4.0),
    'euler 15, cfg 4':           dict(sampler='euler', steps=15, cfg=4.0),
    'euler 10, cfg 2':           dict(sampler='euler', steps=10, cfg=2.0),
    'euler 10, cfg 3':           dict(sampler='euler', steps=10, cfg=3.0),
    'euler 10, cfg 6':           dict(sampler='euler', steps=10, cfg=6.0),
    'euler 10, cfg 4, shift 0.5': dict(sampler='euler', steps=10, cfg=4.0, shift=0.5),
    'euler 10, cfg 4, shift 2':  dict(sampler='euler', steps=10, cfg=4.0, shift=2.0),
    # the same settings from another start noise: how large the seed-to-seed gap is
    'euler 10, cfg 4, noise seed 1': dict(sampler='euler', steps=10, cfg=4.0, seed=1),
    'heun 50, cfg 4, noise seed 1':  dict(sampler='heun', steps=50, cfg=4.0, seed=1),
}

def run(model, kw, y, df):
    gkw = {k: v for k, v in kw.items() if k != 'seed'}
    t0 = time.perf_counter()
    x = generate(model, y, seed=kw.get('seed', 0), progress=False, **gkw)
    ms = 1000 * (time.perf_counter() - t0) / len(x)
    ev = evaluate_samples(x, y, df, None, progress=False, ref='valid')
    keep = ('fid', 'kid', 'precision', 'recall')
    return {'settings': kw, 'net_calls': kw['steps'] * (2 if kw['sampler'] == 'heun' else 1), 'ms_per_image': round(ms, 1),
            **{k: ev[k] for k in keep}, 'floor': {k: ev['floor'][k] for k in keep}, 'n': len(x),
            **{k: ev[k] for k in ('near_copy_share', 'nn_dist_median') if k in ev}}

def write(doc, out):
    res = {k: doc['results'][k] for k in POINTS if k in doc['results']}
    (out/'sampling.json').write_text(json.dumps({**doc, 'results': res}, indent=1))
    floor = next(iter(res.values()))['floor']['fid']
    rows = ["| sampler | network calls | ms/image | FID | KID x1000 | precision | recall |", "|---|---|---|---|---|---|---|"]
    rows += [f"| {k} | {r['net_calls']} | {r['ms_per_image']:.0f} | {r['fid']:.1f} | {1000*r['kid']:.1f} | "
             f"{r['precision']:.2f} | {r['recall']:.2f} |" for k, r in res.items()]
    md = (f"Sampler settings of `{doc['model']}` ({doc['model_steps']} training steps) on pets-mini: {doc['n']} samples "
          f"(seed 0, the `valid` label mix) against the {doc['n']} `valid` photos; real-vs-real floor FID {floor:.1f} "
          f"({doc['n']} `train` photos). {doc['threads']} threads, {doc['cpu_capability']} CPU, torch {doc['torch']}. "
          "One noise seed: treat gaps of a few FID points as noise. Guidance doubles the batch of every network call.\n\n"
          + '\n'.join(rows) + '\n')
    (out/'sampling.md').write_text(md)
    return md

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('model'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--n', type=int, default=177); p.add_argument('--only', nargs='*')
    p.add_argument('--fresh', action='store_true'); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    jf = out/'sampling.json'
    doc = json.loads(jf.read_text()) if jf.exists() and not a.fresh else {}
    m = load_generator(a.model, 'cpu')
    try: steps = read_checkpoint(a.model)[1].get('step')
    except TinycatsError: steps = None   # a bare model/ folder: no checkpoint beside it
    doc.update({'model': a.model, 'model_steps': steps, 'n': a.n, 'reference': 'valid', 'threads': torch.get_num_threads(),
                'torch': torch.__version__, 'cpu': platform.processor() or platform.machine(),
                'cpu_capability': torch.backends.cpu.get_cpu_capability()})
    results = doc.setdefault('results', {})
    df, _ = scan_pets(a.data, progress=False)
    y = proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n)
    for name, kw in POINTS.items():
        if name in results or (a.only is not None and name not in a.only): continue
        results[name] = r = run(m, kw, y, df)
        print(f"{name}: FID {r['fid']:.1f} (floor {r['floor']['fid']:.1f}), {r['ms_per_image']:.0f} ms/image", flush=True)
        write(doc, out)
    if results: print(write(doc, out))
