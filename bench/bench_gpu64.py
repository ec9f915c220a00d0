"""The GPU recipe: the `dit64-s` DiT (64 px, resolution-shifted times) trained by `train_generator` in bf16 for at most 8
minutes on one GPU, sampled on the matching shifted time grid, then judged: FID/KID against the test photos with their
real-vs-real floor, breed and species accuracy by a judge trained on 64 px `train` photos, and near-copies of training
photos (distance, share, the closest pairs).

Two halves, because the GPU machine needs no Inception weights and no fastai:
  python bench/bench_gpu64.py device --data DIR --out DIR [--budget 420] [--bs 256] [--aug-p 0.15]   # GPU: train + sample
  python bench/bench_gpu64.py score DIR [--judge FOLDER]                               # here, on the CPU: the figures
`device` writes train.json, throughput.json, samples.npz (uint8 samples with the test split's label mix), grid.npz
(6 per label), loss.png into --out; the weights stay there (not fetched). `score` trains the judge (`train_judge` at
the samples' size, train split only) unless given one, and writes bench/results/<preset>.{json,md} and
bench/results/<preset>_{samples,nearest}.png; a run that was not on a GPU (a smoke test) writes them into its own DIR.
On the device machine (the photos copied into an ignored folder of the checkout and carried there):
  python bench/bench_gpu64.py device --data data/pets-mini --out $OUT
Proof on a CPU (no GPU lent), as small as it goes:
  python bench/bench_gpu64.py device --data ../shared/data/pets-mini --out /tmp/g64 --preset dit-tiny --dev cpu --bs 16 --budget 30
  python bench/bench_gpu64.py score /tmp/g64 --judge-epochs 1
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np, torch
from bench_gpu import steps_per_s   # the same timed step as the first GPU bench (a DiT preset at batch bs)

ROOT = Path(__file__).parent

def device_run(a):
    from tinycats.core import LABELS, label_id
    from tinycats.data import scan_pets
    from tinycats.generator import model_shift
    from tinycats.train_gen import train_generator
    from tinycats.evaluate import proportional_labels, generate
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    gpu = a.dev == 'cuda'
    info = {'torch': torch.__version__, 'gpu': torch.cuda.get_device_name() if gpu else None,
            'cpu_threads': torch.get_num_threads(), 'python': platform.python_version(), 'preset': a.preset}
    sps = steps_per_s(a.preset, a.dev, gpu, a.bs, n=20 if gpu else 2, warm=3 if gpu else 1)
    steps = max(20, int(a.budget * sps * 0.85))   # the loop adds data, EMA and logging to the bare step
    (out/'throughput.json').write_text(json.dumps({'info': info, 'batch': a.bs, 'steps_per_s': sps}, indent=1))
    print(f"{a.preset}: {sps:.2f} steps/s at batch {a.bs} -> {steps} steps in {a.budget:.0f} s", flush=True)
    t = time.time()
    res = train_generator(a.data, out/'run', preset=a.preset, steps=steps, batch_size=a.bs, lr=a.lr,
                          warmup=min(1000, steps//10), aug='flip', aug_p=a.aug_p, device=a.dev, mixed_precision='bf16' if gpu else 'no',
                          ckpt_every=0, sample_every=0, log_every=max(1, steps//50), progress=False, overwrite=True)
    train_s, g = time.time() - t, res['generator']
    df, _ = scan_pets(a.data, progress=False)
    test = df[df.split == 'test']
    y = proportional_labels(test.label.value_counts().to_dict(), a.n or len(test))
    t = time.time()
    x = generate(g, y, steps=a.steps, sampler='heun', cfg=a.cfg, seed=0, batch_size=256, progress=False)
    sample_s = time.time() - t
    u8 = lambda x: ((x.clamp(-1, 1) + 1)*127.5).round().to(torch.uint8).numpy()
    np.savez_compressed(out/'samples.npz', x=u8(x), y=y)
    yg = [label_id(l) for l in LABELS for _ in range(6)]
    np.savez_compressed(out/'grid.npz', x=u8(generate(g, yg, steps=a.steps, sampler='heun', cfg=a.cfg, seed=1,
                                                      progress=False)), y=np.array(yg))
    tj = json.loads((out/'run'/'train.json').read_text())
    tj.update(info=info, train_wall_s=round(train_s, 1), sample_wall_s=round(sample_s, 1), n_samples=len(y),
              cfg=a.cfg, sampler='heun', sample_steps=a.steps, t_shift=model_shift(g), steps_per_s_measured=sps)
    (out/'train.json').write_text(json.dumps(tj, indent=1))
    (out/'loss.png').write_bytes((out/'run'/'loss.png').read_bytes())
    print(json.dumps({k: tj[k] for k in ('step', 'loss', 'valid_loss', 'train_wall_s', 'sample_wall_s')}), flush=True)

def _judge(a, df, size):
    "The judge given by --judge, else one trained here on the `train` photos at `size` px"
    from tinycats.train_classifier import load_judge, train_judge
    if a.judge: return load_judge(a.judge), None
    m = train_judge(df, size, Path(a.dir)/'judge', progress=False, **({'epochs': a.judge_epochs} if a.judge_epochs else {}))
    return m['classifier'], {k: m[k] for k in ('valid', 'test', 'config', 'time')}

def score(a):
    "Score the returned samples here (Inception and the judge on the CPU); write the results and pictures"
    from tinycats.core import LABELS, labelled_grid, pets_mini_path
    from tinycats.data import scan_pets
    from tinycats.evaluate import evaluate_samples, show_nearest
    d = Path(a.dir)
    z, tj = np.load(d/'samples.npz'), json.loads((d/'train.json').read_text())
    x = torch.from_numpy(z['x']).float()/127.5 - 1
    df, _ = scan_pets(a.data or pets_mini_path(), progress=False)
    judge, jm = _judge(a, df, x.shape[-1])
    ev = evaluate_samples(x, z['y'], df, judge, progress=False)
    ev.pop('real_per_breed', None)
    tag = tj['info']['preset']
    res_dir = ROOT/'results' if tj['info']['gpu'] else d   # a smoke run on a CPU is no result: it stays in its folder
    for sp in ('valid', 'test'): (jm or {}).get(sp, {}).pop('confusion', None)
    res = {'train': {k: tj.get(k) for k in ('info', 'step', 'loss', 'valid_loss', 'baselines', 'params', 'mixed_precision',
                                            'device', 'train_wall_s', 'sample_wall_s', 'n_samples', 'cfg', 'sampler',
                                            'sample_steps', 't_shift', 'steps_per_s_measured')},
           'batch_size': tj['config']['train']['batch_size'], 'lr': tj['config']['train']['lr'], 'judge': jm, 'eval': ev}
    (res_dir/f'{tag}.json').write_text(json.dumps(res, indent=1, default=float))
    imgs = res_dir
    g = np.load(d/'grid.npz')
    labelled_grid(torch.from_numpy(g['x']).float()/127.5 - 1, list(LABELS), 6).save(imgs/f'{tag}_samples.png', optimize=True)
    fig = show_nearest(x, ev); fig.savefig(imgs/f'{tag}_nearest.png', dpi=80, bbox_inches='tight')
    t, e, f = res['train'], ev, ev['floor']
    where = t['info']['gpu'] or "the CPU (a smoke run of the script: no GPU was lent)"
    md = [f"`{t['info']['preset']}` ({t['params']/1e6:.1f} M parameters, time shift {t['t_shift']}) trained by "
          f"`train_generator` on {where} in {'fp32' if t['mixed_precision'] == 'no' else t['mixed_precision']} for {t['step']} steps x {res['batch_size']} "
          f"(lr {res['lr']}) in {t['train_wall_s']/60:.1f} min ({t['steps_per_s_measured']:.1f} steps/s measured first): "
          f"loss {t['loss']:.3f}, validation {t['valid_loss']:.3f} (zero predictor {t['baselines']['zero']:.3f}). "
          f"{t['n_samples']} samples ({t['sampler']}, {t['sample_steps']} steps on the shifted grid, cfg {t['cfg']}, "
          f"{t['sample_wall_s']:.0f} s) against the {e['n_test']} test photos at {e['size']} px:", "",
          "| | FID | KID | precision | recall | breed accuracy | informedness | cat breeds called a cat |",
          "|---|---|---|---|---|---|---|---|",
          f"| samples | {e['fid']:.1f} | {e['kid']:.4f} | {e['precision']:.2f} | {e['recall']:.2f} | {e['breed_accuracy']:.3f} | "
          f"{e['breed_informedness']:.3f} | {e['cat_as_cat']:.3f} |",
          f"| real photos (floor: train vs test; judge: test) | {f['fid']:.1f} | {f['kid']:.4f} | {f['precision']:.2f} | "
          f"{f['recall']:.2f} | {e['real_accuracy']:.3f} | {e['real_informedness']:.3f} | {e['real_cat_as_cat']:.3f} |", "",
          f"FID / floor: {e['fid']/f['fid']:.2f}x. Judge: `{e['judge']}`. Near-copies of `train` photos (Inception "
          f"distance below {e['near_copy_threshold']:.2f}, which {e['real_near_copy_share']:.1%} of test photos are): "
          f"{e['near_copy_share']:.1%} of samples; median nearest distance {e['nn_dist_median']:.2f} "
          f"(test photos {e['real_nn_dist_median']:.2f}).", "",
          f"![samples, 6 per label]({tag}_samples.png)", "",
          f"![closest pairs]({tag}_nearest.png)", ""]
    (res_dir/f'{tag}.md').write_text('\n'.join(md)); print('\n'.join(md))

if __name__ == '__main__':
    p = argparse.ArgumentParser(); sp = p.add_subparsers(dest='cmd', required=True)
    d = sp.add_parser('device'); d.add_argument('--data', required=True); d.add_argument('--out', required=True)
    d.add_argument('--budget', type=float, default=420, help='seconds of training (at most 480)')
    d.add_argument('--preset', default='dit64-s'); d.add_argument('--dev', default='cuda')
    d.add_argument('--bs', type=int, default=256); d.add_argument('--lr', type=float, default=3e-4)
    d.add_argument('--cfg', type=float, default=2.0); d.add_argument('--steps', type=int, default=40)
    d.add_argument('--n', type=int, default=None, help='samples to score (default: as many as test photos)')
    d.add_argument('--aug-p', type=float, default=0.15,
                   help="non-leaking augmentation: each transform's probability (EDM's AFHQ-64 setting; 0: flips only)")
    s = sp.add_parser('score'); s.add_argument('dir'); s.add_argument('--data'); s.add_argument('--judge')
    s.add_argument('--judge-epochs', type=int, help="the judge's epochs (default: JUDGE_RECIPE's)")
    a = p.parse_args()
    if a.cmd == 'device' and a.budget > 480: p.error('--budget: at most 480 seconds (8 minutes) of training')
    device_run(a) if a.cmd == 'device' else score(a)
