"""Generator data: one epoch from `GenDataset` (photos decoded once, kept as uint8) vs decoding every photo each epoch.

Both run side by side in one process on the same photos; the result is the ratio. Writes bench/results/data.{json,md}.
  python bench/bench_data.py [--size 32] [--epochs 3]
"""
import argparse, json, time, platform
from pathlib import Path
import numpy as np, torch
from tinycats.core import pets_mini_path
from tinycats.images import load_image
from tinycats.data import scan_pets, GenDataset, square_crop

class DecodeEachTime(torch.utils.data.Dataset):
    "Baseline: open, crop and resize the photo on every access"
    def __init__(self, files, size): self.files, self.size = files, size
    def __len__(self): return len(self.files)
    def __getitem__(self, i):
        a = np.array(square_crop(load_image(self.files[i]), self.size))
        return torch.from_numpy(a).permute(2, 0, 1).float()/127.5 - 1

def epoch_time(ds):
    t = time.perf_counter()
    for xb, *_ in torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True): pass
    return time.perf_counter() - t

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--size', type=int, default=32); p.add_argument('--epochs', type=int, default=3)
    a = p.parse_args()
    df, _ = scan_pets(pets_mini_path(), progress=False)
    t = time.perf_counter(); cached = GenDataset(df, size=a.size, progress=False); build = time.perf_counter() - t
    naive = DecodeEachTime(cached.files, a.size)
    tc = [epoch_time(cached) for _ in range(a.epochs)]
    tn = [epoch_time(naive) for _ in range(a.epochs)]
    res = {'photos': len(cached), 'size': a.size, 'epochs': a.epochs, 'machine': f"{platform.machine()}, {torch.get_num_threads()} threads",
           'cached_build_s': round(build, 3), 'cached_epoch_s': round(float(np.median(tc)), 4), 'decode_epoch_s': round(float(np.median(tn)), 4)}
    res['speedup_per_epoch'] = round(res['decode_epoch_s'] / res['cached_epoch_s'], 1)
    res['break_even_epochs'] = round(build / max(res['decode_epoch_s'] - res['cached_epoch_s'], 1e-9), 2)
    out = Path(__file__).parent/'results'; out.mkdir(exist_ok=True)
    (out/'data.json').write_text(json.dumps(res, indent=2))
    md = ("| data path | one epoch (median) | ratio |\n|---|---|---|\n"
          f"| decode every photo each epoch | {res['decode_epoch_s']} s | 1.0x |\n"
          f"| `GenDataset` (decoded once) | {res['cached_epoch_s']} s | {res['speedup_per_epoch']}x faster |\n\n"
          f"{res['photos']} pets-mini train photos at {a.size} px, batch 64, {res['machine']}; building the cache took "
          f"{res['cached_build_s']} s, i.e. it pays for itself after {res['break_even_epochs']} epochs.\n")
    (out/'data.md').write_text(md); print(md)
