"""Non-leaking augmentation (EDM, Karras et al. 2022) on the main job's generator recipe, scored on `valid`.

Trains the main job's U-Net recipe (`train_generator`: preset `unet32`, batch 32, lr 0.002, seed 0, as many steps as
the kept main job) with `aug_p` (each `nonleak_augment` transform's probability) into `--work/p<aug_p>`, unless a
finished run of these settings is there, and scores it as `bench_autoguidance.py` scores the main job's own U-Net
(`aug_p=0`): `--n` samples with the `valid` label mix, Euler 10 at each guidance scale of `--ws` (the recommended
3, then 2 and 1: augmentation may move the best scale), two noise seeds, against the `valid` photos (FID, KID, precision/recall, near-copy share; the floor: as many `train` photos).
`test` is never read. One training seed per setting: the noise-seed gap is sampling noise only.
Writes bench/results/nonleak.{json,md}.
  python bench/bench_nonleak.py [--model runs/pipeline/generator] [--ps 0.15] [--ws 3 2 1]
"""
import argparse, json, platform, time
from pathlib import Path
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import CKPT_NAME, load_generator, read_checkpoint
from tinycats.evaluate import proportional_labels
from tinycats.solvers import SAMPLING
from tinycats.train_gen import train_generator
from bench_autoguidance import score   # the same samples and scores (bench/, the script's own folder, is on the path)

def _same(conf:dict, seed:int, recipe:dict, model:dict) -> bool:
    tr = conf['train']
    return tr.get('seed') == seed and all(tr.get(k) == v for k, v in recipe.items()) and \
        all(conf['model'].get(k) == v for k, v in model.items())

def main_recipe(out:Path, steps:int, data:str, seed:int, model:dict|None=None, **recipe) -> Path:
    """The main job's U-Net recipe (preset `unet32`, batch 32, lr 0.002, `seed`, `steps`) with the `TrainConfig` changes
    `recipe` and the generator changes `model` (e.g. `{'ch': 32}`), trained into `out` (a finished run of these settings
    is reused, an interrupted one resumed)"""
    model = model or {}
    rec = json.loads((out/'train.json').read_text()) if (out/'train.json').exists() else {}
    if rec.get('step') == steps and _same(rec['config'], seed, recipe, model): return out
    ck = read_checkpoint(out)[1] if (out/CKPT_NAME).exists() and not rec else None
    resume = bool(ck) and ck['step'] < steps and _same(ck['config'], seed, recipe, model)
    train_generator(data, out, preset='unet32', steps=steps, batch_size=32, lr=2e-3, seed=seed, device='cpu',
                    progress=False, log_every=250, sample_every=0, resume=resume, overwrite=not resume, **recipe,
                    **model)
    return out

def trained(work:Path, p:float, steps:int, data:str, seed:int) -> Path:
    "The main job's recipe with non-leaking augmentation `p`, trained into `work/p<p>` (a finished run is reused)"
    return main_recipe(work/f'p{p:g}', steps, data, seed, aug_p=p)

def row(name:str, folder:Path, r:dict) -> dict:
    t = json.loads((folder/'train.json').read_text())
    return {'name': name, 'folder': str(folder), 'aug_p': t['config']['train'].get('aug_p', 0.), 'steps': t['step'],
            'valid_loss': t['valid_loss'], 'train_wall_s': t['wall_s'], **r}

def score_cells(r:dict, floor:float) -> str:
    "A scored row's table cells, from its guidance to its near-copy share (`score`'s mean and the two noise seeds)"
    m, s = r['mean'], r['seeds']
    w = f"{r['cfg']:g}" + (' (recommended)' if r['cfg'] == SAMPLING['cfg'] else '')
    return (f"{w} | {m['fid']:.1f} ({s[0]['fid']:.1f}, {s[1]['fid']:.1f}) | {m['fid']/floor:.2f}x | {1000*m['kid']:.1f} | "
            f"{m['precision']:.2f} | {m['recall']:.2f} | {100*m['near_copy_share']:.1f}% |")

def table(doc) -> str:
    floor = doc['rows'][0]['floor_fid']
    rows = ["| generator | aug_p | steps | valid v-loss | train (min) | guidance | FID (seed 0, 1000) | FID / floor | KID x1000 "
            "| precision | recall | near-copies |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in doc['rows']:
        rows.append(f"| {r['name']} | {r['aug_p']:g} | {r['steps']} | {r['valid_loss']:.4f} | {r['train_wall_s']/60:.0f} | "
                    + score_cells(r, floor))
    return (f"Non-leaking augmentation on the main job's U-Net recipe (unet32, batch 32, lr 0.002, seed 0, the same "
            f"steps): {doc['n']} samples per noise seed (the `valid` label mix, Euler {SAMPLING['steps']}, classifier-"
            f"free guidance as given; 1: none) against the {doc['n']} `valid` photos, the mean of two noise seeds; real-vs-real floor "
            f"FID {floor:.1f}. One training seed each. {doc['threads']} threads, {doc['cpu']}, torch {doc['torch']}.\n\n"
            + '\n'.join(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='runs/pipeline/generator'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--ps', nargs='*', type=float, default=[0.15]); p.add_argument('--work', default='runs/nonleak')
    p.add_argument('--ws', nargs='*', type=float, default=[SAMPLING['cfg'], 2.0, 1.0], help='guidance scales')
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0 = time.time()
    base = json.loads((Path(a.model)/'train.json').read_text())
    folders = {f'aug_p {q:g}': trained(Path(a.work), q, base['step'], a.data, base['config']['train']['seed']) for q in a.ps}
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    doc = {'n': a.n, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': []}
    for name, f in {'the main job (flips only)': Path(a.model), **folders}.items():
        g = load_generator(f, 'cpu')
        for w in a.ws:
            doc['rows'].append({**row(name, f, score(g, y, df, w)), 'cfg': w})
            print(name, w, doc['rows'][-1]['mean'], flush=True)
    doc['wall_s'] = round(time.time() - t0)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'nonleak.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'nonleak.md').write_text(md := table(doc))
    print(md)
