"""Guidance in a limited interval (Kynkaanniemi et al. 2024) on the main job's U-Net, scored on `valid`.

Classifier-free guidance pushes every sample towards what is most typical of its breed. Applied at the noisiest times
it also narrows which pictures get drawn at all (lower recall); near the end it does little. The paper guides only in
the middle of the noise levels, with a larger scale, and reports better FID than full-range guidance. `sample_flow`
already takes `cfg_interval=(t_lo, t_hi)` (times in [0, 1], 0 = noise, guidance 1 outside); this script scores
settings of it against full-range guidance 3 (the recommended) and 2, as `bench_autoguidance.py` scores guidance: `--n`
samples with the `valid` label mix, Euler 10, two shared noise seeds, against the `valid` photos (its `score`). `test` is never
read. Writes bench/results/guidance_interval.{json,md}.
  python bench/bench_guidance_interval.py [--model runs/pipeline/generator]
"""
import argparse, json, platform, time
from pathlib import Path
import torch
from tinycats.core import pets_mini_path
from tinycats.data import scan_pets
from tinycats.checkpoint import load_generator
from tinycats.evaluate import proportional_labels
from bench_autoguidance import score   # the same samples and scores (bench/, the script's own folder, is on the path)

# (guidance, interval): full range at the recommended 3 and at 2, then limited intervals (the paper's EDM2 interval,
# sigma in (0.28, 5.42], is t in [0.16, 0.78] here; Euler 10 evaluates t = 0, 0.1, ..., 0.9)
SETTINGS = [(3., None), (2., None), (3., (0.15, 0.8)), (4., (0.15, 0.8)), (5., (0.15, 0.8)), (4., (0.25, 1.)),
            (3., (0.25, 1.))]

def table(doc) -> str:
    floor = doc['rows'][0]['floor_fid']
    rows = ["| guidance | interval (t) | FID (seed 0, 1000) | FID / floor | KID x1000 | precision | recall |",
            "|---|---|---|---|---|---|---|"]
    for r in doc['rows']:
        m, s, iv = r['mean'], r['seeds'], r['interval']
        rows.append(f"| {r['cfg']:g} | {'all' if iv is None else f'{iv[0]:g}-{iv[1]:g}'} | {m['fid']:.1f} "
                    f"({s[0]['fid']:.1f}, {s[1]['fid']:.1f}) | {m['fid']/floor:.2f}x | {1000*m['kid']:.1f} | "
                    f"{m['precision']:.2f} | {m['recall']:.2f} |")
    return (f"Guidance in a limited interval on `{doc['model']}` ({doc['model_steps']} steps): {doc['n']} samples per "
            f"noise seed (the `valid` label mix, Euler 10; guidance 1 outside the interval) against the {doc['n']} "
            f"`valid` photos, the mean of two noise seeds; real-vs-real floor FID {floor:.1f}. {doc['threads']} threads, "
            f"{doc['cpu']}, torch {doc['torch']}.\n\n" + '\n'.join(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='runs/pipeline/generator'); p.add_argument('--data', default=str(pets_mini_path()))
    p.add_argument('--n', type=int, default=177); p.add_argument('--out', default='bench/results')
    a = p.parse_args()
    t0 = time.time()
    df, _ = scan_pets(a.data, progress=False)
    y = torch.as_tensor(proportional_labels(df[df.split == 'valid'].label.value_counts().to_dict(), a.n))
    model = load_generator(a.model, 'cpu')
    doc = {'model': a.model, 'model_steps': json.loads((Path(a.model)/'train.json').read_text())['step'], 'n': a.n,
           'threads': torch.get_num_threads(), 'torch': torch.__version__,
           'cpu': f"{platform.machine()}, {torch.backends.cpu.get_cpu_capability()}", 'rows': []}
    for w, iv in SETTINGS:
        doc['rows'].append({'cfg': w, 'interval': iv, **score(model, y, df, w, interval=iv)})
        print(w, iv, doc['rows'][-1]['mean'], flush=True)
    doc['wall_s'] = round(time.time() - t0)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'guidance_interval.json').write_text(json.dumps(doc, indent=1) + '\n')
    (out/'guidance_interval.md').write_text(md := table(doc))
    print(md)
