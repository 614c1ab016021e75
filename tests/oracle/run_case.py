#!/usr/bin/env python3
"""Run ONE pipeline case through the real git-remote-codecommit + botocore.

Reads a case as JSON on stdin, prints its outcome as JSON on stdout.

Input (only these keys are read; others are ignored):

    {"remote": "codecommit://dev@repo",
     "time":   "2024-06-01T12:00:00Z",               # grc's signing clock (UTC)
     "files":  {".aws/config": "[default]\\n...",     # path relative to HOME ->
                ".boto": {"base64": "..."}},          #   UTF-8 text or raw bytes
     "env":    {"AWS_PROFILE": "dev",
                "AWS_CONFIG_FILE": "{HOME}/sub/cfg"}} # {HOME} = the temp HOME

Optional input keys (absent in pipeline cases; used by generate_sso.py):

    "now":           "2024-06-01T12:00:00Z"  # freezes botocore's own clocks
                                              # (".fff...Z" fractions allowed)
                                              # (expiry checks, token refresh)
    "collect_files": [".aws/sso/cache", ...]  # dirs under HOME reported back
                                              # in the outcome as "files_after"
    "env": {"AWS_ENDPOINT_URL_SSO": null}     # null = leave the variable unset
                                              # (also skips its safety default)

Output:

    {"url": "https://...", "method": "shared-credentials-file"}
    {"error": {"class": "FormatError", "module": "git_remote_codecommit",
               "message": "..."}}

What this does, in order (it must stay in this order):

1. Makes a fresh temporary directory that plays HOME, writes the case's files
   under it (bytes exactly as given, no newline translation) and makes it the
   current directory, so relative paths in AWS_CONFIG_FILE etc. are relative
   to HOME.
2. Replaces os.environ with exactly:
       PATH (inherited, so the interpreter works; grc never uses it here)
     + HOME={HOME}                       (unless the case sets HOME)
     + AWS_ENDPOINT_URL_STS / _SSO / _SSO_OIDC = http://127.0.0.1:9
                                         (unless the case sets them; port 9 is
                                          "discard", so even a code path that
                                          tried the network could never reach
                                          AWS)
     + the case env, with "{HOME}" replaced by the temp HOME path wherever
       it is not preceded by "$" ("${HOME}" stays for botocore to expand)
     + AWS_EC2_METADATA_DISABLED=true    (always; never reach IMDS)
   This happens BEFORE botocore is imported, because botocore fixes its cache
   directories from HOME at import time.
3. Imports git_remote_codecommit and replaces the `datetime` name inside that
   module so `datetime.datetime.utcnow()` returns the case's time. Nothing else
   is patched: botocore's own expiry checks still use the real clock, unless
   the case has "now": then freeze_botocore_clock() makes every clock botocore
   and dateutil read on these paths return that instant (see its docstring).
4. Runs exactly what grc's main() runs before it starts `git remote-http`:
       context = Context.from_url(remote)
       url = git_url(context.repository, context.version, context.region,
                     context.credentials)
   Any exception from either call is the outcome (class, module, str(exc)).
5. With "collect_files", adds "files_after": {path relative to HOME: text,
   {"base64": ...} for non-UTF-8 bytes, or null for a file of the case that no
   longer exists} for every file under those directories.
6. Replaces every occurrence of the temp HOME path in the outcome by "{HOME}",
   removes the temp directory and prints the outcome.

Network guard (always on): socket.getaddrinfo and socket.socket.connect /
connect_ex refuse any host that is not a loopback address or "localhost". A
refused attempt adds "network_guard": [hosts] to the outcome, which the
generators treat as a failure. Outcomes that never leave 127.0.0.1 are unchanged.

Run it with the interpreter of the reference venv, isolated and in UTF-8 mode,
from an environment holding nothing but PATH (generate_pipeline.py does this):

    env -i PATH="$PATH" /path/to/venv/bin/python -I -X utf8 run_case.py < case.json
"""

import base64
import json
import os
import re
import shutil
import sys
import tempfile

HOME_PLACEHOLDER = '{HOME}'
PLACEHOLDER_RE = re.compile(r'(?<!\$)\{HOME\}')

