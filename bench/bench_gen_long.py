"""Generator backbones trained for about the main job's generator time (half an hour on 2 cores), scored on `valid`.

The 200-CPU-second comparison (`bench_gen_recipes.py`) measures the start of training; this one measures the length
the main job trains for. Each MODEL is a finished training folder (its train.json gives steps, time and loss). Every
model draws `--n` samples with the `valid` label mix from noise seeds 0 and 1, with one sampler for all (`--sampler`,
`--steps`, `--cfg`; by default the recommended `tinycats.solvers.SAMPLING`; the recorded run used Euler, 10 steps,
guidance 4, the main job's setting then), scored against the `valid` photos (FID, KID,
precision/recall; the floor: as many real `train` photos). `test` is never read. Writes
bench/results/gen_long.{json,md,png} (the picture: a panel of samples per model, shown in the docs).
  python bench/bench_gen_long.py NAME=FOLDER [NAME=FOLDER ...] [--data ../shared/data/pets-mini] [--n 177]
The run recorded in bench/results (each folder's train.json holds its settings):
  python bench/bench_gen_long.py --steps 10 --cfg 4 dit=runs/pipeline/generator "unet 32 ch=runs/unet_bf16" "unet32 (48 ch)=runs/unet48_bf16"
  dit:            the main job's generator, from `tinycats pipeline --data ../shared/data/pets-mini`
  unet 32 ch:     train_generator(data, 'runs/unet_bf16', preset='unet32', ch=32, steps=4500, batch_size=32, lr=2e-3,
                                  mixed_precision='bf16', device='cpu', log_every=250)
  unet32 (48 ch): tinycats train-generator --data ../shared/data/pets-mini --out runs/unet48_bf16 --preset unet32
                      --steps 2700 --batch-size 32 --lr 2e-3 --mixed-precision bf16 --device cpu --log-every 150 --log-with none
"""
import argparse, json, platform
from pathlib import Path
import torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from tinycats.core import TinycatsError, pets_mini_path, BREEDS, OTHER
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels, generate, evaluate_samples
from tinycats.solvers import sampling_settings
from tinycats.sampling import preview_grid

SEEDS = (0, 1)
KEEP = ('fid', 'kid', 'precision', 'recall')

def score(model, y, df, s):
    "FID etc. of `model`'s samples for labels `y` against `valid`, one entry per noise seed"
    res = {}
    for seed in SEEDS:
        x = generate(model, y, seed=seed, progress=False, **s)
        ev = evaluate_samples(x, y, df, None, progress=False, ref='valid')
        res[str(seed)] = {**{k: ev[k] for k in KEEP}, 'floor_fid': ev['floor']['fid']}
    return res

def write(doc, out):
    (out/'gen_long.json').write_text(json.dumps(doc, indent=1))
    rows = ["| model | params (M) | autocast | steps | s/step | train wall (min) | train CPU (min) | valid v-loss "
            "| FID, seed 0 | FID, seed 1 | KID x1000 (mean) | precision | recall |", "|" + "---|" * 13]
    for k, r in doc['results'].items():
        sc = list(r['scores'].values()); m = lambda f: sum(v[f] for v in sc) / len(sc)
        rows.append(f"| {k} | {r['params']/1e6:.2f} | {r['mixed_precision']} | {r['steps']} | "
                    f"{r['wall_s']/r['steps']:.3f} | {r['wall_s']/60:.1f} | "
                    f"{r['cpu_s']/60:.1f} | {r['valid_loss']:.4f} | {sc[0]['fid']:.1f} | {sc[1]['fid']:.1f} | "
                    f"{1000*m('kid'):.1f} | {m('precision'):.2f} | {m('recall'):.2f} |")
    floor = next(iter(doc['results'].values()))['scores']['0']['floor_fid']
    md = (f"Generators trained for about the main job's generator time on pets-mini `train` ({doc['threads']} threads, "
          f"{doc['cpu_capability']} CPU, torch {doc['torch']}), scored on `valid`: {doc['n']} samples (the `valid` "
          f"label mix; {doc['sampler']}) against the {doc['n']} `valid` photos; real-vs-real floor FID {floor:.1f}. "
          "Batch 32, lr 0.002, 200 warm-up steps, cosine to 0.1x, EMA 0.999. Two noise seeds of one trained model "
          "each: the seed gap is sampling noise only, not training noise.\n\n" + '\n'.join(rows) + '\n\n'
          "![samples](gen_long.png)\n")
    (out/'gen_long.md').write_text(md)
    return md

def grids(models, fig_path, s):
    "One panel of samples per model (rows: the 13 labels; the evaluation's sampler `s`), side by side, at `fig_path`"
    fig, axs = plt.subplots(1, len(models), figsize=(4.2*len(models), 9.5), squeeze=False)
    for ax, (k, m) in zip(axs[0], models.items()):
        ax.imshow(preview_grid(m, BREEDS + [OTHER], n_per=6, seed=0, **s)); ax.set_title(k); ax.axis('off')
    fig.tight_layout(); fig.savefig(fig_path, dpi=110); plt.close(fig)

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('models', nargs='+', help='NAME=FOLDER: a finished training folder (with train.json)')
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--n', type=int, default=177)
    p.add_argument('--out', default='bench/results'); p.add_argument('--fig', default='bench/results/gen_long.png')
    p.add_argument('--sampler'); p.add_argument('--steps', type=int); p.add_argument('--cfg', type=float)
    a = p.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    pairs = [m.split('=', 1) for m in a.models]
    if any(len(q) != 2 for q in pairs): raise SystemExit("models are given as NAME=FOLDER")
    s = sampling_settings(sampler=a.sampler, steps=a.steps, cfg=a.cfg)   # one sampler for every model
    doc = {'n': a.n, 'reference': 'valid', 'sampler': f"{s['sampler']}, {s['steps']} steps, guidance {s['cfg']:g}",
           'threads': torch.get_num_threads(), 'torch': torch.__version__, 'cpu': platform.processor() or platform.machine(),
           'cpu_capability': torch.backends.cpu.get_cpu_capability(), 'results': {}}
    df, _ = scan_pets(a.data, progress=False)
    y = proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n)
    models = {}
    for name, folder in pairs:
        tj = Path(folder)/'train.json'
        if not tj.exists(): raise TinycatsError(f"{folder}: no train.json (not a finished training folder)")
        t = json.loads(tj.read_text())
        models[name] = m = load_generator(folder, 'cpu')
        doc['results'][name] = r = {'folder': folder, 'model': t['config']['model'], **{k: t[k] for k in
                                    ('step', 'wall_s', 'cpu_s', 'valid_loss', 'params', 'mixed_precision')},
                                    'scores': score(m, y, df, s)}
        r['steps'] = r.pop('step')
        print(name, {k: round(v['fid'], 1) for k, v in r['scores'].items()}, flush=True)
        write(doc, out)
    grids(models, a.fig, s)
    print(write(doc, out))
