#!/usr/bin/env python3
"""The signed URLs git-remote-codecommit gives with container and instance credentials.

Starts a stand-in on 127.0.0.1 that plays the container credentials endpoint, an
IMDSv2-only instance metadata service (401 without a session token) and STS, then runs
grc's `Context.from_url` + `git_url` at a fixed signing time, once per shape, each in a
fresh interpreter with a clean environment and a temporary HOME. Prints
{shape: {"url", "method"} or {"error"}} as JSON. tests/providers/metadata.rs asserts
these URLs; the stand-in answers exactly what the Rust tests' stand-ins answer.

Only one thing is patched in botocore: `ContainerMetadataFetcher.IP_ADDRESS` (the fixed
169.254.170.2 of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) points at the stand-in for the
relative shape, as the Rust tests reroute that address in their test transport. A
socket guard refuses anything but loopback.

    env -i PATH="$PATH" /path/to/venv/bin/python -I -X utf8 tests/oracle/metadata_urls.py
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

TIME = '2027-01-15T08:00:00Z'
IMDS_TOKEN = 'IMDS-SESSION-TOKEN-1'
POD_TOKEN = 'pod-identity-token'
ENV_TOKEN = 'task-auth-token'
EXPIRATION = '2099-01-01T00:00:00Z'

CONTAINER_DOCS = {
    '/v2/credentials/task-uuid': ('ASIACONTAINERREL0001', 'container-rel-secret', None),
    '/pod-identity': ('ASIACONTAINERPOD0001', 'container-pod-secret', POD_TOKEN),
    '/full-env-token': ('ASIACONTAINERENV0001', 'container-env-secret', ENV_TOKEN),
}
ROLE = 'BuildAgentRole'
ROLES = {  # RoleArn -> STS answer number
    'arn:aws:iam::123456789012:role/FromTask': 1,
    'arn:aws:iam::123456789012:role/FromInstance': 2,
}


def container_doc(ak, secret):
    return {'AccessKeyId': ak, 'SecretAccessKey': secret,
            'Token': 'token-of-' + ak + '/+=', 'Expiration': EXPIRATION,
            'RoleArn': 'arn:aws:iam::123456789012:role/TaskRole', 'AccountId': '123456789012'}


def imds_doc():
    return {'Code': 'Success', 'LastUpdated': '2027-01-15T07:00:00Z', 'Type': 'AWS-HMAC',
            'AccessKeyId': 'ASIAINSTANCE00000001', 'SecretAccessKey': 'instance-secret',
            'Token': 'instance-token/+=', 'Expiration': EXPIRATION}


def sts_xml(n, account='123456789012'):
    # The same document as tests/support/sts.rs assume_role_response("AssumeRole", n, ...).
    return f'''<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
      <Arn>arn:aws:sts::{account}:assumed-role/Role{n}/session</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIASTS{n:013d}</AccessKeyId>
      <SecretAccessKey>sts-secret-{n}</SecretAccessKey>
      <SessionToken>sts-token-{n}&amp;more</SessionToken>
      <Expiration>{EXPIRATION}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-{n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>'''


class StandIn(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype='text/plain'):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path == '/latest/api/token' and \
                self.headers.get('x-aws-ec2-metadata-token-ttl-seconds') == '21600':
            return self.reply(200, IMDS_TOKEN)
        self.reply(400, 'bad token request')

    def do_GET(self):
        if self.path.startswith('/latest/'):
            if self.headers.get('x-aws-ec2-metadata-token') != IMDS_TOKEN:
                return self.reply(401, '')
            if self.path == '/latest/meta-data/iam/security-credentials/':
                return self.reply(200, ROLE)
            if self.path == '/latest/meta-data/iam/security-credentials/' + ROLE:
                return self.reply(200, json.dumps(imds_doc()), 'application/json')
            return self.reply(404, '')
        if self.path == '/not-json':
            return self.reply(200, '{"AccessKeyId": ', 'application/json')
        if self.path == '/no-token-field':
            doc = container_doc('ASIACONTAINERBAD0001', 's')
            del doc['Token']
            return self.reply(200, json.dumps(doc), 'application/json')
        if self.path in CONTAINER_DOCS:
            ak, secret, token = CONTAINER_DOCS[self.path]
            if token is not None and self.headers.get('Authorization') != token:
                return self.reply(401, 'bad token')
            return self.reply(200, json.dumps(container_doc(ak, secret)), 'application/json')
        self.reply(404, 'no route')

    def do_POST(self):
        length = int(self.headers.get('Content-Length', '0'))
        from urllib.parse import parse_qs
        form = parse_qs(self.rfile.read(length).decode())
        n = ROLES.get(form.get('RoleArn', [''])[0])
        if n is None:
            return self.reply(403, 'unknown role')
        self.reply(200, sts_xml(n), 'text/xml')


CONFIG = '''[default]
region = us-east-1

[profile dev]
region = eu-west-1
ec2_metadata_service_endpoint = {base}

[profile ecs-role]
region = us-east-2
role_arn = arn:aws:iam::123456789012:role/FromTask
credential_source = EcsContainer

[profile ec2-role]
region = us-east-2
role_arn = arn:aws:iam::123456789012:role/FromInstance
credential_source = Ec2InstanceMetadata
'''

DRIVER = r'''
import json, os, socket, sys, time
START = time.monotonic()
case = json.loads(sys.argv[1])

_connect = socket.socket.connect
def guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if host not in ('127.0.0.1', '::1', 'localhost'):
        raise OSError('network guard: ' + str(host))
    return _connect(self, address)
socket.socket.connect = guarded

import git_remote_codecommit as grc
import datetime as real_datetime
fixed = real_datetime.datetime.strptime(case['time'], '%Y-%m-%dT%H:%M:%SZ')
class FixedDatetime(real_datetime.datetime):
    @classmethod
    def utcnow(cls):
        return fixed
class Shim(object):
    def __getattr__(self, name):
        return getattr(real_datetime, name)
shim = Shim(); shim.datetime = FixedDatetime
grc.datetime = shim
if case.get('ecs_host'):
    import botocore.utils
    botocore.utils.ContainerMetadataFetcher.IP_ADDRESS = case['ecs_host']
try:
    ctx = grc.Context.from_url(case['remote'])
    url = grc.git_url(ctx.repository, ctx.version, ctx.region, ctx.credentials)
    out = {'url': url, 'method': ctx.credentials.method}
except Exception as e:
    out = {'error': '%s: %s' % (type(e).__name__, e)}
out['seconds'] = round(__import__('time').monotonic() - START, 1)
print(json.dumps(out))
'''


def main():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = 'http://127.0.0.1:%d' % server.server_address[1]
    host = '127.0.0.1:%d' % server.server_address[1]
    no_imds = {'AWS_EC2_METADATA_SERVICE_ENDPOINT': 'http://127.0.0.1:9'}
    # Takes connections (the kernel completes them) and never answers.
    import socket
    silent = socket.socket()
    silent.bind(('127.0.0.1', 0))
    silent.listen(16)
    silent_url = 'http://127.0.0.1:%d' % silent.getsockname()[1]
    shapes = {
        'container-relative': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI': '/v2/credentials/task-uuid', **no_imds}, host),
        'container-full-token-file': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/pod-identity',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': '{HOME}/pod-token',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': 'loses-to-the-file', **no_imds}, None),
        'container-full-localhost-token': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI':
                base.replace('127.0.0.1', 'localhost') + '/full-env-token',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': ENV_TOKEN, **no_imds}, None),
        'imds-v2-env-endpoint': ('codecommit://Repo', {
            'AWS_EC2_METADATA_SERVICE_ENDPOINT': base}, None),
        'imds-v2-profile-endpoint-named-profile': ('codecommit://dev@Repo', {}, None),
        'credential-source-ecs': ('codecommit://ecs-role@Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/pod-identity',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': '{HOME}/pod-token',
            'AWS_ENDPOINT_URL_STS': base, **no_imds}, None),
        'credential-source-ec2': ('codecommit://ec2-role@Repo', {
            'AWS_EC2_METADATA_SERVICE_ENDPOINT': base, 'AWS_ENDPOINT_URL_STS': base}, None),
        # Failures: what class of error the reference gives.
        'error-container-refused-host': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': 'http://169.254.169.254/latest/meta-data/',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': ENV_TOKEN, **no_imds}, None),
        'error-container-token-newline': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/pod-identity',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': '{HOME}/pod-token-nl', **no_imds}, None),
        'error-container-missing-token': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/pod-identity', **no_imds}, None),
        'error-container-not-json': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/not-json', **no_imds}, None),
        'error-container-no-token-field': ('codecommit://Repo', {
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': base + '/no-token-field', **no_imds}, None),
        'error-imds-closed-port': ('codecommit://Repo', no_imds, None),
        'error-imds-silent-port': ('codecommit://Repo', {
            'AWS_EC2_METADATA_SERVICE_ENDPOINT': silent_url}, None),
        'error-imds-closed-port-v1-disabled': ('codecommit://Repo', {
            'AWS_EC2_METADATA_V1_DISABLED': 'true', **no_imds}, None),
        'error-credential-source-ec2-nothing': ('codecommit://ec2-role@Repo', no_imds, None),
    }
    results = {}
    for name, (remote, env, ecs_host) in shapes.items():
        with tempfile.TemporaryDirectory() as home:
            os.makedirs(os.path.join(home, '.aws'))
            with open(os.path.join(home, '.aws', 'config'), 'w') as f:
                f.write(CONFIG.format(base=base))
            with open(os.path.join(home, 'pod-token'), 'w') as f:
                f.write(POD_TOKEN)
            with open(os.path.join(home, 'pod-token-nl'), 'w') as f:
                f.write(POD_TOKEN + '\n')
            child_env = {'PATH': os.environ.get('PATH', ''), 'HOME': home}
            child_env.update({k: v.replace('{HOME}', home) for k, v in env.items()})
            case = {'remote': remote, 'time': TIME, 'ecs_host': ecs_host}
            out = subprocess.run([sys.executable, '-I', '-X', 'utf8', '-c', DRIVER,
                                  json.dumps(case)], env=child_env, cwd=home,
                                 capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise SystemExit('%s failed:\n%s' % (name, out.stderr))
            results[name] = json.loads(out.stdout)
    server.shutdown()
    print(json.dumps(results, indent=1, sort_keys=True))


if __name__ == '__main__':
    main()