# Endpoint variables set to a dead local port unless a case sets them itself.
SAFETY_DEFAULTS = {
    'AWS_ENDPOINT_URL_STS': 'http://127.0.0.1:9',
    'AWS_ENDPOINT_URL_SSO': 'http://127.0.0.1:9',
    'AWS_ENDPOINT_URL_SSO_OIDC': 'http://127.0.0.1:9',
}
# Always set, whatever the case says.
SAFETY_FORCED = {
    'AWS_EC2_METADATA_DISABLED': 'true',
}
# Variables that would let a case reach providers this oracle must not run.
FORBIDDEN_ENV_PREFIXES = ('AWS_CONTAINER_',)
FORBIDDEN_ENV = ('AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'PATH')


def _check_host():
    # botocore's boto-config provider always looks at /etc/boto.cfg when
    # BOTO_CONFIG is unset; a machine that has one would change outcomes.
    if os.path.exists('/etc/boto.cfg'):
        raise SystemExit('run_case.py: /etc/boto.cfg exists on this machine; '
                         'outcomes would depend on it. Remove it or use a clean machine.')


def _write_files(home, files):
    for rel, content in sorted(files.items()):
        if os.path.isabs(rel) or '..' in rel.replace('\\', '/').split('/'):
            raise SystemExit('run_case.py: file path must stay under HOME: %r' % rel)
        path = os.path.join(home, rel)
        os.makedirs(os.path.dirname(path) or home, exist_ok=True)
        if isinstance(content, str):
            data = content.encode('utf-8')
        elif isinstance(content, dict) and set(content) == {'base64'}:
            data = base64.b64decode(content['base64'], validate=True)
        else:
            raise SystemExit('run_case.py: bad file content for %r' % rel)
        with open(path, 'wb') as f:
            f.write(data)


def build_env(home, case_env):
    for name in case_env:
        if name in FORBIDDEN_ENV or name.startswith(FORBIDDEN_ENV_PREFIXES):
            raise SystemExit('run_case.py: case may not set %s' % name)
    env = {'PATH': os.environ.get('PATH', os.defpath), 'HOME': HOME_PLACEHOLDER}
    env.update(SAFETY_DEFAULTS)
    env.update(case_env)
    env.update(SAFETY_FORCED)
    # "{HOME}" not preceded by "$": "${HOME}" is shell syntax that botocore's
    # expandvars must see unchanged. A null value means "unset" (the network
    # guard keeps a case without the endpoint safety defaults on 127.0.0.1).
    return {k: PLACEHOLDER_RE.sub(lambda _: home, v) for k, v in env.items() if v is not None}


def fixed_clock(when):
    import datetime as real_datetime

    fixed = real_datetime.datetime.strptime(when, '%Y-%m-%dT%H:%M:%SZ')

    class FixedDatetime(real_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    class DatetimeModule(object):
        """Stands in for the `datetime` module inside git_remote_codecommit."""

        def __getattr__(self, name):
            return getattr(real_datetime, name)

    shim = DatetimeModule()
    shim.datetime = FixedDatetime
    return shim


def freeze_botocore_clock(when):
    """Make botocore's (and dateutil's) clocks return `when` (RFC 3339, Z, optional fraction).

    botocore reads "now" through module globals at call time, so replacing
    those globals is enough (the default arguments `time_fetcher=_local_now` /
    `_utc_now` are the functions, which look the global up when called):

    - botocore.credentials.datetime  (module): _local_now() -> credential and
      legacy-token expiry, the in-memory SSO role-credential cache;
    - botocore.tokens.datetime       (class, `from datetime import datetime`):
      _utc_now() -> SSO token refresh window and the refreshed expiresAt;
    - botocore.compat.datetime       (module): get_current_datetime();
    - botocore.utils.datetime        (module): IMDS paths (disabled here);
    - dateutil.parser._parser.datetime (module): parse() fills missing date
      fields from datetime.datetime.now().

    The stand-in class subclasses datetime.datetime and its metaclass makes
    isinstance()/issubclass() accept real datetimes, so type checks such as
    tokens._serialize_utc_timestamp keep working.
    """
    import datetime as real_datetime
    import types

    import botocore.compat
    import botocore.credentials
    import botocore.tokens
    import botocore.utils
    import dateutil.parser._parser

    fmt = '%Y-%m-%dT%H:%M:%S.%fZ' if '.' in when else '%Y-%m-%dT%H:%M:%SZ'
    frozen = real_datetime.datetime.strptime(when, fmt).replace(tzinfo=real_datetime.timezone.utc)

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, real_datetime.datetime)

        def __subclasscheck__(cls, sub):
            return issubclass(sub, real_datetime.datetime)

    class FrozenDatetime(real_datetime.datetime, metaclass=_Meta):
        @classmethod
        def now(cls, tz=None):
            if tz is None:
                return frozen.astimezone().replace(tzinfo=None)  # naive local time
            return frozen.astimezone(tz)

        @classmethod
        def utcnow(cls):
            return frozen.replace(tzinfo=None)

        @classmethod
        def today(cls):
            return cls.now()

    shim = types.ModuleType('datetime')
    shim.__dict__.update(real_datetime.__dict__)
    shim.datetime = FrozenDatetime

    botocore.credentials.datetime = shim
    botocore.compat.datetime = shim
    botocore.utils.datetime = shim
    botocore.tokens.datetime = FrozenDatetime
    dateutil.parser._parser.datetime = shim


def _install_network_guard(tripped):
    """Refuse name resolution and connections to anything but loopback."""
    import ipaddress
    import socket

    def is_loopback(host):
        if isinstance(host, bytes):
            host = host.decode('ascii', 'replace')
        if host is None:
            return True  # getaddrinfo(None, ...): the local host
        host = str(host).strip('[]').split('%', 1)[0]
        if host.lower() == 'localhost':
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def refuse(host):
        tripped.append(str(host))
        return 'run_case.py network guard: refusing non-loopback host %r' % (host,)

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, refuse(host))
        return real_getaddrinfo(host, *args, **kwargs)

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
            raise ConnectionRefusedError(refuse(address[0]))

    def connect(self, address):
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


