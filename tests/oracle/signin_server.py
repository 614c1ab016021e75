#!/usr/bin/env python3
"""A stand-in for the AWS Sign-In service's CreateOAuth2Token (refresh-token grant),
on 127.0.0.1, that checks every DPoP proof on its own.

The proof is verified with the `cryptography` package (OpenSSL), independently of
both clients under test: our library signs with ring, botocore with the AWS CRT. A
request is refused (HTTP 400, recorded with the reason) unless:

- the DPoP header is a JWT whose header is {"typ": "dpop+jwt", "alg": "ES256", "jwk":
  {"kty": "EC", "crv": "P-256", "x", "y"}} with x and y of 32 bytes each;
- its ES256 signature verifies with that jwk;
- its claims have htm POST, htu exactly the URL called (http://127.0.0.1:PORT/PATH),
  an iat within 60 seconds of the stand-in's clock, and a jti never seen before;
- the jwk is the one the refresh-token chain was first used with;
- the body is {"clientId", "refreshToken", "grantType": "refresh_token"} and the
  refresh token is the chain's current one (a used or revoked one gets botocore's
  AccessDeniedException with error TOKEN_EXPIRED).

A good refresh rotates the refresh token (REFRESH-<n+1>) and issues credentials n:
ASIALOGIN<n, 10 digits>, login-secret-<n>, login-token-<n>/+=, valid for
`expires_in` seconds (900 by default, the service's maximum).

Usage: signin_server.py [--expires-in N] [--refresh-token T]
Prints the port on the first line of stdout, then serves until killed.

GET /state gives what happened: {"issued": n, "accepted": [...], "rejected":
[{"reason", "path"}], "proofs": [every DPoP header seen]}. POST /control with
{"clock_offset": seconds} moves the stand-in's clock; {"revoke": true} revokes the
current refresh token; {"replay": {"path", "dpop", "body"}} re-sends a request to
itself (for tests of the checks above).
"""

import argparse
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


class State:
    def __init__(self, refresh_token, expires_in):
        self.lock = threading.Lock()
        self.current = refresh_token
        self.jwk = None
        self.issued = 0
        self.expires_in = expires_in
        self.clock_offset = 0
        self.jtis = set()
        self.accepted = []
        self.rejected = []
        self.proofs = []


