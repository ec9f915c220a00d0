"""The CPU recipe of the generator, chosen on `valid` at equal CPU time: backbone, size, time sampling, LR schedule.

Every variant trains with `train_generator` for the same CPU-seconds budget (its step count is set from a timed
probe of its own train step), then draws `--n` samples with the valid split's label mix and is scored against the
`valid` photos (FID, KID, precision/recall, the floor of as many real `train` photos) and by its validation loss.
`test` is never read. Variants run one after another in one process with the same threads; results are saved after
each one (rerunning skips the finished ones, `--fresh` starts over). Writes bench/results/gen_recipes.{json,md}.
  OMP_NUM_THREADS=1 python bench/bench_gen_recipes.py [--data ../shared/data/pets-mini] [--cpu-s 200] [--n 177] [--bf16]
Two halves on two cores, then joined: run each with --only NAME... --out DIR, then --merge DIR1 DIR2.
"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import torch
from tinycats.core import pets_mini_path, seed_everything
from tinycats.data import scan_pets, get_batch
from tinycats.flow import flow_loss
from tinycats.generator import PRESETS, generator_from_preset, n_params
from tinycats.train_gen import train_generator
from tinycats.evaluate import proportional_labels, generate, evaluate_samples

# name: (generator preset, train_generator settings). The first is the main job's cpu32 recipe as it was (the DiT).
BASE = dict(batch_size=32, lr=2e-3, warmup=200)
VARIANTS = {
    'dit32 (patch 4, 128 wide, 4 deep)':      ('dit32', {}),
    'dit, noisier times (t_mean -0.5)':       ('dit32', dict(t_mean=-0.5)),
    'dit, constant LR (no cosine decay)':     ('dit32', dict(final_lr=1.0)),
    'dit, 192 wide, 3 deep':                  ('dit32', dict(dim=192, depth=3, heads=4)),
    'dit, patch 2 (256 tokens), 96 wide':     ('dit32', dict(patch=2, dim=96, depth=4, heads=4)),
    'unet32 (48 channels, 1 block/level)':    ('unet32', dict(lr=1e-3)),
    'unet, 32 channels':                      ('unet32', dict(lr=1e-3, ch=32)),
}

def probe_step_cpu_s(preset, kw, x_u8, y, reps=6, bf16=False):
    "CPU seconds of one training step (forward, backward, AdamW) of this variant, after two warm-up steps"
    seed_everything(0)
    arch = {k: v for k, v in kw.items() if k not in ('lr', 't_mean', 'final_lr', 'warmup', 'batch_size')}
    m = generator_from_preset(preset, **arch)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(0)
    for i in range(reps + 2):
        if i == 2: c0 = time.process_time()
        xb, yb = get_batch(x_u8, y, i, BASE['batch_size'], 0, g)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): loss = flow_loss(m, xb, yb, generator=g)[0]
        loss.backward(); opt.step(); opt.zero_grad()
    return (time.process_time() - c0) / reps, n_params(m)

def run(name, preset, kw, a, df, tmp):
    from tinycats.train_gen import gen_data
    tr = gen_data(size=PRESETS[preset]['img_size'], df=df)
    per_step, params = probe_step_cpu_s(preset, {**BASE, **kw}, tr.x, tr.y)
    steps = max(50, int(a.cpu_s / per_step))
    t0, c0 = time.time(), time.process_time()
    res = train_generator(a.data, tmp/name.split()[0], steps=steps, preset=preset, overwrite=True, device='cpu',
                          progress=False, log_every=max(1, steps//5), sample_every=0, ckpt_every=0,
                          **{**BASE, **kw})
    train_cpu, train_wall = time.process_time() - c0, time.time() - t0
    valid = df[df.split == 'valid']
    y = proportional_labels(valid.label.value_counts().to_dict(), a.n)
    x = generate(res['generator'], y, steps=a.steps, sampler='euler', cfg=a.cfg, seed=0, progress=False)
    ev = evaluate_samples(x, y, df, None, progress=False, ref='valid')
    keep = ('fid', 'kid', 'precision', 'recall')
    return {'preset': preset, 'settings': kw, 'params': params, 'step_cpu_s': round(per_step, 4), 'steps': steps,
            'train_cpu_s': round(train_cpu, 1), 'train_wall_s': round(train_wall, 1),
            'valid_loss': res['valid_loss'], **{k: ev[k] for k in keep},
            'floor': {k: ev['floor'][k] for k in keep}, 'n': len(x),
            **{k: ev[k] for k in ('near_copy_share', 'nn_dist_median') if k in ev}}

def table(results) -> str:
    rows = ["| variant | params (M) | CPU s/step | steps | train CPU s | valid v-loss | FID | KID x1000 | precision | recall |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for k, r in results.items():
        rows.append(f"| {k} | {r['params']/1e6:.2f} | {r['step_cpu_s']:.3f} | {r['steps']} | {r['train_cpu_s']:.0f} | {r['valid_loss']:.4f} | "
                    f"{r['fid']:.1f} | {r['kid']*1000:.1f} | {r['precision']:.2f} | {r['recall']:.2f} |")
    return '\n'.join(rows)

def write(doc, out):
    "bench/results/gen_recipes.{json,md} from `doc` (variants in the order of VARIANTS)"
    res = {k: doc['results'][k] for k in VARIANTS if k in doc['results']}
    doc = {**doc, 'results': res}
    (out/'gen_recipes.json').write_text(json.dumps(doc, indent=1))
    floor = next(iter(res.values()))['floor']['fid']
    md = (f"Generator recipes on pets-mini at equal CPU time (steps for {doc['budget_cpu_s']:.0f} CPU-seconds of training each, "
          f"{doc['threads']} thread, {doc['cpu_capability']} CPU, torch {doc['torch']}); {doc['n']} samples "
          f"({doc['sampler']}) against the {doc['n']} `valid` photos; real-vs-real floor FID {floor:.1f} "
          f"({doc['n']} `train` photos). One seed each: treat small gaps as noise. Base: batch {BASE['batch_size']}, "
          f"lr {BASE['lr']}, {BASE['warmup']} warm-up steps, cosine to 0.1x. Steps come from a probe of the step alone; "
          f"the loop's data, EMA and logging add 10-70% (train CPU s).\n\n" + table(res) + "\n")
    if 'bf16' in doc:
        md += ("\nbf16 autocast on this CPU, CPU-seconds per training step at batch 32 (no training run):\n\n"
               "| preset | fp32 | bf16 | bf16 / fp32 |\n|---|---|---|---|\n" +
               ''.join(f"| {k} | {v['fp32_step_cpu_s']:.2f} | {v['bf16_step_cpu_s']:.2f} | "
                       f"{v['bf16_step_cpu_s']/v['fp32_step_cpu_s']:.1f}x |\n" for k, v in doc['bf16'].items()))
    (out/'gen_recipes.md').write_text(md)
    return md

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--data', default=str(pets_mini_path())); p.add_argument('--cpu-s', type=float, default=200)
    p.add_argument('--n', type=int, default=177); p.add_argument('--steps', type=int, default=25)
    p.add_argument('--cfg', type=float, default=4.0); p.add_argument('--only', nargs='*')
    p.add_argument('--bf16', action='store_true', help='also time bf16 autocast against fp32 (step time only)')
    p.add_argument('--merge', nargs='*', help='folders of other runs (--out) whose results join these')
    p.add_argument('--fresh', action='store_true'); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    jf = out/'gen_recipes.json'
    doc = json.loads(jf.read_text()) if jf.exists() and not a.fresh else {}
    doc.update({'budget_cpu_s': a.cpu_s, 'n': a.n, 'sampler': f"euler, {a.steps} steps, guidance {a.cfg}",
                'reference': 'valid', 'threads': torch.get_num_threads(), 'torch': torch.__version__,
                'cpu': platform.processor() or platform.machine(), 'cpu_capability': torch.backends.cpu.get_cpu_capability(),
                'base': BASE})
    results = doc.setdefault('results', {})
    for d in a.merge or []:
        o = json.loads((Path(d)/'gen_recipes.json').read_text())
        results.update(o['results']); doc.update({k: o[k] for k in ('bf16', 'threads', 'torch', 'cpu', 'cpu_capability') if k in o})
    if a.merge is not None: print(write(doc, out)); raise SystemExit
    df, _ = scan_pets(a.data, progress=False)
    tmp = Path(tempfile.mkdtemp(prefix='tinycats_recipes_'))
    for name, (preset, kw) in VARIANTS.items():
        if name in results or (a.only is not None and not any(o in name for o in a.only)): continue
        print(f"== {name}", flush=True)
        results[name] = r = run(name, preset, kw, a, df, tmp)
        print(f"   {r['steps']} steps, {r['train_cpu_s']:.0f} CPU-s: valid loss {r['valid_loss']:.4f}, FID {r['fid']:.1f} "
              f"(floor {r['floor']['fid']:.1f})", flush=True)
        write(doc, out)
    if a.bf16:   # bf16 pays only where the CPU multiplies bf16 in hardware (AMX, AVX512-BF16); time it here
        from tinycats.train_gen import gen_data
        tr = {s: gen_data(size=PRESETS[s]['img_size'], df=df) for s in ('dit32', 'unet32')}
        doc['bf16'] = {s: {'fp32_step_cpu_s': probe_step_cpu_s(s, {}, tr[s].x, tr[s].y, reps=3)[0],
                           'bf16_step_cpu_s': probe_step_cpu_s(s, {}, tr[s].x, tr[s].y, reps=2, bf16=True)[0]}
                       for s in tr}
        print(json.dumps(doc['bf16']), flush=True)
    if results: print(write(doc, out))
