"""A stand-in for the Hugging Face Hub, for tests: the HTTP endpoints the unmodified `huggingface_hub` client (0.25 to
2.x) calls to create a repo, upload a folder (LFS included) with deletions, tag a commit, list refs and files, and
download files at a branch, tag or commit. Standard library only; storage in memory.

    with HubServer(token='hf_test') as hub:   # 127.0.0.1, a free port, a background thread
        env = hub.client_env(tmp)              # HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_DISABLE_XET, ...
        subprocess.run([sys.executable, '-c', code], env={**os.environ, **env})

Set `HF_ENDPOINT` before `huggingface_hub` is imported (it is read once, at import), so run the client in a
subprocess. Xet storage is not served: downloads never see Xet headers, and `client_env` sets `HF_HUB_DISABLE_XET=1`,
the client's documented switch, because a client with `hf_xet` installed uploads through Xet without asking the server.

Every commit keeps its own file table, so a tag keeps serving the files it was made on. Errors carry the `X-Error-Code`
header (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`) that the client turns into its own exceptions."""
from __future__ import annotations
import base64, fnmatch, gzip, hashlib, json, re, threading, time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LFS_PATTERNS = ('*.7z', '*.arrow', '*.bin', '*.bz2', '*.ckpt', '*.ftz', '*.gz', '*.h5', '*.joblib', '*.lfs.*',
                '*.mlmodel', '*.model', '*.msgpack', '*.npy', '*.npz', '*.onnx', '*.ot', '*.parquet', '*.pb',
                '*.pickle', '*.pkl', '*.pt', '*.pth', '*.rar', '*.safetensors', '*.tar.*', '*.tar', '*.tflite',
                '*.tgz', '*.wasm', '*.xz', '*.zip', '*.zst', '*tfevents*')
GITATTRIBUTES = ''.join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in LFS_PATTERNS).encode()
LFS_MIN_SIZE = 10 * 1024 * 1024   # the Hub stores any file from 10 MB up in LFS
ZERO = '0' * 40

def git_hash(b:bytes) -> str:
    "The git blob id of the bytes `b`"
    return hashlib.sha1(b'blob %d\0' % len(b) + b).hexdigest()

def lfs_pointer(sha256:str, size:int) -> bytes:
    "The git-lfs pointer file of an object"
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()

@dataclass
class Entry:
    "One file of a commit: its content's SHA-256 (the key in the object store), size, and whether it is in LFS"
    sha256: str
    size: int
    lfs: bool
    oid: str   # the git blob id (of the pointer file for an LFS file)

    def info(self, path:str) -> dict:
        "The entry as `/tree` lists it"
        d = {'type': 'file', 'oid': self.oid, 'size': self.size, 'path': path}
        if self.lfs: d['lfs'] = {'oid': self.sha256, 'size': self.size, 'pointerSize': self.pointer_size}
        return d

    @property
    def pointer_size(self) -> int: return len(lfs_pointer(self.sha256, self.size))

@dataclass
class Commit:
    "A commit: its id, parent, message, time and the whole file table"
    oid: str
    parent: str | None
    message: str
    date: str
    files: dict

@dataclass
class Repo:
    "A model repo: commits by id, branches and tags (name -> commit id)"
    repo_id: str
    private: bool = False
    commits: dict = field(default_factory=dict)
    branches: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)

    def resolve(self, rev:str) -> Commit | None:
        "The commit of a branch, a tag or a commit id (full refs `refs/heads/...`, `refs/tags/...` too)"
        rev = rev.removeprefix('refs/heads/')
        if rev.startswith('refs/tags/'): return self.commits.get(self.tags.get(rev[10:]))
        oid = self.branches.get(rev) or self.tags.get(rev) or rev
        return self.commits.get(oid)

class HubError(Exception):
    "An error answer: HTTP status, message and the `X-Error-Code` the client reads"
    def __init__(self, status:int, message:str, code:str|None=None, commit:str|None=None, **extra):
        super().__init__(message); self.status, self.code, self.commit, self.extra = status, code, commit, extra

