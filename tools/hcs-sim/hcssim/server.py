"""HTTP plumbing: requests, responses, a regex router, and the threaded (optionally TLS) listeners.

Each listener serves one app (APIG, Dorado, control). An app turns a Request into a Response and
owns its error envelope; this module knows nothing about vendors. Access lines go to the log file
(method, path with query, status, milliseconds): never headers or bodies, so neither tokens nor
passwords reach the log.
"""
import json
import logging
import re
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .util import ApiError, dumps

log = logging.getLogger("hcssim")


class BadRequest(Exception):
    """A malformed request (body not JSON, bad parameter). Each app renders it in its envelope."""


class Request:
    def __init__(self, method, raw_path, headers, body, client):
        split = urllib.parse.urlsplit(raw_path)
        self.method = method
        self.raw_path = raw_path
        self.path = urllib.parse.unquote(split.path)
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.client = client
        self._json = None

    def q(self, name, default=None):
        vals = self.query.get(name)
        return vals[0] if vals else default

    def qall(self, name):
        return self.query.get(name, [])

    def header(self, name):
        return self.headers.get(name)

    def json(self, required=True):
        if self._json is None:
            if not self.body:
                if required:
                    raise BadRequest("the request has no body; a JSON object was expected")
                return {}
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise BadRequest("the request body is not valid JSON: %s" % e)
            if not isinstance(self._json, dict):
                raise BadRequest("the request body must be a JSON object")
        return self._json


class Response:
    def __init__(self, status, body=b"", content_type="application/json;charset=UTF-8", headers=None):
        self.status = status
        if not isinstance(body, (bytes, bytearray)):
            body = dumps(body).encode("utf-8")
        self.body = bytes(body)
        self.content_type = content_type
        self.headers = headers or []


def json_response(status, obj, headers=None):
    return Response(status, obj, headers=headers)


class Route:
    def __init__(self, method, pattern, handler, name, **extra):
        self.method = method
        self.regex = re.compile("^" + pattern + "$")
        self.handler = handler
        self.name = name
        self.extra = extra


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, pattern, handler, name, **extra):
        self.routes.append(Route(method, pattern, handler, name, **extra))

    def match(self, method, path):
        """(route, params) for the request; (None, True) when the path exists for another method."""
        path_known = False
        for r in self.routes:
            m = r.regex.match(path)
            if m:
                if r.method == method:
                    return r, m.groupdict()
                path_known = True
        return None, path_known


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hcs-sim"
    sys_version = ""
    timeout = 900  # idle keep-alive connections are closed after this
    # Headers and body go out in one write, and without Nagle: otherwise every keep-alive
    # answer waits for the client's delayed ACK (40 ms a request, 5 minutes for a 2 TiB LUN).
    disable_nagle_algorithm = True

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            # The handshake runs here, in the connection's own thread, not in the accept loop.
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _serve(self):
        app = self.server.app
        t0 = time.monotonic()
        try:
            body = self._body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        req = Request(self.command, self.path, self.headers, body, self.client_address)
        try:
            resp = app.handle(req)
        except ApiError as e:
            resp = Response(e.status, e.body, headers=e.headers)
        except Exception:  # a bug in the simulator: say so, in the app's envelope
            log.exception("%s %s %s failed", app.name, self.command, self.path)
            resp = app.internal_error("simulator error handling %s %s (see the simulator log)"
                                      % (self.command, req.path))
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers:
            self.send_header(k, v)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(resp.body)
        self.flush_headers()
        if app.access_log:
            log.info("%s %s %s %d %.1fms", app.name, self.command, self.path, resp.status,
                     (time.monotonic() - t0) * 1000)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, fmt, *args):
        pass  # access lines are written by _serve, without headers


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, app, bind, port, tls_context):
        self.app = app
        super().__init__((bind, port), _Handler)
        if tls_context is not None:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.scheme = "https" if tls_context is not None else "http"

    def handle_error(self, request, client_address):
        # TLS handshakes that fail (a client not trusting our CA), resets: not worth a traceback.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        t = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                             name="listen-%s" % self.app.name, daemon=True)
        t.start()
        return t


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    return ctx


def port_free(bind, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((bind, port))
        return True
    except OSError:
        return False
    finally:
        s.close()
