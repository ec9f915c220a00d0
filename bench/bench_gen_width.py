"""The U-Net's width against its steps in the same time: the main job's recipe at several widths, on `valid`.

The main job trains what fits its time budget, and its FID keeps falling with steps (`gen_levers.md`: 9,170 steps
score far better than 1,500). A narrower U-Net takes more steps in the same time, a wider one fewer; this script asks
which trade pays. Each `--runs` entry `CH:STEPS` trains the main job's recipe (preset `unet32`, batch 32, lr 0.002,
`cpu32`'s Lite0 feature loss) with `CH` base channels for `STEPS` steps, from each training seed of `--seeds`, into
`--work/ch<CH>-s<seed>` (a finished run of these settings is reused, an interrupted one resumed). The first entry is
the main job's width; give the others the steps that take as long as its (the defaults: 1,500 steps of 48 channels,
40-50% of a main job's generator steps on a CPU without AMX, and the step-time ratios measured there). The script then
times a step of each width here (`gen_step_time`, interleaved, `--probe-rounds` rounds, the median) and records it, so
the table shows how equal the times were. Each run is scored as `bench_gen_levers.py` scores its runs
(`bench_autoguidance.score`): `--n` samples with the `valid` label mix, Euler 10 at the main job's guidance (`cpu32`'s
`eval_cfg`), two noise seeds, against the `valid` photos (the floor: as many `train` photos). Change: FID's change from
the first width from the same training seed, the mean over the seeds. `test` is never read. `--train-only` trains and
scores nothing (one process per seed, with a thread each, can share the machine). Writes
bench/results/<--name, default gen_width>.{json,md}; `--table-only` rewrites the .md from the .json.
  python bench/bench_gen_width.py [--runs 48:1500 32:2400] [--seeds 0 1] [--name gen_width] [--train-only]
  python bench/bench_gen_width.py --runs 48:1500 64:1030 --name gen_width_wide
"""
import argparse, json, platform, statistics, time
from pathlib import Path
import numpy as np
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels
from tinycats.generator import PRESETS
from tinycats.pipeline import PIPELINE_SETTINGS, gen_step_time
from tinycats.train_step import keep_freed_memory
from bench_autoguidance import run_cells, score   # the same samples and scores (bench/ is on the path)
from bench_nonleak import main_recipe

JOB = PIPELINE_SETTINGS['cpu32']
CFG, FEAT = JOB['eval_cfg'], JOB['gen_feat_loss']   # the main job's guidance and feature-loss weight

def trained(out:Path, ch:int, steps:int, data:str, seed:int) -> Path:
    "The main job's recipe at width `ch`, `steps` steps, trained into `out` (a finished run is reused)"
    return main_recipe(out, steps, data, seed, model={'ch': ch}, feat_loss=FEAT)

def probe(data:str, widths:list, rounds:int) -> dict:
    "Seconds per training step of each width here: the median of `rounds` interleaved `gen_step_time` probes"
    t = {ch: [] for ch in widths}
    for _ in range(rounds):
        for ch in widths:
            t[ch].append(gen_step_time(data, 'unet32', 32, 2e-3, device='cpu', feat_loss=FEAT, ch=ch))
    return {ch: statistics.median(v) for ch, v in t.items()}

def summary(rows:list) -> dict:
    "Per width: FID by training seed, the mean, and the mean change from the first width's, paired by seed"
    out = {}
    for ch in dict.fromkeys(r['ch'] for r in rows):
        fid = {str(r['seed']): r['mean']['fid'] for r in rows if r['ch'] == ch}
        out[str(ch)] = {'ch': ch, 'steps': next(r['steps'] for r in rows if r['ch'] == ch), 'fid': fid,
                        'mean': float(np.mean(list(fid.values())))}
    base = next(iter(out.values()))['fid']
    for s in out.values(): s['change'] = float(np.mean([v - base[k] for k, v in s['fid'].items()]))
    return out

