"""The main job's classifier recipe trained from several seeds: test accuracy as a mean with its spread, and the int8 gap.

One run of 235 test photos has a standard error of about 1.7 points, so a single seed cannot show a one-point change.
This script trains the recipe the main job uses (`train_classifier` with its defaults, as `tinycats pipeline` calls
it) once per seed on `train`, fits its temperature on `valid`, and scores `test` once per model (the same call as the
main job's report: with test-time mirror averaging). Each model is then exported to ONNX float32 and int8 (as the main
job's export does) and both files classify the same `test` photos (no mirror averaging: what `classify` and the demo
do), so the int8 gap is measured per seed on identical inputs. Writes bench/results/classifier_seeds.{json,md}.
  python bench/bench_classifier_seeds.py [--data pets-mini] [--seeds 0 1 2]
Seed 0 is the main job's own seed (`tinycats pipeline` defaults to it); about 10 minutes per seed on 2 CPU cores.
"""
import argparse, json, platform, statistics, tempfile, time
from pathlib import Path
import numpy as np, torch
from scipy.stats import t as student_t
from tinycats.data import scan_pets
from tinycats.get_data import find_data
from tinycats.onnx import export_classifier
from tinycats.runtime import OnnxClassifier
from tinycats.train_classifier import ClassifierRecipe, train_classifier
from _machine import cpu_name   # bench/_machine.py (the script's own folder is on the path)

def interval(xs:list) -> dict:
    "Mean, sample standard deviation and the 95% t-interval of the mean of `xs` (at least two values)"
    m, s = statistics.mean(xs), statistics.stdev(xs)
    h = student_t.ppf(0.975, len(xs) - 1) * s / len(xs) ** .5
    return {'mean': m, 'std': s, 'ci95': [m - h, m + h], 'min': min(xs), 'max': max(xs), 'n': len(xs)}

def clipped(ci:list) -> list: return [max(ci[0], 0.), min(ci[1], 1.)]   # an accuracy's interval, within 0-100%

def onnx_accuracy(f, files, y) -> tuple:
    p = OnnxClassifier(f, threads=torch.get_num_threads()).probs(files)
    return float((p.argmax(1) == y).mean()), p.argmax(1)

def one_seed(df, data, seed:int, tmp:Path, **kw) -> dict:
    t0 = time.time()
    m = train_classifier(df, tmp/f'seed{seed}', seed=seed, progress=False, **kw)
    export_classifier(m['classifier'].model, tmp/f'seed{seed}'/'onnx', int8=True, calib=data)   # as the main job
    d = df[df.split == 'test']; labels = m['test']['labels']
    y = np.array([labels.index(l) for l in d.label]); files = list(d.file)
    a32, p32 = onnx_accuracy(tmp/f'seed{seed}'/'onnx'/'classifier.onnx', files, y)
    a8, p8 = onnx_accuracy(tmp/f'seed{seed}'/'onnx'/'classifier.int8.onnx', files, y)
    out = {'seed': seed, 'test_accuracy': m['test']['accuracy'], 'valid_accuracy': m['valid']['accuracy'],
           'per_label': m['test']['per_label'], 'temperature': m['calibration']['temperature'],
           'ece_test': {k: m['calibration']['test'][k] for k in ('ece', 'ece_calibrated')},
           'onnx_test': {'float32': a32, 'int8': a8, 'gap_points': 100 * (a32 - a8),
                         'top1_agreement': float((p32 == p8).mean()), 'n': len(y)},
           'wall_s': round(time.time() - t0, 1), 'train_wall_s': m['time']['train_wall_s']}
    print(json.dumps({k: v for k, v in out.items() if k != 'per_label'}), flush=True)
    return out

def table(r:dict) -> str:
    s, acc = r['seeds'], r['test_accuracy']
    rows = ['| seed | test (torch, mirror TTA) | valid | ONNX float32 | ONNX int8 | int8 gap | int8 agreement | temperature |',
            '|---|---|---|---|---|---|---|---|']
    for x in s:
        o = x['onnx_test']
        rows.append(f"| {x['seed']} | {100*x['test_accuracy']:.1f}% | {100*x['valid_accuracy']:.1f}% | {100*o['float32']:.1f}% "
                    f"| {100*o['int8']:.1f}% | {o['gap_points']:+.1f} points | {100*o['top1_agreement']:.1f}% | {x['temperature']:.2f} |")
    g = r['int8_gap_points']
    ci = clipped(acc['ci95'])
    rows.append(f"| **mean** | **{100*acc['mean']:.1f}%** (sd {100*acc['std']:.1f}, 95% CI {100*ci[0]:.1f}-"
                f"{100*ci[1]:.1f}) | | | | {g['mean']:+.1f} points (sd {g['std']:.1f}) | | |")
    per = ['', '| label | ' + ' | '.join(f"seed {x['seed']}" for x in s) + ' | mean | 95% CI |',
           '|---|' + '---|' * (len(s) + 2)]
    for l, v in r['per_label'].items():
        ci = clipped(v['ci95'])
        per.append(f"| {l} | " + ' | '.join(f"{100*x['per_label'][l]:.0f}%" for x in s)
                   + f" | {100*v['mean']:.0f}% | {100*ci[0]:.0f}-{100*ci[1]:.0f}% |")
    e = r['env']
    foot = (f"\n{len(s)} seeds of the main job's classifier recipe (`train_classifier` defaults: {e['recipe']}), "
            f"trained on `train` ({e['n_train']} photos), test: {e['n_test']} photos. int8: the main job's export "
            f"(static QDQ, 128 train photos), both ONNX files on the same test photos without TTA. "
            f"{e['machine']}, {e['threads']} threads, torch {e['torch']}; {e['wall_min']:.0f} min in all.")
    return '\n'.join(rows + per) + '\n' + foot + '\n'

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='pets-mini'); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--out', default='bench/results')
    p.add_argument('--epochs', type=int, default=None, help="fewer epochs than the recipe's, for a quick check only")
    a = p.parse_args()
    if len(a.seeds) < 2: p.error('a spread needs at least two seeds')
    t0 = time.time(); data = find_data(a.data); df, _ = scan_pets(data, progress=False)
    kw = {} if a.epochs is None else {'epochs': a.epochs}
    with tempfile.TemporaryDirectory() as d: seeds = [one_seed(df, data, s, Path(d), **kw) for s in a.seeds]
    labels = list(seeds[0]['per_label'])
    r = {'seeds': seeds, 'test_accuracy': interval([x['test_accuracy'] for x in seeds]),
         'int8_gap_points': interval([x['onnx_test']['gap_points'] for x in seeds]),
         'per_label': {l: interval([x['per_label'][l] for x in seeds]) for l in labels},
         'env': {'recipe': ', '.join(f'{k}={v}' for k, v in vars(ClassifierRecipe(**kw)).items() if k != 'seed'),
                 'n_train': int((df.split == 'train').sum()), 'n_test': int((df.split == 'test').sum()),
                 'machine': f"{platform.machine()}, {cpu_name()}", 'threads': torch.get_num_threads(),
                 'torch': torch.__version__, 'wall_min': (time.time() - t0) / 60}}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'classifier_seeds.json').write_text(json.dumps(r, indent=1) + '\n')
    (out/'classifier_seeds.md').write_text(table(r))
    print(table(r))