def _collect_files(home, dirs, case_files):
    """{rel path: text | {"base64"} | None} for every file under `dirs`."""
    prefixes = [d.strip('/') + '/' for d in dirs]
    paths = {rel.replace('\\', '/') for rel in case_files
             if any(rel.replace('\\', '/').startswith(p) for p in prefixes)}
    for d in dirs:
        top = os.path.join(home, d)
        for root, _dirs, names in os.walk(top):
            for name in names:
                paths.add(os.path.relpath(os.path.join(root, name), home).replace(os.sep, '/'))
    result = {}
    for rel in sorted(paths):
        path = os.path.join(home, rel)
        if not os.path.isfile(path):
            result[rel] = None
            continue
        with open(path, 'rb') as f:
            data = f.read()
        try:
            result[rel] = data.decode('utf-8')
        except UnicodeDecodeError:
            result[rel] = {'base64': base64.b64encode(data).decode('ascii')}
    return result


def _scrub(value, homes):
    if isinstance(value, str):
        for h in homes:
            value = value.replace(h, HOME_PLACEHOLDER)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, homes) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, homes) for v in value]
    return value


def run(case):
    _check_host()
    tripped = []
    _install_network_guard(tripped)
    home = tempfile.mkdtemp(prefix='grc-oracle-home-')
    homes = sorted({home, os.path.realpath(home)}, key=len, reverse=True)
    try:
        _write_files(home, case.get('files', {}))
        os.chdir(home)
        os.environ.clear()
        os.environ.update(build_env(home, case.get('env', {})))

        # Only now may botocore be imported (it reads HOME at import time).
        assert 'botocore' not in sys.modules
        import importlib.util
        if importlib.util.find_spec('awscli') is not None:
            raise SystemExit('run_case.py: awscli is importable; grc would load its '
                             'plugins. Use a venv with only tests/oracle/requirements.txt.')
        import git_remote_codecommit as grc

        grc.datetime = fixed_clock(case['time'])
        if case.get('now') is not None:
            freeze_botocore_clock(case['now'])

        try:
            context = grc.Context.from_url(case['remote'])
            url = grc.git_url(context.repository, context.version, context.region,
                              context.credentials)
            outcome = {'url': url, 'method': context.credentials.method}
        except Exception as exc:  # every exception is an outcome
            outcome = {'error': {'class': type(exc).__name__,
                                 'module': type(exc).__module__,
                                 'message': str(exc)}}
        if case.get('collect_files'):
            outcome['files_after'] = _collect_files(home, case['collect_files'],
                                                    case.get('files', {}))
        if tripped:
            outcome['network_guard'] = tripped
        return _scrub(outcome, homes)
    finally:
        os.chdir('/')
        shutil.rmtree(home, ignore_errors=True)


def main():
    case = json.loads(sys.stdin.buffer.read().decode('utf-8'))
    outcome = run(case)
    sys.stdout.buffer.write(json.dumps(outcome, ensure_ascii=True, sort_keys=True).encode('ascii'))
    sys.stdout.buffer.write(b'\n')


if __name__ == '__main__':
    main()