class HubState:
    "Repos and the LFS object store of one stand-in Hub"
    def __init__(self):
        self.repos, self.objects, self.lock, self.n = {}, {}, threading.RLock(), 0

    def repo(self, repo_id:str) -> Repo:
        if repo_id not in self.repos: raise HubError(404, f"Repository {repo_id} not found", 'RepoNotFound')
        return self.repos[repo_id]

    def commit_at(self, repo_id:str, rev:str) -> Commit:
        c = self.repo(repo_id).resolve(rev)
        if c is None: raise HubError(404, f"Invalid rev id: {rev}", 'RevisionNotFound')
        return c

    def put(self, data:bytes) -> str:
        "Store `data`; its SHA-256"
        h = hashlib.sha256(data).hexdigest(); self.objects[h] = data; return h

    def new_commit(self, repo:Repo, branch:str, files:dict, message:str) -> Commit:
        "Commit the file table `files` on `branch` of `repo`"
        self.n += 1
        parent = repo.branches.get(branch)
        tree = hashlib.sha1(''.join(f"{p}\0{e.oid}\n" for p, e in sorted(files.items())).encode()).hexdigest()
        oid = hashlib.sha1(f"tree {tree}\nparent {parent or ZERO}\n{self.n}\n\n{message}".encode()).hexdigest()
        c = Commit(oid, parent, message, time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime()), files)
        repo.commits[oid] = c; repo.branches[branch] = oid
        return c

    def entry(self, data:bytes, lfs:bool) -> Entry:
        h = self.put(data)
        return Entry(h, len(data), lfs, git_hash(lfs_pointer(h, len(data)) if lfs else data))

def _is_lfs(path:str, size:int, sample:bytes, attributes:bytes|None) -> bool:
    "Whether the Hub would keep this file in LFS: a `filter=lfs` pattern of `.gitattributes`, its size, or binary"
    pats = [l.split()[0] for l in (attributes or b'').decode(errors='replace').splitlines()
            if 'filter=lfs' in l and l.split()]
    name = path.rsplit('/', 1)[-1]
    return (size >= LFS_MIN_SIZE or b'\0' in sample
            or any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(name, p) for p in pats))

def _gitattributes(state:HubState, c:Commit) -> bytes | None:
    e = c.files.get('.gitattributes')
    return state.objects[e.sha256] if e else None

REPO = r'(?P<repo>[^/]+/[^/]+)'
API = r'/api/(?P<type>models|datasets|spaces)/' + REPO
ROUTES = [('POST', r'/api/repos/create', 'create_repo'),
          ('POST', r'/api/validate-yaml', 'validate_yaml'),
          ('GET', API + r'(?:/revision/(?P<rev>[^/]+))?', 'repo_info'),
          ('GET', API + r'/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?', 'tree'),
          ('GET', API + r'/refs', 'refs'),
          ('POST', API + r'/preupload/(?P<rev>[^/]+)', 'preupload'),
          ('POST', API + r'/commit/(?P<rev>[^/]+)', 'commit'),
          ('POST', API + r'/tag/(?P<rev>[^/]+)', 'tag'),
          ('POST', r'/(?:(?:datasets|spaces)/)?' + REPO + r'\.git/info/lfs/objects/batch', 'lfs_batch'),
          ('PUT', r'/lfs-objects/(?P<oid>[0-9a-f]{64})', 'lfs_put'),
          ('POST', r'/lfs-verify', 'lfs_verify'),
          ('GET', r'/(?:(?:datasets|spaces)/)?' + REPO + r'/resolve/(?P<rev>[^/]+)/(?P<path>.+)', 'resolve'),
          ('HEAD', r'/(?:(?:datasets|spaces)/)?' + REPO + r'/resolve/(?P<rev>[^/]+)/(?P<path>.+)', 'resolve')]
WRITES = {'create_repo', 'preupload', 'commit', 'tag', 'lfs_batch', 'lfs_verify'}   # an upload href is pre-signed

