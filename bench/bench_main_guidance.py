"""The kept main job's generator on `test` at another guidance scale, beside the guidance it ran with.

`bench_nonleak.py` scores the main job's U-Net on `valid` at guidance 3 (the recommended `SAMPLING`, chosen on a
2,700-step U-Net), 2 and 1, and guidance 2 scored better there from both noise seeds. Before any default changes, this
script scores `test` once for that candidate with the main job's own evaluation (`evaluate_generator`: as many samples
as `test` photos with their label mix, seed 0, its judge, the floor from `train` photos), and repeats the guidance the
run used, which must give the report's figures again (the same call: the rows differ only in the guidance). It changes
no setting. Writes bench/results/main_guidance.{json,md}. `--name` scores another main job the same way and names its
record, e.g. the main job with the Lite0 feature loss and guidance 2 (`tinycats pipeline --gen-feat-loss 0.1
--eval-cfg 2 --out runs/pipeline-feat`), beside the recommended guidance, with its per-breed grid (`NAME_samples.png`):
  python bench/bench_main_guidance.py [--run runs/pipeline] [--cfgs 3 2]
  python bench/bench_main_guidance.py --run runs/pipeline-feat --cfgs 2 3 --name main_feat
  python bench/bench_main_guidance.py --run runs/pipeline-plain --cfgs 2 3 --name main_plain   # --gen-feat-loss 0
"""
import argparse, json, platform, shutil, time
from pathlib import Path
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import evaluate_generator
from tinycats.train_classifier import load_judge
from tinycats.report import training_levers
from tinycats.solvers import SAMPLING
from _machine import cpu_name   # bench/, the script's own folder, is on the path

KEYS = ('fid', 'kid', 'kid_std', 'precision', 'recall', 'breed_accuracy', 'near_copy_share', 'cfg', 'steps', 'sampler')

def table(doc) -> str:
    rows = ["| guidance | FID | FID / floor | KID x1000 (std) | precision | recall | breed accuracy (judge) | near-copies |",
            "|---|---|---|---|---|---|---|---|"]
    for r in doc['rows']:
        note = (' (as the run)' if r['cfg'] == doc['run_cfg'] else ' (best on `valid`)' if r['cfg'] == 2 else
                ' (the recommended)' if r['cfg'] == SAMPLING['cfg'] else '')
        rows.append(f"| {r['cfg']:g}{note} | {r['fid']:.1f} | {r['fid']/doc['floor_fid']:.2f}x | {1000*r['kid']:.1f} "
                    f"({1000*r['kid_std']:.1f}) | {r['precision']:.2f} | {r['recall']:.2f} | {100*r['breed_accuracy']:.1f}% | "
                    f"{100*r['near_copy_share']:.1f}% |")
    what = doc.get('what') or "The kept main job's generator"
    return (f"{what} (`{doc['run']}`, {doc['steps']} steps) on `test`: {doc['n']} samples (the "
            f"`test` label mix, {doc['sampler']} {doc['sample_steps']}, seed 0) against the {doc['n']} `test` photos, scored "
            f"as the main job scores it; real-vs-real floor FID {doc['floor_fid']:.1f}. The report's FID at guidance "
            f"{doc['run_cfg']:g}: {doc['report_fid']:.1f}. {doc['threads']} threads, {doc['cpu']}, torch {doc['torch']}.\n\n"
            + '\n'.join(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--run', default='runs/pipeline'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--cfgs', nargs='*', type=float, default=[3.0, 2.0]); p.add_argument('--out', default='bench/results')
    p.add_argument('--name', default='main_guidance')   # the record's file name; another name: another main job
    a = p.parse_args()
    t0, run = time.time(), Path(a.run)
    rep = json.loads((run/'report.json').read_text())
    df, _ = scan_pets(a.data, progress=False)
    gen, judge = load_generator(run/'generator', 'cpu'), load_judge(run/'judge', 'cpu')
    rows = []
    for w in a.cfgs:
        r = evaluate_generator(gen, df, judge, n=rep['settings']['n_eval'], cfg=w, seed=rep['seed'], device='cpu',
                               progress=False)
        rows.append({k: r[k] for k in KEYS} | {'floor_fid': r['floor']['fid']}); print(rows[-1], flush=True)
    e = rep['evaluation']
    doc = {'run': a.run, 'steps': rep['generator']['step'], 'n': e['n'], 'sampler': e['sampler'],
           'sample_steps': e['steps'], 'run_cfg': e['cfg'], 'report_fid': e['fid'], 'floor_fid': e['floor']['fid'], 'rows': rows, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'wall_s': None}
    if a.name != 'main_guidance':   # another main job: what it was and how it planned its steps
        pl = rep['generator_plan']
        doc['plan'], doc['time'] = pl, {k: v['wall_s'] for k, v in rep['time'].items()}   # its stages' wall seconds
        lv = ' and '.join(training_levers(rep['generator'].get('config', {}).get('train', {}))) or 'the plain recipe'
        doc['what'] = (f"The main job with {lv} and guidance {rep['evaluation']['cfg']:g} ({pl['steps']} "
                       f"{pl.get('preset', '')} steps fit its {pl['budget_min']:g} minutes at {pl['step_s']:.3f} s per "
                       f"step on this CPU, {cpu_name()}): its generator")
    doc['wall_s'] = round(time.time() - t0)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/f'{a.name}.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/f'{a.name}.md').write_text(md := table(doc))
    if a.name != 'main_guidance': shutil.copyfile(run/'samples_per_breed.png', out/f'{a.name}_samples.png')   # its grid
    print(md)
