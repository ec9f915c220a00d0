"""Knowledge distillation for the shipped EfficientNet-Lite0 classifier, chosen on `valid`: which teacher, if any, lifts it.

Teachers are trained once on `train` with the main job's recipe (`train_classifier` defaults, `report_test=False`):
an EfficientNet-Lite2 (seed 42), and the Lite0 recipe itself from seeds 0 and 1 (the same models as those seeds of
`bench_classifier_seeds.py`, retrained here). A teacher set is one folder or an ensemble of them (the mean of their
probabilities, `soft_labels`); every set is scored on `valid` as a classifier. For the sets asked for (`--sets`),
students are trained with the main job's recipe plus the teacher's term (`teacher=`, `distill`, `distill_t`) from
the same seeds as the plain runs, so each student has a plain twin: the Lite0 teacher of that seed, the very same run
without the teacher (identical up to the loss; the soft labels are computed before the seed is set). Only `valid` is
read: this chooses, it does not report. Writes
bench/results/classifier_distill.{json,md}; runs (reused when present) in `--runs`.
  python bench/bench_classifier_distill.py [--data pets-mini] [--runs runs/distill] [--seeds 0 1] [--sets 'Lite0 x2 + Lite2']
About 16 min for the Lite2 teacher, 10 per Lite0 run, 12 per student on 2 CPU cores.
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np, torch
from tinycats.calibration import calibration_report, fit_temperature
from tinycats.core import LABELS
from tinycats.data import scan_pets
from tinycats.get_data import find_data
from tinycats.distill import soft_labels
from tinycats.train_classifier import train_classifier
from _machine import cpu_name   # bench/_machine.py (the script's own folder is on the path)

TEACHERS = {'lite2': {'arch': 'efficientnet_lite2', 'seed': 42}, **{f'lite0-s{s}': {'seed': s} for s in (0, 1)}}
SETS = {'Lite2': ['lite2'], 'Lite0 x2': ['lite0-s0', 'lite0-s1'], 'Lite0 x2 + Lite2': ['lite0-s0', 'lite0-s1', 'lite2']}

def run(df, out:Path, **kw) -> dict:
    "`train_classifier(df, out, report_test=False, **kw)`'s metrics, or those of the finished run already in `out`"
    f = out/'metrics.json'
    if f.is_file():
        m = json.loads(f.read_text())
        if all(m['config'][k] == v for k, v in kw.items()): return m
        raise SystemExit(f"{out} holds another run ({ {k: m['config'][k] for k in kw} }): move it away")
    t0 = time.time(); m = train_classifier(df, out, report_test=False, progress=False, **kw)
    print(f"{out}: valid {m['valid']['accuracy']:.1%} in {(time.time() - t0)/60:.1f} min", flush=True)
    return {k: v for k, v in m.items() if k != 'classifier'}

def summary(m:dict) -> dict:
    return {'valid_accuracy': m['valid']['accuracy'], 'valid_nll_calibrated': m['calibration']['valid']['nll_calibrated'],
            'per_label': m['valid']['per_label'], 'train_wall_s': m['time']['train_wall_s']}

def teacher_scores(soft, df) -> dict:
    "Valid accuracy and log-loss (after a temperature fitted there) of soft labels: the teacher set as a classifier"
    v = df[df.split == 'valid']
    p = np.exp(soft.loc[[Path(f).name for f in v.file]].to_numpy(np.float64)); p /= p.sum(1, keepdims=True)
    y = np.array([LABELS.index(l) for l in v.label])
    c = calibration_report(p, y, fit_temperature(p, y))
    return {'valid_accuracy': float((p.argmax(1) == y).mean()), 'valid_nll_calibrated': c['nll_calibrated']}

def table(r:dict) -> str:
    seeds = r['seeds']
    rows = ['| teacher | teacher on valid | ' + ' | '.join(f'student seed {s}' for s in seeds) + ' | mean | mean change |',
            '|---|---|' + '---|' * (len(seeds) + 2)]
    plain = [r['plain'][str(s)]['valid_accuracy'] for s in seeds]
    rows.append('| none (the plain recipe) | | ' + ' | '.join(f'{100*a:.1f}%' for a in plain)
                + f' | {100*np.mean(plain):.1f}% | |')
    for name, x in r['sets'].items():
        t = x['teacher']
        row = f"| {name} | {100*t['valid_accuracy']:.1f}% (log-loss {t['valid_nll_calibrated']:.3f}) | "
        if x['students'] is None: rows.append(row + ' | '.join(['not trained'] * len(seeds)) + ' | | |'); continue
        acc = [x['students'][str(s)]['valid_accuracy'] for s in seeds]
        rows.append(row + ' | '.join(f'{100*a:.1f}%' for a in acc)
                    + f" | {100*np.mean(acc):.1f}% | {100*(np.mean(acc) - np.mean(plain)):+.1f} points |")
    e = r['env']
    return ('\n'.join(rows) + f"\n\nValid accuracy (177 photos, mirror TTA; one photo is 0.56 points) of the main job's "
            f"Lite0 recipe, plain and distilled (`distill` {e['distill']}, `distill_t` {e['distill_t']}) from the "
            f"teachers' soft labels. Teachers: the same recipe trained on `train` (Lite2: seed 42, "
            f"{e['lite2_train_min']:.0f} min); a set of several is their mean probability. Log-loss after a temperature "
            f"fitted on valid. {e['machine']}, {e['threads']} threads, torch {e['torch']}.\n")

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='pets-mini'); p.add_argument('--runs', default='runs/distill')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1]); p.add_argument('--out', default='bench/results')
    p.add_argument('--sets', nargs='+', default=list(SETS), choices=list(SETS), help='the teacher sets students learn from')
    p.add_argument('--distill', type=float, default=0.5); p.add_argument('--distill-t', type=float, default=2.0)
    a = p.parse_args()
    data = find_data(a.data); df, _ = scan_pets(data, progress=False); runs = Path(a.runs)
    teachers = {t: run(df, runs/f'teacher-{t}', **kw) for t, kw in TEACHERS.items()}
    plain = {str(s): summary(teachers.get(f'lite0-s{s}') or run(df, runs/f'plain-s{s}', seed=s)) for s in a.seeds}
    sets = {}
    for name, members in SETS.items():   # every set is scored as a teacher; students learn from the sets asked for
        folders = ','.join(str(runs/f'teacher-{t}') for t in members)
        slug = name.lower().replace(' ', '').replace('+', '-')
        students = {str(s): summary(run(df, runs/f'student-{slug}-s{s}', seed=s, teacher=folders, distill=a.distill,
                                        distill_t=a.distill_t)) for s in a.seeds} if name in a.sets else None
        sets[name] = {'teachers': members, 'teacher': teacher_scores(soft_labels(folders, df, progress=False), df),
                      'students': students}
    r = {'seeds': a.seeds, 'plain': plain, 'sets': sets,
         'teachers': {t: summary(m) for t, m in teachers.items()},
         'env': {'distill': a.distill, 'distill_t': a.distill_t, 'machine': f"{platform.machine()}, {cpu_name()}",
                 'threads': torch.get_num_threads(), 'torch': torch.__version__,
                 'lite2_train_min': teachers['lite2']['time']['train_wall_s'] / 60}}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'classifier_distill.json').write_text(json.dumps(r, indent=1) + '\n')
    (out/'classifier_distill.md').write_text(table(r))
    print(table(r))