class Handler(BaseHTTPRequestHandler):
    "Routes a request to the method of the same name as its route; answers JSON, or a file for `resolve`"
    protocol_version = 'HTTP/1.1'
    state: HubState; token: str | None; log: list

    def log_message(self, *a): pass

    def _body(self) -> bytes:
        "The request body: by Content-Length, or chunked; un-gzipped"
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            b = b''
            while (n := int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)):
                b += self.rfile.read(n); self.rfile.readline()
            while self.rfile.readline() not in (b'\r\n', b'\n', b''): pass   # trailers
        else: b = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        return gzip.decompress(b) if self.headers.get('Content-Encoding') == 'gzip' else b

    def _json(self, body:bytes): return json.loads(body or b'{}')
    def _flag(self, k:str) -> bool: return self.q.get(k, '').lower() in ('1', 'true')

    def _send(self, status:int, body:bytes=b'', headers:dict|None=None, ctype='application/json'):
        self.send_response(status)
        cors = {'Access-Control-Allow-Origin': '*',   # as the Hub: a web page on any origin may read files (the demo)
                'Access-Control-Expose-Headers': 'X-Repo-Commit, X-Linked-Size, X-Linked-Etag, ETag, Content-Range'}
        for k, v in {'Content-Type': ctype, 'Content-Length': str(len(body)), **cors, **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD': self.wfile.write(body)

    def _dispatch(self):
        url = urlsplit(self.path); body = self._body() if self.command in ('POST', 'PUT') else b''
        self.q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.log.append(f"{self.command} {url.path}")
        try:
            for method, pat, name in ROUTES:
                if method == self.command and (m := re.fullmatch(pat, url.path)):
                    args = {k: unquote(v) for k, v in m.groupdict().items() if v is not None and k != 'type'}
                    if name in WRITES: self._check_token()
                    with self.state.lock: return getattr(self, name)(body=body, **args)
            raise HubError(404, f"no route {self.command} {url.path}")
        except HubError as e:
            h = {'X-Error-Message': str(e), **({'X-Error-Code': e.code} if e.code else {}),
                 **({'X-Repo-Commit': e.commit} if e.commit else {})}
            self._send(e.status, json.dumps({'error': str(e), **e.extra}).encode(), h)

    do_GET = do_HEAD = do_POST = do_PUT = _dispatch

    def _check_token(self):
        if self.token and self.headers.get('Authorization') != f'Bearer {self.token}':
            raise HubError(401, "Invalid credentials in Authorization header")

    @property
    def base(self) -> str: return f"http://{self.headers.get('Host')}"

    def _ok(self, d): self._send(200, json.dumps(d).encode())

    # --- repos
    def create_repo(self, body):
        d = self._json(body); repo_id = f"{d['organization']}/{d['name']}" if d.get('organization') else d['name']
        url = f"{self.base}/{repo_id}"
        if repo_id in self.state.repos: raise HubError(409, "You already created this model repo", url=url)
        r = self.state.repos[repo_id] = Repo(repo_id, d.get('private') or d.get('visibility') == 'private')
        self.state.new_commit(r, 'main', {'.gitattributes': self.state.entry(GITATTRIBUTES, False)}, 'initial commit')
        self._ok({'url': url, 'name': repo_id, 'id': repo_id})

    def validate_yaml(self, body):
        t = self._json(body).get('content', '')
        ok = t.startswith('---\n') and '\n---\n' in t[3:]
        self._ok({'errors': [], 'warnings': [] if ok else [{'message': 'Empty or missing yaml metadata in repo card'}]})

    def repo_info(self, body, repo, rev='main'):
        r, c = self.state.repo(repo), self.state.commit_at(repo, rev)
        blobs = self._flag('blobs')
        lfs = lambda e: {'lfs': {'sha256': e.sha256, 'size': e.size, 'pointerSize': e.pointer_size}} if e.lfs else {}
        sib = [{'rfilename': p, **({'size': e.size, 'blobId': e.oid, **lfs(e)} if blobs else {})}
               for p, e in sorted(c.files.items())]
        self._ok({'_id': repo, 'id': repo, 'modelId': repo, 'author': repo.split('/')[0], 'sha': c.oid,
                  'lastModified': c.date, 'createdAt': next(iter(r.commits.values())).date,
                  'private': r.private, 'gated': False, 'disabled': False, 'downloads': 0, 'likes': 0, 'tags': [],
                  'siblings': sib})

    def tree(self, body, repo, rev, path=''):
        c, path = self.state.commit_at(repo, rev), path.strip('/')
        if path and path in c.files: raise HubError(404, f"{path} is a file", 'EntryNotFound', c.oid)
        pre = f"{path}/" if path else ''
        under = {p[len(pre):]: e for p, e in c.files.items() if p.startswith(pre)}
        if path and not under: raise HubError(404, f"{path} does not exist", 'EntryNotFound', c.oid)
        rec = self._flag('recursive')
        dirs = sorted({'/'.join(p.split('/')[:i]) for p in under for i in range(1, p.count('/') + 1)})
        out = [{'type': 'directory', 'oid': hashlib.sha1(d.encode()).hexdigest(), 'size': 0, 'path': pre + d}
               for d in dirs if rec or '/' not in d]
        out += [e.info(pre + p) for p, e in sorted(under.items()) if rec or '/' not in p]
        self._ok(out)

    def refs(self, body, repo):
        r = self.state.repo(repo)
        ref = lambda kind, refs: [{'name': k, 'ref': f'refs/{kind}/{k}', 'targetCommit': v} for k, v in refs.items()]
        self._ok({'branches': ref('heads', r.branches), 'converts': [], 'tags': ref('tags', r.tags),
                  'pullRequests': []})

    def tag(self, body, repo, rev):
        r, c, d = self.state.repo(repo), self.state.commit_at(repo, rev), self._json(body)
        if d['tag'] in r.tags: raise HubError(409, f"Tag {d['tag']} already exists")
        r.tags[d['tag']] = c.oid
        self._ok({})

    # --- uploads
    def preupload(self, body, repo, rev):
        c = self.state.commit_at(repo, rev); attrs = _gitattributes(self.state, c); out = []
        for f in self._json(body)['files']:
            lfs = _is_lfs(f['path'], f['size'], base64.b64decode(f['sample']), attrs)
            e = c.files.get(f['path'])
            oid = None if e is None else (e.sha256 if e.lfs else git_hash(self.state.objects[e.sha256]))
            out.append({'path': f['path'], 'uploadMode': 'lfs' if lfs else 'regular', 'shouldIgnore': False,
                        **({'oid': oid} if oid else {})})
        self._ok({'files': out, 'commitOid': c.oid})

    def lfs_batch(self, body, repo):
        self.state.repo(repo); d = self._json(body); objs = []
        for o in d['objects']:
            a = {} if o['oid'] in self.state.objects else {'actions': {
                'upload': {'href': f"{self.base}/lfs-objects/{o['oid']}"},
                'verify': {'href': f"{self.base}/lfs-verify"}}}
            objs.append({'oid': o['oid'], 'size': o['size'], 'authenticated': True, **a})
        self._send(200, json.dumps({'transfer': 'basic', 'objects': objs}).encode(),
                   ctype='application/vnd.git-lfs+json')

    def lfs_put(self, body, oid):
        if hashlib.sha256(body).hexdigest() != oid: raise HubError(400, f"content does not match the oid {oid}")
        self.state.put(body); self._ok({})

    def lfs_verify(self, body):
        d = self._json(body); o = self.state.objects.get(d['oid'])
        if o is None or len(o) != d['size']: raise HubError(404, f"object {d['oid']} not found")
        self._ok({})

    def commit(self, body, repo, rev):
        r = self.state.repo(repo)
        if rev not in r.branches: raise HubError(404, f"Invalid rev id: {rev} is not a branch", 'RevisionNotFound')
        lines = [json.loads(l) for l in body.splitlines() if l.strip()]
        head = next((l['value'] for l in lines if l['key'] == 'header'), {})
        if head.get('parentCommit') not in (None, r.branches[rev]):
            raise HubError(412, "A commit has happened since. Please refresh and try again.")
        files = dict(r.commits[r.branches[rev]].files)
        for l in lines: self._apply(files, l['key'], l['value'])
        msg = '\n\n'.join(s for s in (head.get('summary'), head.get('description')) if s)
        c = self.state.new_commit(r, rev, files, msg)
        self._ok({'success': True, 'commitOid': c.oid, 'commitUrl': f"{self.base}/{repo}/commit/{c.oid}",
                  'pullRequestUrl': None})

    def _apply(self, files:dict, key:str, v:dict):
        "Apply one line of a commit to the file table"
        if key == 'file': files[v['path']] = self.state.entry(base64.b64decode(v['content']), False)
        elif key == 'lfsFile':
            o = self.state.objects.get(v['oid'])
            if o is None: raise HubError(422, f"LFS object {v['oid']} of {v['path']} was not uploaded")
            files[v['path']] = Entry(v['oid'], len(o), True, git_hash(lfs_pointer(v['oid'], len(o))))
        elif key == 'deletedFile':
            if files.pop(v['path'], None) is None:
                raise HubError(404, f"A file with this name doesn't exist: {v['path']}", 'EntryNotFound')
        elif key == 'deletedFolder':
            pre = v['path'].rstrip('/') + '/'
            for p in [p for p in files if p.startswith(pre)]: del files[p]
        elif key != 'header': raise HubError(400, f"unknown commit operation {key}")

    # --- downloads
    def resolve(self, body, repo, rev, path):
        c = self.state.commit_at(repo, rev)
        e = c.files.get(path)
        if e is None: raise HubError(404, f"Entry not found: {path}", 'EntryNotFound', c.oid)
        data = self.state.objects[e.sha256]
        h = {'X-Repo-Commit': c.oid, 'ETag': f'"{e.sha256 if e.lfs else e.oid}"', 'Accept-Ranges': 'bytes'}
        if e.lfs: h.update({'X-Linked-Etag': f'"{e.sha256}"', 'X-Linked-Size': str(e.size)})
        rng = re.fullmatch(r'bytes=(\d+)-(\d*)', self.headers.get('Range', ''))
        if rng and int(rng[1]) < len(data):
            a, b = int(rng[1]), int(rng[2] or len(data) - 1)
            h['Content-Range'] = f"bytes {a}-{b}/{len(data)}"
            return self._send(206, data[a:b + 1], h, 'application/octet-stream')
        self._send(200, data, h, 'application/octet-stream')

class HubServer:
    "The stand-in Hub on 127.0.0.1 at a free port, served from a background thread; a context manager"
    def __init__(self, token:str|None=None):
        self.state, self.log = HubState(), []
        handler = type('BoundHandler', (Handler,), {'state': self.state, 'token': token, 'log': self.log})
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.token = token

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True); self.thread.start()
        return self

    def stop(self): self.httpd.shutdown(); self.httpd.server_close()
    def __enter__(self): return self.start()
    def __exit__(self, *exc): self.stop()

    def client_env(self, hf_home) -> dict:
        "Environment variables that point a `huggingface_hub` client (in a new process) at this server"
        env = {'HF_ENDPOINT': self.url, 'HF_HOME': str(hf_home), 'HF_HUB_DISABLE_XET': '1',
               'HF_HUB_DISABLE_TELEMETRY': '1', 'HF_HUB_DISABLE_PROGRESS_BARS': '1', 'HF_HUB_OFFLINE': '0',
               'NO_PROXY': '127.0.0.1,localhost', 'no_proxy': '127.0.0.1,localhost'}
        if self.token: env['HF_TOKEN'] = self.token
        return env

    def tags(self, repo_id:str) -> dict:
        "`{tag: commit id}` of `repo_id`, read straight from the server's state"
        return dict(self.state.repo(repo_id).tags)
