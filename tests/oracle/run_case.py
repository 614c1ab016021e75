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
   is patched: botocore's own expiry checks still use the real clock.
4. Runs exactly what grc's main() runs before it starts `git remote-http`:
       context = Context.from_url(remote)
       url = git_url(context.repository, context.version, context.region,
                     context.credentials)
   Any exception from either call is the outcome (class, module, str(exc)).
5. Replaces every occurrence of the temp HOME path in the outcome by "{HOME}",
   removes the temp directory and prints the outcome.

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
    # expandvars must see unchanged.
    return {k: PLACEHOLDER_RE.sub(lambda _: home, v) for k, v in env.items()}


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


def _scrub(value, homes):
    if isinstance(value, str):
        for h in homes:
            value = value.replace(h, HOME_PLACEHOLDER)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, homes) for k, v in value.items()}
    return value


def run(case):
    _check_host()
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

        try:
            context = grc.Context.from_url(case['remote'])
            url = grc.git_url(context.repository, context.version, context.region,
                              context.credentials)
            outcome = {'url': url, 'method': context.credentials.method}
        except Exception as exc:  # every exception is an outcome
            outcome = {'error': {'class': type(exc).__name__,
                                 'module': type(exc).__module__,
                                 'message': str(exc)}}
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
