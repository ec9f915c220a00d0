#!/usr/bin/env python3
"""The tutorials' install cell, as Colab runs it: in a fresh virtual environment that already holds another torch.

Colab ships its own torch (and torchvision). The tutorials' first cell installs tinycats with `%pip install`; it must
leave that torch as it is, and the tutorial must then run. This script checks both, on purpose (it installs packages,
so it is not part of the test suite):

1. a fresh venv gets a torch other than CI's pin (default: `torch==2.13.0` from PyPI, a CUDA build as Colab's is, or
   `--torch SPEC`) and the torchvision built for it, as Colab has them. pip runs without this machine's pip config
   (its local `+cpu` wheel has no torchvision to match);
2. each tutorial's install line runs in it, with the git URL replaced by this checkout (the published repository is
   what Colab fetches; this machine cannot reach GitHub), and torch/torchvision must not change;
3. each tutorial then runs end to end in that venv with `IN_TEST=1` (the tests' small settings) through execnb.

    python .ci/colab_check.py [--torch SPEC] [--keep]

Prints one line per step and exits non-zero on the first failure.
"""
import argparse, json, os, re, shlex, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def sh(*args, env=None, cwd=None, check=True) -> str:
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, cwd=cwd)
    if check and r.returncode: sys.exit(f"FAILED: {' '.join(map(str, args))}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout

def versions(py) -> dict:
    return json.loads(sh(py, '-c', 'import json, torch, torchvision; '
                                   'print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__}))'))

def install_line(nb:Path) -> str:
    "The `%pip install ...` line of the tutorial's first code cell"
    cells = [c for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
    m = re.search(r'%pip install (.+)', ''.join(cells[0]['source']))
    if not m: sys.exit(f"{nb.name}: no %pip install line in its first code cell")
    return m.group(1).strip()

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--torch', default='torch==2.13.0', help='torch to preinstall, a pip spec (default: %(default)s)')
    ap.add_argument('--keep', action='store_true', help='keep the venv (its path is printed)')
    a = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix='tinycats_colab_'))
    try: check(d, a.torch)
    finally:   # the venv is about 6 GB: removed, whether a step failed or not, unless --keep
        if a.keep: print(f"venv kept: {d/'venv'}")
        else: shutil.rmtree(d, ignore_errors=True)

def check(d:Path, spec:str):
    py = d/'venv'/'bin'/'python'
    t0 = time.time()
    os.environ.pop('PIP_FIND_LINKS', None); os.environ['PIP_CONFIG_FILE'] = os.devnull   # PyPI as Colab sees it
    sh(sys.executable, '-m', 'venv', d/'venv'); sh(py, '-m', 'pip', 'install', '-q', '--upgrade', 'pip')
    sh(py, '-m', 'pip', 'install', '-q', spec)
    tv = json.loads(sh(py, '-c', 'import json, torch; print(json.dumps(torch.__version__))'))
    minor = int(tv.split('+')[0].split('.')[1])
    sh(py, '-m', 'pip', 'install', '-q', f'torchvision==0.{minor + 15}.*')   # torchvision 0.N+15 goes with torch 2.N
    before = versions(py)
    print(f"venv with torch {before['torch']}, torchvision {before['torchvision']} ({time.time() - t0:.0f} s)", flush=True)
    if before['torch'].startswith('2.14.1'): sys.exit("the preinstalled torch is CI's pin: choose another with --torch")
    env = {**os.environ, 'PATH': f"{py.parent}:{os.environ['PATH']}", 'VIRTUAL_ENV': str(d/'venv'), 'IN_TEST': '1',
           'MPLBACKEND': 'Agg', 'HF_HUB_OFFLINE': '1'}
    env.pop('PYTHONPATH', None)
    for nb in sorted((ROOT/'nbs'/'tutorials').glob('*.ipynb')):
        line = install_line(nb)
        local = re.sub(r'git\+https://github\.com/tinycats/tinycats', f'file://{ROOT}', line)
        t0 = time.time()
        sh(py, '-m', 'pip', 'install', *shlex.split(local), env=env)
        after = versions(py)
        if after != before: sys.exit(f"{nb.name}: its install changed {before} to {after}")
        print(f"{nb.name}: `pip install {line}` left torch {after['torch']} and torchvision {after['torchvision']} "
              f"as they were ({time.time() - t0:.0f} s)", flush=True)
    sh(py, '-m', 'pip', 'install', '-q', 'execnb', env=env)   # to run the notebooks (not a tinycats dependency)
    run = ("import sys\ntry: from fastcore.nbio import read_nb\nexcept ImportError: from execnb.nbio import read_nb\n"
           "from execnb.shell import CaptureShell\n"
           "nb = read_nb(sys.argv[1]); CaptureShell().run_all(nb, exc_stop=True)")
    for nb in sorted((ROOT/'nbs'/'tutorials').glob('*.ipynb')):
        t0 = time.time()
        sh(py, '-c', run, nb.name, env=env, cwd=nb.parent)
        print(f"{nb.name}: ran end to end with torch {before['torch']} ({time.time() - t0:.0f} s)", flush=True)
    print("ok: the install cells keep Colab's torch, and the tutorials run with it")

if __name__ == '__main__': main()
