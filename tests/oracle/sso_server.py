"""A scripted HTTP server on 127.0.0.1 playing the SSO portal, SSO OIDC and STS.

Used by generate_sso.py: one server per case, started in the generator's
process on an ephemeral port, torn down after the case. Imports nothing from
botocore or grc.

Script (the case's "server" object):

    {"routes": [{"method": "GET", "path": "/federation/credentials",
                 "responses": [{"status": 500, "headers": {...}, "body": "..."},
                               {"status": 200, "headers": {...}, "body": "...",
                                "delay_ms": 50}],
                 "exhaust": "repeat"}]}          # or "fail"

- A request matches a route when the methods are equal and the request path
  (without the query) ends with the route's path, so an endpoint override with a
  base path (`{SERVER}/base`) reaches the same route.
- The n-th request on a route gets the n-th response. When the list is used up,
  the last one is repeated, or with "exhaust": "fail" the answer is a 500
  `{"message": "route exhausted"}`.
- Only `Content-Length` is added to a response's headers (unless given); the body
  is sent as the exact UTF-8 text of "body".
- A request no route matches gets 404 `{"message": "no route"}`.
- CONNECT (a client using this server as its HTTPS proxy) is always refused
  with 403 and the connection closed; the request is recorded with the tunnel
  target (host:port) as its path, which is how a case sees the real AWS host
  name botocore would have used, without any traffic leaving 127.0.0.1.

Every request is recorded, in arrival order, as

    {"method", "path", "target" (the raw request-target), "query" (decoded
     {name: value}; a repeated name gives a list),
     "headers": {"x-amz-sso_bearer_token": ..., "content-type": ...  (only when
                 present), "authorization": true/false (present or not)},
     "body": parsed JSON, null when empty, the raw text when not JSON}
"""

import http.server
import json
import threading
import time
import urllib.parse

RECORDED_HEADERS = ('x-amz-sso_bearer_token', 'content-type')
EXHAUSTED = {'status': 500, 'headers': {'Content-Type': 'application/json'},
             'body': '{"message": "route exhausted"}'}
NO_ROUTE = {'status': 404, 'headers': {'Content-Type': 'application/json'},
            'body': '{"message": "no route"}'}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'oracle-sso-server'
    sys_version = ''

    def log_message(self, *args):  # keep the generator's output clean
        pass

    def _record(self, path, query, body):
        headers = {}
        for name in RECORDED_HEADERS:
            value = self.headers.get(name)
            if value is not None:
                headers[name] = value
        headers['authorization'] = self.headers.get('authorization') is not None
        entry = {'method': self.command, 'path': path, 'target': self.path,
                 'query': query, 'headers': headers, 'body': body}
        return self.server.fake.record(entry)

    def _read_body(self):
        length = int(self.headers.get('content-length') or 0)
        raw = self.rfile.read(length) if length else b''
        if not raw:
            return None
        text = raw.decode('utf-8', 'replace')
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _handle(self):
        split = urllib.parse.urlsplit(self.path)
        pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        query = {}
        for k, v in pairs:
            if k in query:
                query[k] = (query[k] if isinstance(query[k], list) else [query[k]]) + [v]
            else:
                query[k] = v
        body = self._read_body()
        self._record(split.path, query, body)
        response = self.server.fake.pick(self.command, split.path)
        if response.get('delay_ms'):
            time.sleep(response['delay_ms'] / 1000.0)
        data = response.get('body', '').encode('utf-8')
        self.send_response(response['status'])
        headers = dict(response.get('headers', {}))
        if not any(k.lower() == 'content-length' for k in headers):
            headers['Content-Length'] = str(len(data))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

    def do_CONNECT(self):
        self._record(self.path, {}, None)
        self.send_response(403)
        self.send_header('Content-Length', '0')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True


class FakeServer:
    """Start with `with FakeServer(script) as server:`; `server.url` is the base URL."""

    def __init__(self, script):
        self._routes = []
        for route in (script or {}).get('routes', []):
            if route.get('exhaust', 'repeat') not in ('repeat', 'fail') or not route['responses']:
                raise ValueError('bad route %r' % route)
            self._routes.append({'route': route, 'count': 0})
        self._lock = threading.Lock()
        self.requests = []
        self._httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self
        self.url = 'http://127.0.0.1:%d' % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def record(self, entry):
        with self._lock:
            self.requests.append(entry)

    def pick(self, method, path):
        with self._lock:
            for state in self._routes:
                route = state['route']
                if route['method'] == method and path.endswith(route['path']):
                    n = state['count']
                    state['count'] += 1
                    responses = route['responses']
                    if n < len(responses):
                        return responses[n]
                    return EXHAUSTED if route.get('exhaust') == 'fail' else responses[-1]
            return NO_ROUTE

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        return False
