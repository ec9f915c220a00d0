"""Variants of the shipped EfficientNet-Lite0 classifier recipe, chosen on `valid`: does any lift it, and at what cost.

Each variant is the main job's recipe (`train_classifier` defaults, `report_test=False`) with a few fields replaced
(`VARIANTS`), trained from the same seeds as plain runs of the defaults, so that each variant run has a plain twin that
differs from it only by those fields. It also measures how accuracy grows with the number of training photos: a linear
probe (logistic regression on the frozen ImageNet Lite0 features at 288 px, mirror-averaged) fitted on a stratified
share of `train` (several random draws per share) and scored on `valid`. Only `valid` is read: this chooses, it does
not report. Writes bench/results/classifier_recipes.{json,md} and classifier_data_curve.png; runs (reused when present)
in `--runs`.
  python bench/bench_classifier_recipes.py [--data pets-mini] [--runs runs/recipes] [--seeds 0 1]
      [--variants hires long]
About 10 min per plain run, 20 per `hires` run, 15 per `long` run and 2 for the probe curve on 2 CPU cores.
"""
import argparse, json, platform
from pathlib import Path
import numpy as np, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from tinycats.classifier import CatClassifier
from tinycats.images import preprocess
from tinycats.data import scan_pets
from tinycats.get_data import find_data
from tinycats.train_classifier import ClassifierRecipe
from _machine import cpu_name   # bench/_machine.py (the script's own folder is on the path)
from bench_classifier_distill import run, summary   # train (or reuse) a run; what this record keeps of it

# name: (the fields replaced, what it is)
VARIANTS = {'hires': ({'train_size': 288, 'size': 352}, 'training crops at 288 px instead of 224, predicting at 352 px '
                      'instead of 288 (1.22 times the crop; the defaults predict at 1.29 times)'),
            'long': ({'epochs': 12}, '12 fine-tuning epochs instead of 8')}

@torch.no_grad()
def features(m:CatClassifier, files:list, size:int=288) -> np.ndarray:
    "Pooled backbone features of `files` (centre crop at `size` px), averaged with their mirror images"
    out = []
    for i in range(0, len(files), 32):
        x = (torch.from_numpy(np.stack([preprocess(f, size) for f in files[i:i+32]])) - m.mean) / m.std
        out.append(((m.body(x) + m.body(x.flip(-1))) / 2).numpy())
    return np.concatenate(out)

def data_curve(df, shares=(1/3, 1/2, 2/3, 5/6, 1), draws:int=5, C:float=0.5, seed:int=0) -> dict:
    "Valid accuracy of a linear probe on frozen ImageNet Lite0 features fitted on stratified shares of `train`"
    m = CatClassifier(pretrained=True).eval()
    tr, va = (df[df.split == s].reset_index(drop=True) for s in ('train', 'valid'))
    xtr, xva = features(m, list(tr.file)), features(m, list(va.file))
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6; xtr, xva = (xtr - mu) / sd, (xva - mu) / sd
    rng, rows = np.random.default_rng(seed), []
    for share in shares:
        accs = []
        for _ in range(draws if share < 1 else 1):
            idx = np.concatenate([rng.permutation(g.index.to_numpy())[:max(1, round(share*len(g)))]
                                  for _, g in tr.groupby('label')])
            lr = LogisticRegression(C=C, max_iter=5000).fit(xtr[idx], tr.label[idx])
            accs.append(float((lr.predict(xva) == va.label).mean()))
        rows.append({'share': share, 'photos': len(idx), 'accuracy': accs})
    n, a = [r['photos'] for r in rows], [np.mean(r['accuracy']) for r in rows]
    slope = float(np.polyfit(np.log2(n), a, 1)[0])   # accuracy gained per doubling of the training photos
    return {'rows': rows, 'per_doubling': slope, 'C': C, 'draws': draws, 'train_photos': len(tr)}