def check(state, url, dpop, body):
    """None if the request is good, else (status, error type, error, message)."""
    try:
        header_b64, claims_b64, signature_b64 = dpop.split('.')
        header = json.loads(b64url(header_b64))
        claims = json.loads(b64url(claims_b64))
        signature = b64url(signature_b64)
    except Exception:
        return 400, 'ValidationException', 'invalid_request', 'DPoP proof is not a JWT'
    jwk = header.get('jwk') or {}
    if (header.get('typ'), header.get('alg'), jwk.get('kty'), jwk.get('crv')) != (
            'dpop+jwt', 'ES256', 'EC', 'P-256'):
        return 400, 'ValidationException', 'invalid_request', 'DPoP header is not ES256 dpop+jwt'
    if list(header) != ['typ', 'alg', 'jwk'] or list(jwk) != ['kty', 'x', 'y', 'crv']:
        return 400, 'ValidationException', 'invalid_request', 'DPoP header is not botocore\'s'
    x, y = b64url(jwk['x']), b64url(jwk['y'])
    if len(x) != 32 or len(y) != 32 or len(signature) != 64:
        return 400, 'ValidationException', 'invalid_request', 'jwk coordinates or signature not 32 bytes each'
    try:
        key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, 'big'), int.from_bytes(y, 'big'), ec.SECP256R1()).public_key()
        key.verify(
            encode_dss_signature(int.from_bytes(signature[:32], 'big'),
                                 int.from_bytes(signature[32:], 'big')),
            ('%s.%s' % (header_b64, claims_b64)).encode('ascii'),
            ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return 400, 'ValidationException', 'invalid_request', 'DPoP signature does not verify'
    if list(claims) != ['htm', 'htu', 'iat', 'jti']:
        return 400, 'ValidationException', 'invalid_request', 'DPoP claims are not botocore\'s'
    if claims['htm'] != 'POST':
        return 400, 'ValidationException', 'invalid_request', 'DPoP htm is not POST'
    if claims['htu'] != url:
        return 400, 'ValidationException', 'invalid_request', 'DPoP htu is not the URL called'
    if not isinstance(claims['iat'], int) or abs(time.time() + state.clock_offset - claims['iat']) > 60:
        return 400, 'ValidationException', 'invalid_request', 'DPoP iat is stale'
    if claims['jti'] in state.jtis:
        return 400, 'ValidationException', 'invalid_request', 'DPoP jti was used before'
    state.jtis.add(claims['jti'])
    try:
        request = json.loads(body)
    except ValueError:
        return 400, 'ValidationException', 'invalid_request', 'body is not JSON'
    if sorted(request) != ['clientId', 'grantType', 'refreshToken'] or request['grantType'] != 'refresh_token':
        return 400, 'ValidationException', 'invalid_request', 'body is not a refresh-token grant'
    if state.jwk is not None and state.jwk != (jwk['x'], jwk['y']):
        return 400, 'ValidationException', 'invalid_request', 'DPoP key is not the one the session is bound to'
    if request['refreshToken'] != state.current:
        return 400, 'AccessDeniedException', 'TOKEN_EXPIRED', 'The refresh token has expired or was revoked'
    state.jwk = (jwk['x'], jwk['y'])
    return None


class Handler(BaseHTTPRequestHandler):
    state = None

    def log_message(self, *args):
        pass

    def reply(self, status, doc, error_type=None):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        if error_type:
            self.send_header('x-amzn-ErrorType', error_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        s = self.state
        with s.lock:
            self.reply(200, {'issued': s.issued, 'accepted': s.accepted, 'rejected': s.rejected,
                             'proofs': s.proofs, 'current': s.current})

    def do_POST(self):
        s = self.state
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self.path == '/control':
            control = json.loads(body)
            with s.lock:
                s.clock_offset = control.get('clock_offset', s.clock_offset)
                if control.get('revoke'):
                    s.current = None
            if 'replay' in control:
                r = control['replay']
                status, doc = self.token(r['path'], r['dpop'], r['body'].encode())
                return self.reply(200, {'status': status, 'answer': doc})
            return self.reply(200, {})
        dpop = self.headers.get('DPoP') or ''
        status, doc = self.token(self.path, dpop, body)
        error_type = None if status == 200 else doc.pop('__type')
        self.reply(status, doc, error_type)

    def token(self, path, dpop, body):
        s = self.state
        url = 'http://127.0.0.1:%d%s' % (self.server.server_address[1], path)
        with s.lock:
            s.proofs.append(dpop)
            if not path.endswith('/v1/token'):
                s.rejected.append({'reason': 'no such operation', 'path': path})
                return 404, {'__type': 'UnknownOperationException', 'message': path}
            problem = check(s, url, dpop, body)
            if problem:
                status, error_type, error, message = problem
                s.rejected.append({'reason': message, 'path': path})
                return status, {'__type': error_type, 'error': error, 'message': message}
            s.issued += 1
            n = s.issued
            s.current = 'REFRESH-%d' % (n + 1)
            s.accepted.append({'path': path, 'credentials': n})
            return 200, {
                'accessToken': {
                    'accessKeyId': 'ASIALOGIN%010d' % n,
                    'secretAccessKey': 'login-secret-%d' % n,
                    'sessionToken': 'login-token-%d/+=' % n,
                },
                'tokenType': 'aws_sigv4',
                'expiresIn': s.expires_in,
                'refreshToken': s.current,
            }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--expires-in', type=int, default=900)
    parser.add_argument('--refresh-token', default='REFRESH-1')
    args = parser.parse_args()
    Handler.state = State(args.refresh_token, args.expires_in)
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
