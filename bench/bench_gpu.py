"""The generator on a GPU: training throughput side by side (the machine's CPU vs its GPU in fp32 vs bf16), then a real
`dit128-s` run of `train_generator` in bf16, sampled and scored against pets-mini's test split.

Two halves, because the GPU machine has no Inception weights and no fastai:
  python bench/bench_gpu.py device --data DIR --out DIR [--budget 240] [--throughput-only --bs 256]   # on the GPU machine: throughput + train + sample
  python bench/bench_gpu.py score DIR [--classifier CLF]                 # here, on the CPU: FID/KID/PR/breed accuracy
The first writes `throughput.json`, `train.json`, `samples.npz`, `samples.png`, `loss.png` into --out; the second
writes bench/results/gpu.{json,md}, gpu_samples.png and gpu_loss.png.
"""
import argparse, json, platform, shutil, time
from pathlib import Path
import numpy as np, torch

PRESETS = ('dit32', 'dit64', 'dit128-s')   # generator presets (DiTs)

def _step_fn(model, opt, x, y, amp):
    from tinycats.flow import flow_loss
    def step():
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=amp):
            loss, _, _ = flow_loss(model, x, y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        return loss
    return step

def steps_per_s(preset, device, amp=False, bs=32, n=20, warm=3):
    "Optimiser steps per second of `preset` (forward, backward, AdamW) at batch `bs`"
    from tinycats.generator import generator_from_preset
    from tinycats.core import N_CLASSES
    torch.manual_seed(0)
    m = generator_from_preset(preset).to(device).train()
    s = m.config['img_size']
    x, y = torch.randn(bs, 3, s, s, device=device), torch.randint(0, N_CLASSES, (bs,), device=device)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    step = _step_fn(m, opt, x, y, amp)
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    for _ in range(warm): step()
    sync(); t = time.perf_counter()
    for _ in range(n): loss = step()
    sync(); dt = time.perf_counter() - t
    assert torch.isfinite(loss), f"{preset} {device} amp={amp}: loss {loss}"
    return n/dt

def throughput(bs=32, dev='cuda', presets=PRESETS, cpu=True):
    rows = []
    for p in presets:
        r = {'preset': p, 'batch': bs}
        r['cpu'] = steps_per_s(p, 'cpu', bs=bs, n=3 if p == 'gpu128' else 10, warm=1) if cpu else None
        r['gpu_fp32'] = steps_per_s(p, dev, bs=bs, n=50)
        r['gpu_bf16'] = steps_per_s(p, dev, amp=dev == 'cuda', bs=bs, n=50)
        print(json.dumps(r), flush=True); rows.append(r)
    return rows

def device_run(a):
    from tinycats.train_gen import train_generator
    from tinycats.checkpoint import load_generator
    from tinycats.data import scan_pets
    from tinycats.evaluate import proportional_labels, generate
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    info = {'torch': torch.__version__, 'gpu': torch.cuda.get_device_name() if a.dev == 'cuda' else 'none (smoke run)', 'cpu_threads': torch.get_num_threads(), 'python': platform.python_version()}
    print(info, flush=True)
    if a.throughput_only:   # a second table at a large batch (GPU only): where bf16 starts to pay
        rows = throughput(a.bs, a.dev, ('dit128-s', 'dit128-anchor'), cpu=False)
        (out/f'throughput_bs{a.bs}.json').write_text(json.dumps({'info': info, 'rows': rows}, indent=1)); return
    rows = throughput(a.bs, a.dev, PRESETS if a.preset == 'dit128-s' else (a.preset,))
    (out/'throughput.json').write_text(json.dumps({'info': info, 'rows': rows}, indent=1))
    # a bf16 dit128-s run sized to the time budget from the measured throughput (the loop adds logging and EMA)
    sps = steps_per_s(a.preset, a.dev, a.dev == 'cuda', a.train_bs, 30)
    steps = max(200, int(a.budget * sps * 0.8) // 100 * 100)
    print(f"training {a.preset} for {steps} steps at batch {a.train_bs} ({sps:.1f} steps/s measured)", flush=True)
    t = time.time()
    train_generator(a.data, out=str(out/'run'), preset=a.preset, steps=steps, batch_size=a.train_bs, lr=a.lr,
                    warmup=min(500, steps//10), ckpt_every=0, sample_every=0, log_every=100, progress=False, overwrite=True)
    train_s = time.time() - t
    g = load_generator(out/'run', device=a.dev)
    df, _ = scan_pets(a.data, progress=False)
    test = df[df.split == 'test']
    y = proportional_labels(test.label.value_counts().to_dict(), len(test))
    t = time.time()
    x = generate(g, y, steps=50, sampler='heun', cfg=a.cfg, seed=0, batch_size=128, progress=False)
    sample_s = time.time() - t
    u8 = ((x.clamp(-1, 1) + 1)*127.5).round().to(torch.uint8).numpy()
    np.savez_compressed(out/'samples.npz', x=u8, y=y)
    tj = json.loads((out/'run'/'train.json').read_text())
    tj.update(train_wall_s=round(train_s, 1), sample_wall_s=round(sample_s, 1), n_samples=len(y), cfg=a.cfg, sampler='heun', sample_steps=50, steps_per_s_measured=sps)
    (out/'train.json').write_text(json.dumps(tj, indent=1))
    for f in ('loss.png', 'samples.png'): shutil.copy(out/'run'/f, out/f)
    shutil.rmtree(out/'run')   # the weights (130 MB in fp32) do not come back
    print(json.dumps({k: tj[k] for k in ('step', 'loss', 'valid_loss', 'train_wall_s', 'sample_wall_s')}), flush=True)

def score(a):
    "Score the returned samples here (Inception and the classifier run on the CPU) and write the results table"
    from tinycats.data import scan_pets
    from tinycats.evaluate import evaluate_samples
    from tinycats.runtime import load_classifier
    from tinycats.core import pets_mini_path
    d = Path(a.dir); root = Path(__file__).parent
    z = np.load(d/'samples.npz'); x = torch.from_numpy(z['x']).float()/127.5 - 1
    df, _ = scan_pets(a.data or pets_mini_path(), progress=False)
    clf = load_classifier(a.classifier) if a.classifier else None
    ev = evaluate_samples(x, z['y'], df, clf, progress=False)
    tp, tj = json.loads((d/'throughput.json').read_text()), json.loads((d/'train.json').read_text())
    res = {'throughput': tp, 'train': {k: tj[k] for k in ('step', 'loss', 'valid_loss', 'baselines', 'params', 'mixed_precision', 'device',
                                                          'train_wall_s', 'sample_wall_s', 'n_samples', 'cfg', 'sampler', 'sample_steps')},
           'batch_size': tj['config']['train']['batch_size'], 'eval': ev}
    info = tp['info']
    md = [f"Training throughput, optimiser steps/s at batch {tp['rows'][0]['batch']} (forward + backward + AdamW), measured side by side in one run "
          f"on one machine: {info['gpu']} vs its own CPU ({info['cpu_threads']} threads), torch {info['torch']}.\n",
          "| preset | CPU | GPU fp32 | GPU bf16 | GPU bf16 / CPU | bf16 / fp32 |", "|---|---|---|---|---|---|"]
    md += [f"| {r['preset']} | {r['cpu']:.2f} | {r['gpu_fp32']:.1f} | {r['gpu_bf16']:.1f} | {r['gpu_bf16']/r['cpu']:.0f}x | {r['gpu_bf16']/r['gpu_fp32']:.2f}x |" for r in tp['rows']]
    big = d/'throughput_bs256.json'
    if big.exists():
        res['throughput_bs256'] = b2 = json.loads(big.read_text())
        md += ["", f"At batch {b2['rows'][0]['batch']} (GPU only, same machine, another call):", "",
               "| preset | GPU fp32 | GPU bf16 | bf16 / fp32 |", "|---|---|---|---|"]
        md += [f"| {r['preset']} | {r['gpu_fp32']:.1f} | {r['gpu_bf16']:.1f} | {r['gpu_bf16']/r['gpu_fp32']:.2f}x |" for r in b2['rows']]
    (root/'results'/'gpu.json').write_text(json.dumps(res, indent=1))
    t, e, f = res['train'], ev, ev['floor']
    md += ["", f"`{tp['info'].get('preset', 'dit128-s')}` ({t['params']/1e6:.1f} M parameters) trained by `train_generator` in {t['mixed_precision']} for {t['step']} steps x "
           f"{res['batch_size']} in {t['train_wall_s']/60:.1f} min: loss {t['loss']:.3f}, validation {t['valid_loss']:.3f} "
           f"(zero predictor {t['baselines']['zero']:.3f}). {t['n_samples']} samples ({t['sampler']}, {t['sample_steps']} steps, cfg {t['cfg']}) "
           f"against the {e['n_test']} test photos at {e['size']} px:", "",
           "| | FID | KID | precision | recall | breed accuracy |", "|---|---|---|---|---|---|",
           f"| samples | {e['fid']:.1f} | {e['kid']:.3f} | {e['precision']:.2f} | {e['recall']:.2f} | {e.get('breed_accuracy', float('nan')):.3f} |",
           f"| floor: train photos | {f['fid']:.1f} | {f['kid']:.3f} | {f['precision']:.2f} | {f['recall']:.2f} | {e.get('real_accuracy', float('nan')):.3f} (test photos) |", ""]
    (root/'results'/'gpu.md').write_text('\n'.join(md)); print('\n'.join(md))
    imgs = root/'results'
    from PIL import Image
    im = Image.open(d/'samples.png').convert('RGB')   # 128 px cells: halve and use 256 colours to keep the docs light
    im.resize((im.width//2, im.height//2), Image.Resampling.LANCZOS).quantize(256).save(imgs/'gpu_samples.png', optimize=True)
    shutil.copy(d/'loss.png', imgs/'gpu_loss.png')

if __name__ == '__main__':
    p = argparse.ArgumentParser(); sp = p.add_subparsers(dest='cmd', required=True)
    d = sp.add_parser('device'); d.add_argument('--data', required=True); d.add_argument('--out', required=True)
    d.add_argument('--budget', type=float, default=240, help='seconds of training'); d.add_argument('--bs', type=int, default=32)
    d.add_argument('--throughput-only', action='store_true'); d.add_argument('--dev', default='cuda'); d.add_argument('--preset', default='dit128-s')
    d.add_argument('--train-bs', type=int, default=64); d.add_argument('--lr', type=float, default=3e-4); d.add_argument('--cfg', type=float, default=1.5)
    s = sp.add_parser('score'); s.add_argument('dir'); s.add_argument('--data'); s.add_argument('--classifier')
    a = p.parse_args()
    device_run(a) if a.cmd == 'device' else score(a)