def table(doc) -> str:
    floor, seeds, st = doc['rows'][0]['floor_fid'], doc['seeds'], doc['step_s']
    rows = ["| base channels | parameters | s / step here | steps | steps x s / step, min | " +
            ' | '.join(f'FID, seed {s}' for s in seeds) + " | mean FID | mean / floor | change |",
            '|---|---|---|---|---|' + '---|'*(len(seeds) + 3)]
    for i, s in enumerate(doc['summary'].values()):
        per = ' | '.join(f"{s['fid'][str(k)]:.1f}" for k in seeds)
        p, t = next(r['params'] for r in doc['rows'] if r['ch'] == s['ch']), st[str(s['ch'])]
        rows.append(f"| {s['ch']} | {p/1e6:.2f}M | {t:.3f} | {s['steps']} | {s['steps']*t/60:.1f} | {per} | "
                    f"{s['mean']:.1f} | {s['mean']/floor:.2f}x | {'' if i == 0 else format(s['change'], '+.1f')} |")
    runs = ["| base channels | training seed | steps | train min | valid v-loss | FID (noise 0, 1000) | KID x1000 | "
            "precision | recall | near-copies |", '|---|---|---|---|---|---|---|---|---|---|']
    for r in doc['rows']:
        runs.append(f"| {r['ch']} | {r['seed']} | {r['steps']} | {r['train_wall_s']/60:.0f} | {r['valid_loss']:.4f} | "
                    + run_cells(r))
    first = next(iter(doc['summary'].values()))
    return (f"The main job's U-Net recipe (unet32, batch 32, lr 0.002, Lite0 feature loss {doc['feat_loss']:g}) at "
            f"{len(doc['summary'])} widths in about equal training time: each width's steps times its step time here "
            f"(`gen_step_time`, {doc['threads']} threads, the median of {doc['probe_rounds']} interleaved probes). "
            f"Training seeds {', '.join(map(str, seeds))}; {doc['n']} samples per noise seed (the `valid` label mix, "
            f"Euler 10, guidance {doc['cfg']:g} as the main job samples) against the {doc['n']} `valid` photos, the "
            f"mean of two noise seeds; real-vs-real floor FID {floor:.1f}. Change: FID's change from {first['ch']} "
            f"channels (the main job's) from the same training seed, the mean over the seeds (negative is better). "
            f"Train min: each run's own wall time (runs trained side by side take longer). {doc['threads']} threads, "
            f"{doc['cpu']}, torch {doc['torch']}.\n\n" + '\n'.join(rows) + "\n\nEvery run:\n\n" + '\n'.join(runs)
            + '\n')

def width_steps(s:str) -> tuple:
    ch, steps = (int(v) for v in s.split(':'))
    if ch < 4 or ch % 4 or steps < 1: raise argparse.ArgumentTypeError(f"{s!r}: want CH:STEPS, CH a multiple of 4")
    return ch, steps

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--runs', nargs='+', type=width_steps, default=[(48, 1500), (32, 2400)])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1])
    p.add_argument('--probe-rounds', type=int, default=3)
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--work', default='runs/width')
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    p.add_argument('--name', default='gen_width', help='the record: <out>/<name>.{json,md}')
    p.add_argument('--train-only', action='store_true', help='train the runs (in any order), score nothing')
    p.add_argument('--table-only', action='store_true', help="rewrite <name>.md from <name>.json, train nothing")
    a = p.parse_args()
    if a.table_only:
        md = table(json.loads((Path(a.out)/f'{a.name}.json').read_text()))
        (Path(a.out)/f'{a.name}.md').write_text(md); print(md); raise SystemExit(0)
    if len({ch for ch, _ in a.runs}) != len(a.runs): p.error(f"one entry per width: {a.runs}")
    ch0 = PRESETS['unet32']['ch']
    if not a.train_only and a.runs[0][0] != ch0: p.error(f"the first entry is the main job's width, {ch0}")
    keep_freed_memory()   # as the main job trains: the same steps, sooner
    t0 = time.time()
    folders = {(ch, s): trained(Path(a.work)/f'ch{ch}-s{s}', ch, n, a.data, s) for ch, n in a.runs for s in a.seeds}
    if a.train_only: raise SystemExit(0)
    step_s = probe(a.data, [ch for ch, _ in a.runs], a.probe_rounds)
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    rows = []
    for (ch, seed), f in folders.items():
        t = json.loads((f/'train.json').read_text())
        rows.append({'ch': ch, 'seed': seed, 'steps': t['step'], 'params': t['params'], 'valid_loss': t['valid_loss'],
                     'train_wall_s': t['wall_s'], **score(load_generator(f, 'cpu'), y, df, CFG),
                     'folder': f.as_posix()})
        print(f'{ch} channels, seed {seed}:', rows[-1]['mean'], flush=True)
    doc = {'n': a.n, 'cfg': CFG, 'feat_loss': FEAT, 'seeds': list(dict.fromkeys(a.seeds)),
           'step_s': {str(k): round(v, 4) for k, v in step_s.items()}, 'probe_rounds': a.probe_rounds,
           'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': rows,
           'summary': summary(rows), 'wall_s': round(time.time() - t0)}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/f'{a.name}.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/f'{a.name}.md').write_text(md := table(doc))
    print(md)
