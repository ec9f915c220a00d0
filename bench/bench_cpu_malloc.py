"""A CPU training step with glibc's default allocator and with `keep_freed_memory`, side by side.

`make_accelerator` calls `tinycats.train_step.keep_freed_memory` when it trains on a CPU: glibc then serves blocks up
to 32 MB from its heap and keeps freed memory there for reuse, instead of mapping and unmapping pages for each large
tensor of every step. This script times the main job's generator step (`gen_step_time`: preset `unet32`, batch 32,
lr 0.002, `mixed_precision='amx'`, the steady rate of `--steps` steps on `pets-mini` `train`) in fresh processes, with
`TINYCATS_MALLOC=default` (glibc left alone) and without (the tuning on), the two alternating for `--rounds` rounds,
and records each process's wall seconds per step and its user and system CPU seconds. Run it alone on the machine.
Writes bench/results/cpu_malloc.{json,md}.
  python bench/bench_cpu_malloc.py [--steps 60] [--rounds 2] [--feat-loss 0.1]
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path
import torch
from tinycats.core import pets_mini_path
from _machine import cpu_name   # bench/, the script's own folder, is on the path

CHILD = """
import json, resource, sys, warnings
warnings.filterwarnings('ignore')
from tinycats.pipeline import gen_step_time
data, steps, feat = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = gen_step_time(data, 'unet32', 32, 2e-3, n=steps, mixed_precision='amx', feat_loss=feat)
print(json.dumps({'step_s': s}))
"""
MODES = {'glibc default': {'TINYCATS_MALLOC': 'default'}, 'keep_freed_memory': {}}

def child(data, steps, feat, env) -> dict:
    "One fresh process timing the step: its seconds per step and CPU seconds"
    e = {k: v for k, v in os.environ.items() if k != 'TINYCATS_MALLOC'} | env
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, '-c', CHILD, str(data), str(steps), str(feat)], env=e, check=True,
                         capture_output=True, text=True).stdout
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {**json.loads(out.strip().splitlines()[-1]), 'user_s': round(r1.ru_utime - r0.ru_utime, 1),
            'sys_s': round(r1.ru_stime - r0.ru_stime, 1)}

def table(doc) -> str:
    rows = ["| allocator | s per step (each round) | mean s per step | user CPU s | system CPU s |",
            "|---|---|---|---|---|"]
    for m, rs in doc['runs'].items():
        mean = sum(r['step_s'] for r in rs) / len(rs)
        each = lambda k, f: ', '.join(format(r[k], f) for r in rs)
        rows.append(f"| {m} | {each('step_s', '.3f')} | {mean:.3f} | {each('user_s', '.0f')} | "
                    f"{each('sys_s', '.1f')} |")
    return (f"The main job's generator step (`unet32`, batch 32, fp32 here{doc['feat']}) timed by `gen_step_time` over "
            f"{doc['steps']} steps in a fresh process per row and round, the two allocators alternating; CPU seconds "
            f"are the whole process's (start-up and the probe's model build included). {doc['threads']} threads, "
            f"{doc['cpu']} ({doc['capability']}), torch {doc['torch']}.\n\n" + '\n'.join(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--steps', type=int, default=60)
    p.add_argument('--rounds', type=int, default=2); p.add_argument('--feat-loss', type=float, default=0.)
    p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0, runs = time.time(), {m: [] for m in MODES}
    for i in range(a.rounds):
        for m, env in MODES.items():
            runs[m].append(child(a.data, a.steps, a.feat_loss, env)); print(m, runs[m][-1], flush=True)
    doc = {'steps': a.steps, 'rounds': a.rounds, 'feat_loss': a.feat_loss, 'runs': runs,
           'feat': f", feature loss {a.feat_loss:g}" if a.feat_loss else '', 'threads': torch.get_num_threads(),
           'cpu': cpu_name(), 'capability': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}",
           'torch': torch.__version__, 'wall_s': round(time.time() - t0)}
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'cpu_malloc.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'cpu_malloc.md').write_text(md := table(doc))
    print(md)
