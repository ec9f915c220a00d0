"""Autoguidance (Karras et al. 2024) against classifier-free guidance, on the main job's U-Net, scored on `valid`.

Autoguidance steers a generator away from a weaker copy of itself instead of from its own unconditional branch:
`v = v_guide + w * (v_model - v_guide)`, both conditioned on the breed. The guiding models are trained here with the
main job's recipe (`train_generator`, preset `unet32`, seed 0) but smaller and/or shorter, as the paper does: each
`--guides` entry is `NAME=CHANNELS:STEPS`, trained into `--work/NAME` (a finished run there is reused, not retrained).
Each guide is also scored alone. Every point draws `--n` samples with the `valid` label mix, Euler 10 (the recommended solver and steps), from two noise
seeds, and scores them against the `valid` photos (FID, KID, precision/recall; the floor: as many `train` photos).
`test` is never read. Writes bench/results/autoguidance.{json,md}.
  python bench/bench_autoguidance.py [--model runs/pipeline/generator] [--guides small=32:1150 same=48:2300]
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np, torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator, read_checkpoint
from tinycats.generator import model_velocity
from tinycats.sampling import model_spec
from tinycats.solvers import SAMPLING, sample_flow
from tinycats.evaluate import proportional_labels, evaluate_samples
from tinycats.train_gen import train_generator

SEEDS = (0, 1000)

def guide(work:Path, name:str, ch:int, steps:int, data:str) -> tuple:
    "The guiding model `name` (trained into `work/name` unless a finished run of these settings is there); its record"
    out = work/name
    rec = json.loads((out/'train.json').read_text()) if (out/'train.json').exists() else {}
    if rec.get('step') != steps or rec.get('config', {}).get('model', {}).get('ch') != ch:
        train_generator(data, out, preset='unet32', steps=steps, ch=ch, device='cpu', progress=False, log_every=250,
                        sample_every=0, overwrite=True)
        rec = json.loads((out/'train.json').read_text())
    return load_generator(out, 'cpu'), {'ch': ch, 'steps': steps, 'params': rec['params'],
                                        'valid_loss': rec['valid_loss'], 'train_wall_s': rec['wall_s']}

def draw(model, y, seed, w, guide_model=None, interval=None):
    """Euler 10 samples of `model` for labels `y`: classifier-free guidance `w` (only in the times `interval`, if given)
    or, with `guide_model`, autoguidance `w`"""
    if guide_model is None: vel, cfg = (lambda x, t, yy: model_velocity(model, x, t, yy)), w
    else:
        def vel(x, t, yy):
            vb = model_velocity(guide_model, x, t, yy)
            return vb + w * (model_velocity(model, x, t, yy) - vb)
        cfg = 1.0
    with torch.no_grad():
        return torch.cat([sample_flow(vel, model_spec(model), y[i:i+64], steps=10, sampler='euler', cfg=cfg,
                                      cfg_interval=interval, seed=seed + i//64) for i in range(0, len(y), 64)])

def score(model, y, df, w, guide_model=None, interval=None) -> dict:
    "FID, KID, precision/recall and near-copies of `draw`'s samples against the `valid` photos: per noise seed, mean"
    runs = []
    for seed in SEEDS:
        ev = evaluate_samples(draw(model, y, seed, w, guide_model, interval), y, df, None, progress=False, ref='valid')
        runs.append({k: ev[k] for k in ('fid', 'kid', 'precision', 'recall', 'near_copy_share')} | {'seed': seed})
    mean = {k: float(np.mean([r[k] for r in runs])) for k in ('fid', 'kid', 'precision', 'recall', 'near_copy_share')}
    return {'mean': mean, 'seeds': runs, 'floor_fid': ev['floor']['fid']}

def run_cells(r:dict) -> str:
    "A run's scores as table cells: FID (its noise seeds), KID x1000, precision, recall, near-copies (`score`'s record)"
    m, sd = r['mean'], r['seeds']
    return (f"{m['fid']:.1f} ({sd[0]['fid']:.1f}, {sd[1]['fid']:.1f}) | {1000*m['kid']:.1f} | {m['precision']:.2f} | "
            f"{m['recall']:.2f} | {100*m['near_copy_share']:.1f}% |")

def table(doc) -> str:
    res = doc['results']; floor = next(iter(res.values()))['floor_fid']
    rows = ["| guidance | FID (seed 0, 1000) | FID / floor | KID x1000 | precision | recall |", "|---|---|---|---|---|---|"]
    for k, r in res.items():
        m, s = r['mean'], r['seeds']
        rows.append(f"| {k} | {m['fid']:.1f} ({s[0]['fid']:.1f}, {s[1]['fid']:.1f}) | {m['fid']/floor:.2f}x | "
                    f"{1000*m['kid']:.1f} | {m['precision']:.2f} | {m['recall']:.2f} |")
    g = '; '.join(f"`{n}`: U-Net {v['ch']} channels, {v['steps']} steps ({v['params']/1e6:.2f}M parameters, valid loss "
                  f"{v['valid_loss']:.3f}, {v['train_wall_s']/60:.0f} min)" for n, v in doc['guides'].items())
    return (f"Autoguidance against classifier-free guidance on `{doc['model']}` ({doc['model_steps']} steps, valid loss "
            f"{doc['model_valid_loss']:.3f}): {doc['n']} samples per noise seed (the `valid` label mix, Euler 10) against "
            f"the {doc['n']} `valid` photos, the mean of two noise seeds; real-vs-real floor FID {floor:.1f}. Guiding "
            f"models, trained with the main job's recipe: {g}. {doc['threads']} threads, {doc['cpu']}, torch "
            f"{doc['torch']}.\n\n" + '\n'.join(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='runs/pipeline/generator'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--guides', nargs='*', default=['small=32:1150', 'same=48:2300'])
    p.add_argument('--ws', nargs='*', type=float, default=[1.5, 2.0, 3.0])
    p.add_argument('--work', default='runs/autoguide'); p.add_argument('--n', type=int, default=177)
    p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0 = time.time()
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    model = load_generator(a.model, 'cpu'); info = read_checkpoint(a.model)[1]
    guides, recs = {}, {}
    for g in a.guides:
        name, spec = g.split('='); ch, steps = map(int, spec.split(':'))
        guides[name], recs[name] = guide(Path(a.work), name, ch, steps, a.data)
    trained = json.loads((Path(a.model)/'train.json').read_text())
    doc = {'model': a.model, 'model_steps': info.get('step'), 'model_valid_loss': trained['valid_loss'], 'n': a.n,
           'guides': recs, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'results': {}}
    res = doc['results']
    for w in (SAMPLING['cfg'], 1.0):
        res[f"classifier-free, w {w:g}" + (" (the recommended)" if w == SAMPLING['cfg'] else " (none)")] = score(model, y, df, w)
    for name, gm in guides.items():
        res[f"the guide `{name}` alone, classifier-free w {SAMPLING['cfg']:g}"] = score(gm, y, df, SAMPLING['cfg'])
        for w in a.ws: res[f"autoguidance by `{name}`, w {w:g}"] = score(model, y, df, w, gm)
    doc['wall_s'] = round(time.time() - t0)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'autoguidance.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'autoguidance.md').write_text(md := table(doc))
    print(md)