def plot_curve(r:dict, path:Path):
    c, fig = r['curve'], plt.figure(figsize=(6, 3.6))
    n = [x['photos'] for x in c['rows']]
    for x in c['rows']:
        plt.scatter([x['photos']] * len(x['accuracy']), np.array(x['accuracy']) * 100, c='C0', s=12, alpha=.5)
    plt.plot(n, [100 * np.mean(x['accuracy']) for x in c['rows']], 'o-', c='C0', label='linear probe (mean of draws)')
    plain = 100 * np.mean([v['valid_accuracy'] for v in r['plain'].values()])
    plt.axhline(plain, c='C1', ls='--', label=f'the recipe, fine-tuned on all of train ({plain:.1f}%)')
    plt.axhline(95, c='C3', ls=':', label='95%')
    plt.xscale('log', base=2); plt.xticks(n, [str(k) for k in n]); plt.minorticks_off()
    plt.xlabel('train photos (stratified share, log scale)'); plt.ylabel('valid accuracy (%)')
    plt.title(f"Lite0 features: {100*c['per_doubling']:+.1f} points per doubling of the photos"); plt.legend(fontsize=8)
    plt.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)

def cost(fields:dict) -> float:
    "Fine-tuning work of a variant against the defaults': epochs x pixels of a training crop"
    d = ClassifierRecipe()
    e, px = fields.get('epochs', d.epochs), fields.get('train_size', d.train_size)
    return e * px**2 / (d.epochs * d.train_size**2)

def table(r:dict) -> str:
    seeds = r['seeds']
    rows = ['| recipe | ' + ' | '.join(f'seed {s}' for s in seeds) + ' | mean | mean change | log-loss (mean) | '
            'fine-tuning cost |', '|---|' + '---|' * (len(seeds) + 4)]
    base = np.mean([r['plain'][str(s)]['valid_accuracy'] for s in seeds])
    def row(name, runs, fields):
        acc = [runs[str(s)]['valid_accuracy'] for s in seeds]
        nll = np.mean([runs[str(s)]['valid_nll_calibrated'] for s in seeds])
        change = f'{100*(np.mean(acc) - base):+.1f} points' if fields else ''
        return (f'| {name} | ' + ' | '.join(f'{100*a:.1f}%' for a in acc) + f' | {100*np.mean(acc):.1f}% | {change} | '
                f'{nll:.3f} | {cost(fields):.2f}x |')
    rows.append(row('the defaults', r['plain'], {}))
    rows += [row(f"{name}: {v['what']}", v['runs'], v['fields']) for name, v in r['variants'].items()]
    c, e = r['curve'], r['env']
    shares = ' | '.join(f"{x['photos']} ({x['share']:.0%})" for x in c['rows'])
    probe = ' | '.join(f"{100*np.mean(x['accuracy']):.1f}%" for x in c['rows'])
    rows += ['', f'| train photos (share) | {shares} |', '|---|' + '---|' * len(c['rows']),
             f'| linear probe, valid (mean of draws) | {probe} |']
    return ('\n'.join(rows) + f"\n\nValid accuracy (177 photos, mirror TTA; one photo is 0.56 points) of the main "
            f"job's Lite0 recipe and its variants, each trained on `train` from the same seeds; log-loss after a "
            f"temperature fitted on valid; fine-tuning cost: epochs x training pixels, against the defaults' (the runs "
            f"were not all timed alone, so their wall times are not compared here). The probe (second table): "
            f"logistic regression (C {c['C']}) on frozen ImageNet Lite0 features at 288 px, mirror-averaged, fitted "
            f"on a stratified share of `train`, {c['draws']} random draws per share; it gains "
            f"{100*c['per_doubling']:.1f} points per doubling of the photos (least squares on log2 of their number). "
            f"{e['machine']}, {e['threads']} threads, torch {e['torch']}.\n")

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='pets-mini'); p.add_argument('--runs', default='runs/recipes')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1]); p.add_argument('--out', default='bench/results')
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    a = p.parse_args()
    df, _ = scan_pets(find_data(a.data), progress=False); runs = Path(a.runs)
    plain = {str(s): summary(run(df, runs/f'plain-s{s}', seed=s)) for s in a.seeds}
    variants = {n: {'fields': VARIANTS[n][0], 'what': VARIANTS[n][1],
                    'runs': {str(s): summary(run(df, runs/f'{n}-s{s}', seed=s, **VARIANTS[n][0])) for s in a.seeds}}
                for n in a.variants}
    r = {'seeds': a.seeds, 'plain': plain, 'variants': variants, 'curve': data_curve(df),
         'env': {'machine': f"{platform.machine()}, {cpu_name()}", 'threads': torch.get_num_threads(),
                 'torch': torch.__version__}}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'classifier_recipes.json').write_text(json.dumps(r, indent=1) + '\n')
    (out/'classifier_recipes.md').write_text(table(r)); plot_curve(r, out/'classifier_data_curve.png')
    print(table(r))
