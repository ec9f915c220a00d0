"""EDM2's learned loss weighting (Karras et al. 2024) on the main job's generator recipe, scored on `valid`.

Trains the main job's U-Net recipe (`bench_nonleak.main_recipe`: preset `unet32`, batch 32, lr 0.002, seed 0, as many
steps as the kept main job) with `loss_weight='uncertainty'` (a `LogVarHead` learns `u(t)`, each time's loss is divided
by `exp(u(t))`) into `--work/uncertainty`, unless a finished run of these settings is there, and scores it as
`bench_autoguidance.py` scores the main job's own U-Net (the plain mean): `--n` samples with the `valid` label mix,
Euler 10 at each guidance scale of `--ws`, two noise seeds, against the `valid` photos (FID, KID, precision/recall,
near-copy share; the floor: as many `train` photos). The plain recipe is also trained from the training seeds
`--plain-seeds` (into `--work/plain-s<seed>`), which measures how far a second training seed moves the same figures.
It also measures every model's velocity loss on `valid` at eight fixed times, and reads the learned weighting
`exp(-u(t))`. `test` is never read. Writes bench/results/loss_weight.{json,md,png}.
  python bench/bench_loss_weight.py [--model runs/pipeline/generator] [--ws 3 2] [--plain-seeds 1]
"""
import argparse, json, platform, time
from pathlib import Path
import torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels
from tinycats.solvers import SAMPLING
from tinycats.train_gen import gen_data
from tinycats.train_step import valid_loss
from bench_autoguidance import score          # the same samples and scores (bench/ is on the path)
from bench_nonleak import main_recipe, score_cells

def table(doc) -> str:
    floor = doc['rows'][0]['floor_fid']
    rows = ["| generator | training seed | steps | valid v-loss | train (min) | guidance | FID (noise 0, 1000) | FID / floor "
            "| KID x1000 | precision | recall | near-copies |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in doc['rows']:
        rows.append(f"| {r['name']} | {r['seed']} | {r['steps']} | {r['valid_loss']:.4f} | {r['train_wall_s']/60:.0f} | "
                    + score_cells(r, floor))
    per_t = ["| t | " + ' | '.join(doc['valid_per_t']) + " |", "|---|" + '---|'*len(doc['valid_per_t'])]
    ts = next(iter(doc['valid_per_t'].values()))
    for k in ts: per_t.append(f"| {k[1:]} | " + ' | '.join(f"{v[k]:.4f}" for v in doc['valid_per_t'].values()) + " |")
    return (f"EDM2's learned loss weighting on the main job's U-Net recipe (unet32, batch 32, lr 0.002, seed 0, the same "
            f"steps), beside the plain recipe from two training seeds: {doc['n']} samples per noise seed (the `valid` label mix, Euler {SAMPLING['steps']}, classifier-free "
            f"guidance as given) against the {doc['n']} `valid` photos, the mean of two noise seeds; real-vs-real floor "
            f"FID {floor:.1f}. {doc['threads']} threads, {doc['cpu']}, torch {doc['torch']}.\n\n"
            + '\n'.join(rows) + "\n\nVelocity loss on `valid` at eight fixed times (t=1: the photo; fixed noise):\n\n"
            + '\n'.join(per_t) + '\n')

def figure(doc, path:Path):
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, v in doc['valid_per_t'].items():
        a.plot([float(k[1:]) for k in v], list(v.values()), 'o-', label=name)
    a.set(xlabel='t (0: noise, 1: photo)', ylabel='velocity MSE on valid', title='valid loss by time')
    a.legend(fontsize=8)
    u = doc['learned_u']
    b.plot(u['t'], [1/x for x in u['exp_u']], '-', label='learned weight exp(-u(t))')
    b.set(xlabel='t (0: noise, 1: photo)', ylabel='weight', title="the learned weighting (EMA model's head)")
    b.legend(fontsize=8)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='runs/pipeline/generator'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--work', default='runs/loss_weight')
    p.add_argument('--ws', nargs='*', type=float, default=[SAMPLING['cfg'], 2.0], help='guidance scales')
    p.add_argument('--plain-seeds', nargs='*', type=int, default=[1], help='more training seeds of the plain recipe')
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0 = time.time()
    base = json.loads((Path(a.model)/'train.json').read_text())
    seed = base['config']['train']['seed']
    models = {'the main job (plain mean)': Path(a.model),
              **{f'plain mean, training seed {s}': main_recipe(Path(a.work)/f'plain-s{s}', base['step'], a.data, s)
                 for s in a.plain_seeds},
              'learned weighting (uncertainty)': main_recipe(Path(a.work)/'uncertainty', base['step'], a.data, seed,
                                                             loss_weight='uncertainty')}
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    vds = gen_data(size=32, splits=('valid',), df=df)
    doc = {'n': a.n, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': [], 'valid_per_t': {}}
    for name, f in models.items():
        g, t = load_generator(f, 'cpu'), json.loads((f/'train.json').read_text())
        vl = valid_loss(g, vds.x, vds.y)
        doc['valid_per_t'][name] = {k: v for k, v in vl.items() if k != 'loss'}
        if getattr(g, 'logvar_head', None) is not None:
            ts = torch.linspace(0.01, 0.99, 99)
            with torch.no_grad(): doc['learned_u'] = {'t': ts.tolist(), 'exp_u': g.logvar_head(ts).exp().tolist()}
        for w in a.ws:
            r = score(g, y, df, w)
            doc['rows'].append({'name': name, 'folder': str(f), 'seed': t['config']['train']['seed'],
                                'loss_weight': t['config']['train'].get('loss_weight', 'none'), 'steps': t['step'],
                                'valid_loss': t['valid_loss'], 'train_wall_s': t['wall_s'], 'cfg': w, **r})
            print(name, w, r['mean'], flush=True)
    doc['wall_s'] = round(time.time() - t0)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'loss_weight.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'loss_weight.md').write_text(md := table(doc))
    figure(doc, out/'loss_weight.png')
    print(md)
