"""The docs' screenshots of the browser demo, from the main job's models: run on purpose, never by the tests.

Builds the demo from a `tinycats pipeline` run folder (its onnx/ files), opens it in headless Chromium (Playwright,
the browser `tinycats.demo.find_chromium` names) and takes the three views as a visitor sees them:
- Classify: a real pets-mini `test` photo (the first of `--breed`), with the float32 classifier;
- Generate: that breed with the generator's recommended sampling (its sidecar's `sampling`, which the form starts from);
- Benchmark: the view's own defaults (2 warm-up and 10 timed runs, the recommended sampling).
Writes demo_classify.png, demo_generate.png and demo_benchmark.png into bench/results/ (shown on the 33_demo page).
  python bench/demo_screenshots.py --run runs/pipeline [--breed Bengal] [--out bench/results]
"""
import argparse, csv, json, sys, tempfile
from pathlib import Path
from playwright.sync_api import sync_playwright
from tinycats.core import LABELS, pets_mini_path, read_json
from tinycats.demo import build_demo, find_chromium, serve

ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync']

def test_photo(breed:str) -> Path:
    "The first pets-mini `test` photo of `breed`"
    pm = pets_mini_path()
    rows = [r for r in csv.DictReader((pm/'manifest.csv').open()) if r['split'] == 'test' and r['label'] == breed]
    if not rows: sys.exit(f"no test photo of {breed!r} in {pm}: one of {', '.join(LABELS)}")
    return pm/rows[0]['file']

def take(pg, out:Path, breed:str, photo:Path, sampling:dict) -> dict:
    "Drive the page `pg` through the three views, writing a screenshot of each into `out`; what each view showed"
    seen = {}
    pg.set_input_files('#clf-file', str(photo)); pg.wait_for_selector('#clf-result li', timeout=120_000)
    seen['classify'] = pg.locator('#clf-result li').all_inner_texts()
    pg.screenshot(path=out/'demo_classify.png', full_page=True)
    pg.click('#tab-generate'); pg.select_option('#gen-breed', label=breed.replace('_', ' '))
    form = {'steps': int(pg.input_value('#gen-steps')), 'sampler': pg.input_value('#gen-sampler'),
            'cfg': float(pg.input_value('#gen-cfg'))}
    if form != {k: sampling[k] for k in form}:
        sys.exit(f"the Generate form starts from {form}, not the model's recommended {sampling}")
    pg.click('#gen-run')
    pg.wait_for_function("/^\\d+ x /.test(document.getElementById('gen-status').textContent)", timeout=600_000)
    seen['generate'] = pg.inner_text('#gen-status')
    pg.screenshot(path=out/'demo_generate.png', full_page=True)
    pg.click('#tab-benchmark'); pg.click('#bench-run')
    pg.wait_for_function("document.getElementById('bench-status').textContent === 'done'", timeout=1_800_000)
    seen['benchmark'] = {k: round(v['p50_ms'], 1) for k, v in json.loads(pg.input_value('#bench-json')).items()
                         if k in ('classify', 'generate')}
    pg.screenshot(path=out/'demo_benchmark.png', full_page=True)
    return seen

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--run', default='runs/pipeline', help='a `tinycats pipeline` run folder (its onnx/ files)')
    p.add_argument('--breed', default='Bengal', help='the breed of the Classify photo and of the Generate view')
    p.add_argument('--out', default='bench/results', help='folder for the three PNG files')
    p.add_argument('--chromium', default=None, help='the browser to drive (default: tinycats.demo.find_chromium)')
    a = p.parse_args()
    run, out = Path(a.run), Path(a.out)
    gen = run/'onnx'/'generator.onnx'
    if not gen.exists() or not (run/'onnx'/'classifier.onnx').exists():
        sys.exit(f"{run}: no onnx/classifier.onnx and onnx/generator.onnx: run `tinycats pipeline --out {run}` first")
    out.mkdir(parents=True, exist_ok=True)
    site = build_demo(run, Path(tempfile.mkdtemp())/'site')
    srv = serve(site, 0)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=a.chromium or find_chromium(), args=ARGS)
        pg = browser.new_page(viewport={'width': 1000, 'height': 900})
        errors = []; pg.on('pageerror', lambda e: errors.append(str(e)))
        pg.goto(f'http://127.0.0.1:{srv.server_port}/'); info = pg.evaluate('window.tinycats.ready')
        seen = take(pg, out, a.breed, test_photo(a.breed), read_json(f'{gen}.json')['sampling'])
        browser.close()
    srv.shutdown()
    if errors: sys.exit(f"the page raised: {errors}")
    print(json.dumps({'out': [str(out/f'demo_{v}.png') for v in ('classify', 'generate', 'benchmark')],
                      'page': {k: info[k] for k in ('ep', 'threads', 'crossOriginIsolated')}, **seen}, indent=1))
