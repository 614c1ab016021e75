"""Helpers shared by generate_pipeline.py and generate_sign.py.

Version checks against requirements.txt, the canonical JSON form of a vector
file, and the --check comparison. Imports nothing from botocore or grc.
"""

import argparse
import collections
import importlib.metadata
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DATA_DIR = os.path.join(REPO_ROOT, 'tests', 'data', 'oracle')

# Distribution name in requirements.txt -> key in the vector files' header.
PINNED = {'botocore': 'botocore', 'git-remote-codecommit': 'git_remote_codecommit'}


def _pins():
    pins = {}
    with open(os.path.join(HERE, 'requirements.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                dist, version = line.split('==')
                pins[dist.strip()] = version.strip()
    return pins


def reference_header(generator):
    """The version fields every vector file carries; fails on a wrong venv."""
    if sys.version_info[:2] != (3, 11):
        raise SystemExit('The oracle runs on CPython 3.11 (urllib.parse behaviour '
                         'differs between Python versions); this is %s.' % sys.version.split()[0])
    header = {'generator': generator, 'python': '%d.%d.x' % sys.version_info[:2]}
    pins = _pins()
    for dist, key in PINNED.items():
        installed = importlib.metadata.version(dist)
        if installed != pins[dist]:
            raise SystemExit('%s %s is installed but requirements.txt pins %s; '
                             'recreate the venv (see tests/oracle/README.md).'
                             % (dist, installed, pins[dist]))
        header[key] = installed
    return header


def dump(doc):
    """Canonical text of a vector file: key order as built, indent=1, ASCII, final newline."""
    return json.dumps(doc, indent=1, ensure_ascii=True) + '\n'


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--check', action='store_true',
                        help='regenerate in memory and fail if the committed file differs')
    parser.add_argument('--output', help='write here instead of tests/data/oracle/')
    return parser


def _leaf_diffs(old, new, path=''):
    """Yield (path, old, new) for every differing leaf of two JSON values."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            yield from _leaf_diffs(old.get(key), new.get(key), '%s.%s' % (path, key) if path else key)
    elif old != new:
        yield path, old, new


def _diff_case(old, new, limit=3):
    lines = []
    for path, before, after in _leaf_diffs(old, new):
        lines.append('    %s: committed %s' % (path, json.dumps(before, ensure_ascii=True)[:300]))
        lines.append('    %s: now       %s' % (path, json.dumps(after, ensure_ascii=True)[:300]))
        if len(lines) >= 2 * limit:
            break
    return lines


def write_or_check(path, doc, check, list_key):
    """Write `doc` to `path`, or (check) compare it with what is there.

    `list_key` names the list of named entries ("cases"/"vectors") used for the
    per-entry diff summary. Returns the process exit status.
    """
    text = dump(doc)
    rel = os.path.relpath(path, REPO_ROOT)
    if not check:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='ascii', newline='\n') as f:
            f.write(text)
        print('wrote %s (%d %s)' % (rel, len(doc[list_key]), list_key))
        return 0

    try:
        with open(path, encoding='utf-8', newline='') as f:
            committed_text = f.read()
    except FileNotFoundError:
        print('CHECK FAILED: %s does not exist' % rel)
        return 1
    if committed_text == text:
        print('check ok: %s matches (%d %s)' % (rel, len(doc[list_key]), list_key))
        return 0

    print('CHECK FAILED: %s differs from a fresh run of %s' % (rel, doc['generator']))
    try:
        committed = json.loads(committed_text)
    except ValueError as exc:
        print('  committed file is not valid JSON: %s' % exc)
        return 1
    for key in doc:
        if key != list_key and committed.get(key) != doc[key]:
            print('  header %s: committed %r, now %r' % (key, committed.get(key), doc[key]))
    old = {e['name']: e for e in committed.get(list_key, [])}
    new = {e['name']: e for e in doc[list_key]}
    missing = [n for n in old if n not in new]
    added = [n for n in new if n not in old]
    changed = [n for n in new if n in old and old[n] != new[n]]
    print('  %s: %d committed, %d now; %d removed, %d added, %d changed'
          % (list_key, len(old), len(new), len(missing), len(added), len(changed)))
    for n in missing[:10]:
        print('  - removed: %s' % n)
    for n in added[:10]:
        print('  + added:   %s' % n)
    for n in changed[:10]:
        print('  ~ changed: %s' % n)
        for line in _diff_case(old[n], new[n]):
            print(line)
    if not (missing or added or changed) and [e['name'] for e in committed.get(list_key, [])] != list(new):
        print('  entries are the same but in a different order')
    elif not (missing or added or changed):
        print('  content is equal; only the formatting differs')
    return 1


def outcome_class(expected):
    """A case's outcome for the summary table: `url (METHOD)` or the error's class."""
    if 'url' in expected:
        return 'url (%s)' % expected['method']
    return '%s.%s' % (expected['error']['module'], expected['error']['class'])


def drive_server_cases(usage, doc_head, output, cases, run_case, prepare=None):
    """The main of the generators whose cases run against the local SSO/STS server.

    `usage` is the command line help. Parses --check/--output/--jobs/--case, runs every case (or just the named one, printed
    and not written) through `run_case`, and writes or checks the vector file: `doc_head`
    (description, reference header, implicit env, in that order) followed by the cases.
    `prepare` runs once before any case. Returns the process exit status.
    """
    parser = parse_args(usage)
    parser.add_argument('--jobs', type=int, default=2, help='cases run in parallel (default 2)')
    parser.add_argument('--case', help='run only the named case and print it (writes nothing)')
    args = parser.parse_args()
    if prepare:
        prepare()
    if args.case:
        chosen = [c for c in cases if c['name'] == args.case]
        if not chosen:
            raise SystemExit('no case named %s' % args.case)
        c = dict(chosen[0])
        c['expected'] = run_case(c)
        print(json.dumps(c, indent=1, ensure_ascii=False))
        return 0

    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(run_case, cases))

    doc = collections.OrderedDict(doc_head)
    doc['cases'] = []
    for case, outcome in zip(cases, outcomes):
        doc['cases'].append({'name': case['name'], 'remote': case['remote'], 'time': case['time'],
                             'now': case['now'], 'files': case['files'], 'env': case['env'],
                             'server': case['server'], 'expected': outcome})

    counts = collections.Counter(outcome_class(o) for o in outcomes)
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print('%5d  %s' % (n, cls))
    return write_or_check(args.output or output, doc, args.check, 'cases')


# The placeholder the server-backed generators write where the local server's URL was.
SERVER = '{SERVER}'


def substitute(value, url):
    """A case's string value with the placeholder replaced by the running server's URL."""
    return value.replace(SERVER, url) if isinstance(value, str) else value


def unsubstitute(value, url, port):
    """An outcome (any JSON value) with the server's URL put back as the placeholder;
    an address that is left (say, in another spelling) stops the generator."""
    if isinstance(value, str):
        value = value.replace(url, SERVER)
        if '127.0.0.1:%d' % port in value:
            raise SystemExit('server address left in an outcome: %r' % value)
        return value
    if isinstance(value, dict):
        return {k: unsubstitute(v, url, port) for k, v in value.items()}
    if isinstance(value, list):
        return [unsubstitute(v, url, port) for v in value]
    return value


def run_server_case(case, child_argv, collect, fix_file=lambda text: text, new_session=False):
    """Runs one case of a server-backed generator: starts the case's local SSO/STS server,
    runs the reference in a fresh interpreter (`python -I -X utf8` + `child_argv`) with the
    case on stdin, and returns its expected outcome with the server's address put back as
    the placeholder: the URL (and method) or the error, the requests the server saw, and
    the files named in `collect` afterwards (each through `fix_file`)."""
    import subprocess
    import sso_server
    with sso_server.FakeServer(case['server']) as srv:
        child = {'remote': case['remote'], 'time': case['time'], 'now': case['now'],
                 'files': {k: substitute(v, srv.url) for k, v in case['files'].items()},
                 'env': {k: substitute(v, srv.url) for k, v in case['env'].items()},
                 'collect_files': collect}
        proc = subprocess.run(
            [sys.executable, '-I', '-X', 'utf8'] + list(child_argv),
            input=json.dumps(child).encode('utf-8'),
            env={'PATH': os.environ.get('PATH', os.defpath)},
            capture_output=True, timeout=120, start_new_session=new_session)
        requests = list(srv.requests)
        port = int(srv.url.rsplit(':', 1)[1])
        url = srv.url
    if proc.returncode != 0:
        raise SystemExit('run_case.py failed for %s (exit %d):\n%s'
                         % (case['name'], proc.returncode, proc.stderr.decode('utf-8', 'replace')))
    outcome = json.loads(proc.stdout.decode('utf-8'))
    if 'network_guard' in outcome:
        raise SystemExit('%s: tried to leave 127.0.0.1: %r' % (case['name'], outcome['network_guard']))
    expected = collections.OrderedDict()
    if 'url' in outcome:
        expected['url'] = outcome['url']
        expected['method'] = outcome['method']
    else:
        expected['error'] = outcome['error']
    expected['requests'] = requests
    expected['files_after'] = {rel: fix_file(text) for rel, text in outcome['files_after'].items()}
    return unsubstitute(expected, url, port)
