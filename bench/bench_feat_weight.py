"""How heavy the Lite0 feature loss should be: its weight in the main job's U-Net recipe, two seeds, on `valid`.

`cpu32` trains with `feat_loss=0.1` (`gen_levers.md`: 9.0 FID points better than without at guidance 2, from two
seeds). This script asks whether more of it pays: the main job's recipe (`bench_nonleak.main_recipe`: preset `unet32`,
batch 32, lr 0.002) with each weight of `--weights` from each training seed of `--seeds`, `--steps` steps each, trained
into `--work/w<weight>-s<seed>` (a finished run of these settings is reused, an interrupted one resumed; at the default
1500 steps, 40-50% of a main job's generator steps on a CPU without AMX, a run takes 18-21 minutes alone on two cores of
an AVX-512 CPU, about 33 when two run side by side with a thread each). Each is scored as `bench_gen_levers.py` scores
its runs (`bench_autoguidance.score`): `--n` samples with the `valid` label mix, Euler 10 at the main job's guidance
(`cpu32`'s `eval_cfg`), two noise seeds, against the `valid` photos (the floor: as many `train` photos). Change: FID's
change from the first weight from the same training seed, the mean over the seeds. `test` is never read.
Writes bench/results/feat_weight.{json,md}.
  python bench/bench_feat_weight.py [--weights 0.1 0.3] [--seeds 0 1] [--steps 1500]
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels
from tinycats.pipeline import PIPELINE_SETTINGS
from tinycats.train_step import keep_freed_memory
from bench_autoguidance import run_cells, score   # the same samples and scores (bench/ is on the path)
from bench_nonleak import main_recipe

CFG = PIPELINE_SETTINGS['cpu32']['eval_cfg']   # the main job's guidance

def summary(rows:list) -> dict:
    "Per weight: FID by training seed, the mean, and the mean change from the first weight's, paired by seed"
    out = {}
    for w in dict.fromkeys(r['weight'] for r in rows):
        fid = {str(r['seed']): r['mean']['fid'] for r in rows if r['weight'] == w}   # keys as in the JSON
        out[f'{w:g}'] = {'weight': w, 'fid': fid, 'mean': float(np.mean(list(fid.values())))}
    base = next(iter(out.values()))['fid']
    for s in out.values(): s['change'] = float(np.mean([v - base[k] for k, v in s['fid'].items()]))
    return out

def table(doc) -> str:
    floor, seeds = doc['rows'][0]['floor_fid'], doc['seeds']
    rows = ["| feature-loss weight | " + ' | '.join(f'FID, seed {s}' for s in seeds) + " | mean FID | mean / floor | "
            "change |", '|---|' + '---|'*(len(seeds) + 3)]
    for i, s in enumerate(doc['summary'].values()):
        per = ' | '.join(f"{s['fid'][str(k)]:.1f}" for k in seeds)
        rows.append(f"| {s['weight']:g} | {per} | {s['mean']:.1f} | {s['mean']/floor:.2f}x | "
                    f"{'' if i == 0 else format(s['change'], '+.1f')} |")
    runs = ["| weight | training seed | valid v-loss | FID (noise 0, 1000) | KID x1000 | precision | recall | "
            "near-copies |", '|---|---|---|---|---|---|---|---|']
    for r in doc['rows']:
        runs.append(f"| {r['weight']:g} | {r['seed']} | {r['valid_loss']:.4f} | " + run_cells(r))
    return (f"The weight of the loss on Lite0 features of the denoised estimate, on the main job's U-Net recipe "
            f"(unet32, batch 32, lr 0.002, {doc['steps']} steps), from training seeds {', '.join(map(str, seeds))}: "
            f"{doc['n']} samples per noise seed (the `valid` label mix, Euler 10, guidance {doc['cfg']:g} as the main "
            f"job samples) against the {doc['n']} `valid` photos, the mean of two noise seeds; real-vs-real floor FID "
            f"{floor:.1f}. Change: FID's change from weight {doc['rows'][0]['weight']:g} from the same training seed, "
            f"the mean over the seeds (negative is better). {doc['threads']} threads, {doc['cpu']}, torch "
            f"{doc['torch']}.\n\n" + '\n'.join(rows) + "\n\nEvery run:\n\n" + '\n'.join(runs) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--weights', nargs='+', type=float, default=[0.1, 0.3])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1]); p.add_argument('--steps', type=int, default=1500)
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--work', default='runs/featw')
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    if min(a.weights) <= 0: p.error(f"--weights must be positive (the plain recipe is in gen_levers.md): {a.weights}")
    keep_freed_memory()   # as the main job trains: the same steps, sooner
    t0 = time.time()
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    rows = []
    for w in dict.fromkeys(a.weights):
        for seed in dict.fromkeys(a.seeds):
            f = main_recipe(Path(a.work)/f'w{w:g}-s{seed}', a.steps, a.data, seed, feat_loss=w)
            t = json.loads((f/'train.json').read_text())
            rows.append({'weight': w, 'seed': seed, 'steps': t['step'], 'valid_loss': t['valid_loss'],
                         'train_wall_s': t['wall_s'], **score(load_generator(f, 'cpu'), y, df, CFG), 'folder': str(f)})
            print(f'weight {w:g}, seed {seed}:', rows[-1]['mean'], flush=True)
    doc = {'n': a.n, 'steps': a.steps, 'cfg': CFG, 'seeds': list(dict.fromkeys(a.seeds)),
           'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': rows,
           'summary': summary(rows), 'wall_s': round(time.time() - t0)}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'feat_weight.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'feat_weight.md').write_text(md := table(doc))
    print(md)
