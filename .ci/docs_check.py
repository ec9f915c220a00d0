"""Pictures and tables per notebook, in the source notebooks and in nbdev's processed copies (_proc/): the docs stage keeps them.
Usage: count_outputs.py SRC_NBS_DIR PROC_DIR [NAME...]
Counts, per notebook: image outputs (image/png, image/jpeg, image/svg+xml), markdown image links `![..](..)` in
markdown cells and in text/markdown outputs (and whether their files exist next to the page), tables (HTML <table> or
markdown `|---|` tables, in outputs and in markdown cells); and lists the cells whose outputs differ (matched by id)."""
import sys, json, re
from pathlib import Path
IMG = ('image/png', 'image/jpeg', 'image/svg+xml')
LINK = re.compile(r'!\[[^\]]*\]\(([^)\s]+)')
MDTAB = re.compile(r'^\s*\|?\s*:?-{3,}', re.M)

def _txt(v): return (''.join(v) if isinstance(v, list) else str(v)).strip()   # nbdev strips trailing newlines

def outs_key(c):
    "What a reader sees of a cell's outputs (text and pictures), to compare source and processed copies"
    r = []
    for o in c.get('outputs', []):
        d = o.get('data', {})
        r.append((o.get('output_type'), _txt(o.get('text', '')), {k: _txt(v) for k, v in d.items() if k != 'text/plain' or len(d) == 1}))
    return json.dumps(r, sort_keys=True)

def stats(f, ids=None):
    "Counts over the cells of notebook `f` (only those whose id is in `ids`: not the show_doc cells nbdev adds)"
    nb = json.load(open(f))
    if ids is not None: nb['cells'] = [c for c in nb['cells'] if c.get('id') in ids]
    s = dict(img_out=0, md_links=0, missing=[], tables=0)
    cells = {}
    for c in nb['cells']:
        cells[c.get('id')] = c
        if c['cell_type'] == 'markdown':
            src = _txt(c['source'])
            links = LINK.findall(src); s['md_links'] += len(links)
            s['missing'] += [l for l in links if not l.startswith('http') and not (f.parent/l).exists()]
            s['tables'] += len(MDTAB.findall(src))
        for o in c.get('outputs', []):
            d = o.get('data', {})
            s['img_out'] += sum(k in d for k in IMG)
            md = _txt(d.get('text/markdown', ''))
            links = LINK.findall(md); s['md_links'] += len(links)
            s['missing'] += [l for l in links if not l.startswith('http') and not (f.parent/l).exists()]
            s['tables'] += len(MDTAB.findall(md)) + _txt(d.get('text/html', '')).count('<table')
    return s, cells

src_dir, proc_dir = Path(sys.argv[1]), Path(sys.argv[2])
names = sys.argv[3:] or sorted(p.relative_to(src_dir).with_suffix('').as_posix() for p in src_dir.rglob('*.ipynb')
                                if not any(q.startswith(('.', '_')) for q in p.relative_to(src_dir).parts))
print(f"{'notebook':32} {'img before':>10} {'img after':>9} {'md links':>9} {'tables':>11}  missing links / changed outputs")
bad = 0
for n in names:
    a, ca = stats(src_dir/f'{n}.ipynb')
    pf = proc_dir/f'{n}.ipynb'
    if not pf.exists(): print(f'{n:32} NOT PROCESSED'); bad += 1; continue
    b, cb = stats(pf, set(ca))
    changed = [i for i, c in ca.items() if c['cell_type'] == 'code' and c.get('outputs') and i in cb and outs_key(c) != outs_key(cb[i])]
    lost = a['img_out'] > b['img_out'] or a['tables'] > b['tables'] or a['md_links'] > b['md_links'] or b['missing']
    bad += bool(lost)
    print(f"{n:32} {a['img_out']:>10} {b['img_out']:>9} {a['md_links']:>4}->{b['md_links']:<4} {a['tables']:>5}->{b['tables']:<5}"
          f"  {'LOST ' if lost else ''}{' '.join(b['missing'])} {'changed: '+','.join(changed) if changed else ''}")
sys.exit(1 if bad else 0)
