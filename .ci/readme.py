#!/usr/bin/env python3
"""README.md is rendered from nbs/index.ipynb (nbdev's readme_nb) without Quarto.

nbdev's own `nbdev-readme` needs Quarto, which cannot be installed on the machines tinycats is developed and tested on,
so this small renderer produces the same content as GitHub-flavoured markdown: markdown cells as they are, code cells
as ```python blocks with their text output, `#| hide` cells dropped.

  python .ci/readme.py            # write README.md
  python .ci/readme.py --check    # exit 1 (with a diff) if README.md is out of date
  python .ci/readme.py --command test   # print the command block marked <!-- cmd:test --> in the README
"""
import json, re, sys, difflib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NB, README = ROOT/'nbs'/'index.ipynb', ROOT/'README.md'
HEADER = "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n"

def _directives(src):
    return {m.group(1).strip() for m in re.finditer(r'^#\|\s*(.+)$', src, re.M)}

def _text_output(outs):
    res = []
    for o in outs:
        if o.get('output_type') == 'stream' and o.get('name') == 'stdout': res.append(''.join(o['text']))
        elif o.get('output_type') in ('execute_result', 'display_data') and 'text/plain' in o.get('data', {}) \
             and not any(k.startswith('image/') or k == 'text/html' for k in o['data']):
            res.append(''.join(o['data']['text/plain']) + '\n')
    return ''.join(res).rstrip('\n')

def render(nb_path=NB):
    cells = json.loads(Path(nb_path).read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(re.sub(r'\]\((?!https?:|/|#)', '](nbs/', src.strip())); continue  # links relative to nbs/
        if c['cell_type'] != 'code': continue
        d = _directives(src)
        if any(x in d for x in ('hide', 'include: false', 'echo: false')) or 'default_exp' in ' '.join(d): continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code: parts.append(f"```python\n{code}\n```")
        out = _text_output(c.get('outputs', []))
        if out: parts.append(f"```\n{out}\n```")
    return HEADER + '\n\n'.join(p for p in parts if p) + '\n'

def command(name, text=None):
    "The fenced block right after the marker `<!-- cmd:name -->`"
    text = README.read_text() if text is None else text
    m = re.search(rf'<!-- cmd:{name} -->\s*```(?:sh|bash)?\n(.*?)```', text, re.S)
    if not m: sys.exit(f"README.md has no <!-- cmd:{name} --> block")
    return m.group(1).strip()

if __name__ == '__main__':
    args = sys.argv[1:]
    if args[:1] == ['--command']: print(command(args[1])); sys.exit(0)
    new = render()
    if args[:1] == ['--check']:
        old = README.read_text() if README.exists() else ''
        if old != new:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), 'README.md', 'rendered from nbs/index.ipynb'))
            print("\nREADME.md is out of date: run `python .ci/readme.py`", file=sys.stderr); sys.exit(1)
        print("README.md is in sync with nbs/index.ipynb"); sys.exit(0)
    README.write_text(new); print(f"wrote {README}")
