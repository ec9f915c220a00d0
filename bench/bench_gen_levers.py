"""The generator's training levers side by side on `valid`, each from two training seeds.

Every run is the main job's U-Net recipe (`bench_nonleak.main_recipe`: preset `unet32`, batch 32, lr 0.002, the kept
main job's 9170 steps) with one lever, or the first two together, from a training seed, scored as
`bench_autoguidance.score` scores the main job's own U-Net: 177 samples with the `valid` label mix, Euler 10 at
guidance 3 (the recommended) and 2 (the best full-range scale on `valid`), two noise seeds, against the 177 `valid`
photos (the floor: as many `train` photos). The runs earlier records scored are taken from them as they stand (their
weights are not kept): the plain recipe from seeds 0 and 1 and the learned weighting from seed 0 (`loss_weight.json`),
non-leaking augmentation from seed 0 (`nonleak.json`). The runs named by `--runs LEVER:SEED` are trained into
`--work/LEVER-sSEED` (a finished run of these settings is reused, an interrupted one resumed: about 100 minutes alone
on two cores of an AVX-512 CPU without AMX, 112-116 with the feature loss) and scored; a run this record
scored before, at the same step and `valid` loss, keeps its scores, and the runs it scored that `--runs` does not name
stay in it as they are. `test` is never read. Writes bench/results/gen_levers.{json,md}; with no `--runs` it only
renders them again.
  python bench/bench_gen_levers.py --runs [uncertainty:1 aug:1 both:0 both:1 feat:0 feat:1]
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels
from tinycats.solvers import SAMPLING
from bench_autoguidance import run_cells, score   # the same samples and scores (bench/ is on the path)
from bench_nonleak import main_recipe

LEVERS = {'plain': {}, 'aug': {'aug_p': 0.15}, 'uncertainty': {'loss_weight': 'uncertainty'},
          'both': {'aug_p': 0.15, 'loss_weight': 'uncertainty'}, 'feat': {'feat_loss': 0.1}}
NAMES = {'plain': 'the plain recipe (flips only, mean loss)', 'aug': 'non-leaking augmentation, aug_p 0.15',
         'uncertainty': 'learned loss weighting (uncertainty)', 'both': 'both levers',
         'feat': 'Lite0 feature loss, weight 0.1'}
WS = (SAMPLING['cfg'], 2.0)

def run_spec(spec:str) -> tuple:
    "`LEVER:SEED` as `(lever, seed)`, or an error naming what is wrong"
    lever, _, seed = spec.partition(':')
    if lever not in LEVERS or not seed.isdigit():
        raise argparse.ArgumentTypeError(f"{spec!r} is not LEVER:SEED (LEVER one of {', '.join(LEVERS)}; SEED a whole "
                                         "number)")
    return lever, int(seed)

def recorded(res:Path) -> list:
    "Rows of the earlier records that scored runs of `LEVERS` at the guidance scales `WS`"
    def lever(r):
        return 'uncertainty' if r.get('loss_weight') == 'uncertainty' else 'aug' if r.get('aug_p') else 'plain'
    lw, nl = (json.loads((res/f).read_text())['rows'] for f in ('loss_weight.json', 'nonleak.json'))
    rows = [{**r, 'lever': lever(r), 'record': 'loss_weight.json'} for r in lw]
    rows += [{**r, 'lever': 'aug', 'seed': 0, 'record': 'nonleak.json'} for r in nl if r['aug_p']]
    return [{k: r[k] for k in ('lever', 'seed', 'cfg', 'steps', 'valid_loss', 'train_wall_s', 'mean', 'seeds',
                               'floor_fid', 'folder', 'record')} for r in rows if r['cfg'] in WS]

def scored(folder:Path, lever:str, seed:int, y, df, old:list) -> list:
    "The rows of the run in `folder` at each scale of `WS`: from `old` if it scored this very run, else scored now"
    t = json.loads((folder/'train.json').read_text())
    same = [r for r in old
            if r['folder'] == str(folder) and (r['steps'], r['valid_loss']) == (t['step'], t['valid_loss'])]
    if {r['cfg'] for r in same} >= set(WS): return [r for r in same if r['cfg'] in WS]
    g = load_generator(folder, 'cpu')
    return [{'lever': lever, 'seed': seed, 'cfg': w, 'steps': t['step'], 'valid_loss': t['valid_loss'],
             'train_wall_s': t['wall_s'], **score(g, y, df, w), 'folder': str(folder), 'record': 'gen_levers.json'}
            for w in WS]

def summary(rows:list) -> dict:
    "Per lever and scale: FID by training seed, their mean, and its mean change from the plain recipe's, seed by seed"
    out = {}
    for (lv, w) in dict.fromkeys((r['lever'], r['cfg']) for r in rows):
        fid = {r['seed']: r['mean']['fid'] for r in rows if (r['lever'], r['cfg']) == (lv, w)}
        out[f'{lv} {w:g}'] = {'lever': lv, 'cfg': w, 'fid': fid, 'mean': float(np.mean(list(fid.values())))}
    for s in out.values():   # paired: against the plain recipe from the same training seeds
        base = out[f"plain {s['cfg']:g}"]['fid']
        s['change'] = float(np.mean([v - base[k] for k, v in s['fid'].items()]))
    return out

def table(doc) -> str:
    floor = doc['rows'][0]['floor_fid']
    seeds = sorted({r['seed'] for r in doc['rows']})
    head = ("| lever | guidance | " + ' | '.join(f'FID / floor, seed {s}' for s in seeds)
            + " | mean FID | mean / floor | change |")
    rows = [head, '|---|---|' + '---|'*(len(seeds) + 3)]
    for s in doc['summary'].values():
        w = f"{s['cfg']:g}" + (' (recommended)' if s['cfg'] == SAMPLING['cfg'] else '')
        per = ' | '.join(f"{s['fid'][k]/floor:.2f}x" if k in s['fid'] else '(not run)' for k in seeds)
        ch = '' if s['lever'] == 'plain' else f"{s['change']:+.1f}"
        rows.append(f"| {NAMES[s['lever']]} | {w} | {per} | {s['mean']:.1f} | {s['mean']/floor:.2f}x | {ch} |")
    runs = ["| lever | training seed | valid v-loss | guidance | FID (noise 0, 1000) | KID x1000 | precision | recall "
            "| near-copies | record |", '|---|---|---|---|---|---|---|---|---|---|']
    for r in doc['rows']:
        runs.append(f"| {NAMES[r['lever']]} | {r['seed']} | {r['valid_loss']:.4f} | {r['cfg']:g} | " + run_cells(r)
                    + f" `{r['record']}` |")
    return (f"The generator's training levers on the main job's U-Net recipe (unet32, batch 32, lr 0.002, "
            f"{doc['steps']} steps), each from the training seeds shown: {doc['n']} samples per noise seed (the "
            f"`valid` label mix, Euler {SAMPLING['steps']}, classifier-free guidance as given) against the "
            f"{doc['n']} `valid` photos, the mean of two noise seeds; real-vs-real floor FID {floor:.1f}. Change: "
            f"FID's change from the plain recipe from the same training seed at the same guidance, the mean over the "
            f"seeds run (negative is better). Runs scored here: {doc['threads']} threads, {doc['cpu']}, torch "
            f"{doc['torch']}.\n\n"
            + '\n'.join(rows) + "\n\nEvery run:\n\n" + '\n'.join(runs) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--runs', nargs='*', type=run_spec, default=[],
                   help='LEVER:SEED runs to train and score (the others this record scored are kept)')
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--work', default='runs/levers')
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0, res = time.time(), Path(a.out)
    rows = recorded(res)
    steps = rows[0]['steps']
    old = json.loads((res/'gen_levers.json').read_text())['rows'] if (res/'gen_levers.json').exists() else []
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    for lever, seed in dict.fromkeys(a.runs):   # a run named twice is trained and scored once
        f = main_recipe(Path(a.work)/f'{lever}-s{seed}', steps, a.data, seed, **LEVERS[lever])
        rows += scored(f, lever, seed, y, df, old)
        print(f'{lever}:{seed}', [r['mean']['fid'] for r in rows[-len(WS):]], flush=True)
    rows += [r for r in old if r['record'] == 'gen_levers.json' and (r['lever'], r['seed']) not in a.runs]
    order = list(LEVERS)
    rows.sort(key=lambda r: (order.index(r['lever']), r['seed'], -r['cfg']))
    doc = {'n': a.n, 'steps': steps, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': rows,
           'summary': summary(rows), 'wall_s': round(time.time() - t0)}
    res.mkdir(parents=True, exist_ok=True)
    (res/'gen_levers.json').write_text(json.dumps(doc, indent=1) + '\n')
    (res/'gen_levers.md').write_text(md := table(doc))
    print(md)
