#!/usr/bin/python3
"""Local stand-in for remote AI model providers (for mlpredict's tests and demo).

    python3 test/standin/standin.py --port 0 --port-file /tmp/standin.port \
        [--pid-file F] [--latency-ms N] [--latency-dist SPEC] [--log F] [--keys-file F]
        [--gcp-public-key PEM --gcp-client-email EMAIL | --gcp-service-account KEY.json]

Listens on 127.0.0.1, speaks the providers' wire formats (modules under
providers/), checks their auth headers, answers deterministically
(answers.py) and injects faults on request (faults.py).  Paths under
/_control/ are a small unauthenticated API for tests: counters, recorded
requests, run-time configuration.  See README.md for the full reference.

Python 3.9+ standard library, plus two Debian packages used by single
providers: python3-botocore (SigV4 checks, providers/aws.py) and
python3-cryptography (RS256 JWT checks, providers/google.py).
"""

import argparse
import collections
import json
import os
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import faults      # noqa: E402  (needs the sys.path line above)
from latency import parse as parse_latency_dist   # noqa: E402
import providers   # noqa: E402
from common import ApiError, Call, Response   # noqa: E402

# Request headers whose values never appear in /_control/requests.
REDACTED_HEADERS = frozenset(["authorization", "proxy-authorization", "api-key",
                              "x-api-key", "x-goog-api-key", "x-amz-security-token"])
# Query parameters whose values never appear in /_control/requests.
REDACTED_QUERY = frozenset(["key"])
MAX_BODY = 64 * 1024 * 1024
# While a request sleeps, how often its socket is checked for a client that
# has gone away (seconds).
ABORT_POLL_S = 0.01


# --------------------------------------------------------------------------
# Shared state: configuration, counters, recorded requests
# --------------------------------------------------------------------------

class ServerState:
    """Everything the handler threads share.  All mutation under self.lock."""

    def __init__(self, default_keys, keys, latency_ms=0, strict_params=True,
                 record_max=1000, log_path=None, idle_timeout=None,
                 settings=None, counter_names=(), setting_values=None,
                 latency_dist=None):
        self.lock = threading.Lock()
        self.default_keys = dict(default_keys)
        self.keys = dict(default_keys)
        self.keys.update(keys)
        # Provider settings (providers.Setting): name -> Setting, and values.
        self.setting_defs = dict(settings or {})
        self.settings = {n: d.default for n, d in self.setting_defs.items()}
        for name, value in (setting_values or {}).items():
            self.settings[name] = self.setting_defs[name].check(value)
        self.counter_names = tuple(counter_names)
        # Provider-private data that outlives /_control/reset (issued tokens).
        self.store = {}
        self.latency_ms = latency_ms
        self.latency_dist = latency_dist or None     # spec (latency.py)
        self._latency_fn = parse_latency_dist(self.latency_dist)
        self.strict_params = strict_params
        self.idle_timeout = idle_timeout
        self.fail_counters = faults.FailCounters()
        self.recorded = collections.deque(maxlen=record_max)
        self.stop_event = threading.Event()
        self._log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self._log_lock = threading.Lock()
        # Never reset: they describe what is going on right now.
        self.open_connections = 0
        self.in_flight = 0
        # Client sockets open now (an outage drops them), and an outage
        # asked for by POST /_control/outage, run by the main thread.
        self.sockets = set()
        self.outage_seconds = None
        self._conn_serial = 0
        self._request_serial = 0
        self.generation = 0
        self._zero()

    def _zero(self):
        """Zero the resettable counters (caller holds the lock, or __init__)."""
        self.generation += 1
        self.connections = 0            # connections that carried model requests
        self.connections_accepted = 0   # every accepted TCP connection
        self.requests = 0               # model requests (control API excluded)
        self.control_requests = 0
        self.aborted = 0                # requests the client gave up on mid-sleep
        self.outages = 0                # POST /_control/outage runs
        self.by_route = {}
        self.by_status = {}
        self.counters = {name: 0 for name in self.counter_names}
        self.max_in_flight = self.in_flight

    # -- logging -----------------------------------------------------------

    def log(self, message):
        if self._log_file is None:
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        with self._log_lock:
            self._log_file.write("%s.%03d %s\n" % (stamp, int(now * 1000) % 1000, message))
            self._log_file.flush()

    def close(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # -- keys --------------------------------------------------------------

    def key_matches(self, name, presented):
        with self.lock:
            expected = self.keys.get(name)
        if isinstance(expected, str):
            return presented == expected
        return isinstance(expected, list) and presented in expected

    # -- connection and request accounting ---------------------------------

    def conn_accepted(self, sock=None):
        with self.lock:
            self.connections_accepted += 1
            self.open_connections += 1
            if sock is not None:
                self.sockets.add(sock)

    def next_conn_id(self):
        """Serial number naming a connection in the log and recorded requests."""
        with self.lock:
            self._conn_serial += 1
            return self._conn_serial

    def conn_closed(self, sock=None):
        with self.lock:
            self.open_connections -= 1
            self.sockets.discard(sock)

    # -- outages (POST /_control/outage) -------------------------------------

    def request_outage(self, seconds, requester=None):
        """Ask for an outage; the requester's own connection (the control
        request's) is left out of the reset: it closes once its answer is
        sent, so the client reads that answer whenever the reset comes."""
        with self.lock:
            self.outage_seconds = seconds
            self.sockets.discard(requester)

    def take_outage(self):
        with self.lock:
            seconds, self.outage_seconds = self.outage_seconds, None
            return seconds

    def drop_connections(self):
        """Reset every open client connection (SO_LINGER 0: an RST)."""
        with self.lock:
            socks = list(self.sockets)
            self.outages += 1
        for sock in socks:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def begin_request(self, handler, route_name):
        """Count a model request; returns its serial number."""
        with self.lock:
            # A connection counts once per reset generation, so reusing a
            # keep-alive connection never increases "connections".
            if handler.counted_generation != self.generation:
                handler.counted_generation = self.generation
                self.connections += 1
            self.requests += 1
            self.by_route[route_name] = self.by_route.get(route_name, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._request_serial += 1
            return self._request_serial

    def end_request(self, status):
        """A request is answered (status: a code or "drop"), or abandoned
        because its client went away (status None: counted as aborted)."""
        with self.lock:
            self.in_flight -= 1
            if status is None:
                self.aborted += 1
                return
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1

    def count_control(self):
        with self.lock:
            self.control_requests += 1

    def count(self, name, n=1):
        """Add n to a provider counter (declared in a module's COUNTERS)."""
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def setting(self, name):
        with self.lock:
            return self.settings[name]

    def record(self, entry):
        with self.lock:
            self.recorded.append(entry)

    def recent(self, n):
        with self.lock:
            items = list(self.recorded)
        return items[-n:] if n > 0 else items

    def stats(self):
        with self.lock:
            out = dict(self.counters)
            out.update({
                "connections": self.connections,
                "connections_accepted": self.connections_accepted,
                "open_connections": self.open_connections,
                "requests": self.requests,
                "control_requests": self.control_requests,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "aborted": self.aborted,
                "outages": self.outages,
            })
            return out

    def reset(self):
        with self.lock:
            self._zero()
            self.recorded.clear()
        self.fail_counters.reset()

    # -- run-time configuration --------------------------------------------

    def delay_ms(self, body):
        """The delay of a model request: --latency-ms plus, with a latency
        distribution, the draw for this body (latency.py)."""
        with self.lock:
            fixed, draw = self.latency_ms, self._latency_fn
        return fixed + (draw(body) if draw else 0)

    def config(self):
        with self.lock:
            out = {"latency_ms": self.latency_ms, "latency_dist": self.latency_dist,
                   "keys": dict(self.keys),
                   "strict_params": self.strict_params}
            out.update(self.settings)
        out["storm"] = self.fail_counters.storm()
        return out

    def update_config(self, obj):
        """Apply a /_control/config body; raises ValueError on bad input."""
        if not isinstance(obj, dict):
            raise ValueError("config body must be a JSON object")
        unknown = (set(obj) - {"latency_ms", "latency_dist", "keys", "strict_params",
                               "storm"} -
                   set(self.setting_defs))
        if unknown:
            raise ValueError("unknown config field(s): %s" % ", ".join(sorted(unknown)))
        latency = obj.get("latency_ms")
        if latency is not None and (isinstance(latency, bool) or
                                    not isinstance(latency, int) or latency < 0):
            raise ValueError("latency_ms must be an integer >= 0")
        dist = obj.get("latency_dist", self)     # self: not given
        if dist is not self and dist is not None and not isinstance(dist, str):
            raise ValueError("latency_dist must be a string or null")
        dist_fn = parse_latency_dist(dist) if isinstance(dist, str) else None
        strict = obj.get("strict_params")
        if strict is not None and not isinstance(strict, bool):
            raise ValueError("strict_params must be true or false")
        keys = obj.get("keys")
        if keys is not None:
            check_keys(keys, allow_null=True)
        storm = check_storm(obj["storm"]) if "storm" in obj else None
        settings = {}
        for name, definition in self.setting_defs.items():
            if name in obj:
                value = obj[name]
                try:
                    settings[name] = (definition.default if value is None
                                      else definition.check(value))
                except ValueError as e:
                    raise ValueError("%s: %s" % (name, e))
        with self.lock:
            self.settings.update(settings)
            if latency is not None:
                self.latency_ms = latency
            if dist is not self:
                self.latency_dist, self._latency_fn = dist or None, dist_fn
            if strict is not None:
                self.strict_params = strict
            for name, value in (keys or {}).items():
                if value is None:           # null: back to the default
                    if name in self.default_keys:
                        self.keys[name] = self.default_keys[name]
                    else:
                        self.keys.pop(name, None)
                else:
                    self.keys[name] = value
        if "storm" in obj:
            self.fail_counters.set_storm(*storm)
        return self.config()


def _is_credential(value):
    """An AWS-style credential object: {"access_key_id", "secret_access_key",
    "session_token"?}, all strings."""
    return (isinstance(value, dict) and
            isinstance(value.get("access_key_id"), str) and
            isinstance(value.get("secret_access_key"), str) and
            set(value) <= {"access_key_id", "secret_access_key", "session_token"} and
            isinstance(value.get("session_token", ""), str))


def check_storm(value):
    """(count, retry_after) from a storm setting: null, or
    {"count": N >= 0, "retry_after": "S" (a string or integer; default "1")}."""
    if value is None:
        return 0, None
    if not isinstance(value, dict) or not set(value) <= {"count", "retry_after"}:
        raise ValueError('storm must be null or {"count": N, "retry_after": "S"}')
    count = value.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError("storm.count must be an integer >= 0")
    retry_after = value.get("retry_after", "1")
    if isinstance(retry_after, int) and not isinstance(retry_after, bool) \
            and retry_after >= 0:
        retry_after = str(retry_after)
    if not isinstance(retry_after, str) or not retry_after.strip():
        raise ValueError("storm.retry_after must be a non-empty string or an "
                         "integer >= 0")
    return count, retry_after.strip()


def check_keys(keys, allow_null=False):
    """Validate a keys object: name -> string | [strings] | credential object |
    [credential objects] (| null)."""
    if not isinstance(keys, dict):
        raise ValueError("keys must be a JSON object")
    for name, value in keys.items():
        ok = (isinstance(value, str) or _is_credential(value) or
              (isinstance(value, list) and
               (all(isinstance(v, str) for v in value) or
                all(_is_credential(v) for v in value))) or
              (allow_null and value is None))
        if not ok:
            raise ValueError("key %r must be a string, an array of strings, or an "
                             "object {access_key_id, secret_access_key, "
                             "session_token?} (or an array of them)" % name)


# --------------------------------------------------------------------------
# HTTP handling
# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """One instance per TCP connection; handles every request on it."""

    protocol_version = "HTTP/1.1"        # keep-alive by default
    # Headers and body go out in two writes; without TCP_NODELAY the body
    # waits for the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server_version = "mlpredict-standin/1"
    sys_version = ""

    def setup(self):
        self.state = self.server.state
        self.timeout = self.state.idle_timeout   # idle keep-alive limit
        self.conn_id = self.state.next_conn_id()
        self.counted_generation = None
        BaseHTTPRequestHandler.setup(self)

    # Every method goes through one dispatcher; routes decide what is valid.
    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def version_string(self):
        return self.server_version              # no trailing Python version

    def log_message(self, format, *args):       # noqa: A002 (base-class name)
        self.state.log("conn=%s %s" % (getattr(self, "conn_id", "?"), format % args))

    def log_request(self, code="-", size="-"):
        pass                                     # _send logs a richer line

    def _dispatch(self):
        self.t_start = time.time()
        try:
            parts = urlsplit(self.path)
            path = parts.path or "/"
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            body = self._read_body()
            if body is None:
                return
            if path == "/_control" or path.startswith("/_control/"):
                self.state.count_control()
                self._send(self._control(path, query, body))
            else:
                self._model(path, query, body, parts.query)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    # -- request body ------------------------------------------------------

    def _read_body(self):
        """The request body (bytes), or None after answering an error."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self._reject(400, "bad Content-Length")
            return None
        if n > MAX_BODY:
            self._reject(413, "request body too large")
            return None
        body = self.rfile.read(n)
        if len(body) < n:
            raise ConnectionResetError("client closed mid-body")
        return body

    def _read_chunked(self):
        chunks, total = [], 0
        try:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionResetError("client closed mid-body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass                    # skip trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    self._reject(413, "request body too large")
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()           # CRLF after the chunk
        except ValueError:
            self._reject(400, "bad chunked encoding")
            return None

    def _reject(self, status, message):
        """Answer a framing error and close (the body cannot be skipped)."""
        self.close_connection = True
        self._send(Response.json(status, {"error": {"message": message}}).add_header(
            "Connection", "close"))

    # -- model requests ----------------------------------------------------

    def _sleep_watching(self, seconds):
        """Sleep, checking every ABORT_POLL_S whether the client has closed
        the connection (select, then a peek that reads end-of-file or a
        reset); raises faults.ClientGone, with self.gone_at set, if it has.
        Data already waiting (a pipelined request) tells nothing either way."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                ready = select.select([sock], [], [], min(ABORT_POLL_S, left))[0]
            except (OSError, ValueError):       # closed under us
                ready, gone = [sock], True
            else:
                gone = False
            if ready and not gone:
                try:
                    gone = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:                 # reset by the client
                    gone = True
            if gone:
                self.gone_at = time.time()
                raise faults.ClientGone()
            if ready:                           # pipelined bytes: do not spin
                time.sleep(max(0.0, min(ABORT_POLL_S, deadline - time.monotonic())))

    def _model(self, path, query, body, raw_query=""):
        state = self.state
        route, params = self.server.match(self.command, path)
        route_name = route.name if route else "unmatched"
        number = state.begin_request(self, route_name)
        call = Call(self.command, path, query, self.headers, body, params or {},
                    state, number, raw_query)
        entry = {
            "id": number,
            "connection": self.conn_id,
            "route": route_name,
            "method": self.command,
            "path": path,
            "query": {k: "<redacted>" if k in REDACTED_QUERY else v
                      for k, v in query.items()},
            "headers": redact(self.headers),
            "body": decode_body(body),
            "t_start": self.t_start,
        }
        faults.set_sleeper(self._sleep_watching)
        try:
            delay_ms = state.delay_ms(body)
            if delay_ms > 0:
                self._sleep_watching(delay_ms / 1000.0)
            if route is None:
                resp = Response.json(404, {"error": {
                    "message": "Invalid URL (%s %s)" % (self.command, path),
                    "type": "invalid_request_error", "param": None, "code": None}})
            else:
                try:
                    resp = route.handler(call)
                except ApiError as e:
                    resp = e.response
        except faults.ClientGone:
            # Abandoned: no answer, and the connection is finished.
            self.close_connection = True
            state.end_request(None)
            entry.update({"status": None, "fault": None, "auth": call.auth,
                          "auth_detail": call.auth_detail,
                          "t_end": self.gone_at, "aborted": True})
            state.record(entry)
            state.log("conn=%s %s %s -> client closed the connection after %dms" % (
                self.conn_id, self.command, self.path, call.elapsed_ms()))
            return
        except Exception:                       # a stand-in bug: say so loudly
            state.log("handler crash on %s %s:\n%s" % (
                self.command, path, traceback.format_exc()))
            resp = Response.json(500, {"error": {
                "message": "stand-in internal error (see its log)",
                "type": "server_error", "param": None, "code": None}})
        finally:
            faults.set_sleeper(None)
        state.end_request("drop" if resp.drop else resp.status)
        # Record before answering: a test may ask for it right after reading.
        entry.update({
            "status": None if resp.drop else resp.status,
            "fault": resp.fault,
            "auth": call.auth,
            "auth_detail": call.auth_detail,
            "t_end": time.time(),
            "aborted": False,
        })
        state.record(entry)
        self._send(resp, call, faults.trickle_ms(body))

    def _send(self, resp, call=None, trickle_ms=0):
        took = "%dms" % call.elapsed_ms() if call else "-"
        fault = " fault=%s" % resp.fault if resp.fault else ""
        if resp.drop:
            self.close_connection = True
            self.state.log("conn=%s %s %s -> dropped %s%s" % (
                self.conn_id, self.command, self.path, took, fault))
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.fault:
            self.send_header("X-Standin-Fault", resp.fault)
        self.end_headers()
        if self.command != "HEAD" and trickle_ms > 0:
            self._trickle(resp.body, trickle_ms)
        elif self.command != "HEAD":
            self.wfile.write(resp.body)
        self.state.log("conn=%s %s %s -> %d %dB %s%s" % (
            self.conn_id, self.command, self.path, resp.status, len(resp.body),
            took, fault))

    def _trickle(self, body, delay_ms):
        """Write body one byte at a time, delay_ms apart; stop when the
        client has gone (the connection is then closed)."""
        try:
            self.wfile.flush()
            for i in range(len(body)):
                if i > 0:
                    time.sleep(delay_ms / 1000.0)
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except OSError:
            self.close_connection = True

    # -- control API -------------------------------------------------------

    def _control(self, path, query, body):
        state, method = self.state, self.command
        name = path[len("/_control/"):] if path.startswith("/_control/") else ""
        allowed = {"stats": ("GET",), "reset": ("POST",), "config": ("GET", "POST"),
                   "requests": ("GET",), "health": ("GET",), "shutdown": ("POST",),
                   "outage": ("POST",)}
        if name not in allowed:
            return control_error(404, "unknown control endpoint %r (have: %s)" % (
                path, ", ".join(sorted(allowed))))
        if method not in allowed[name]:
            return control_error(405, "%s needs %s" % (path, " or ".join(allowed[name])))
        if name == "stats":
            return Response.json(200, state.stats())
        if name == "reset":
            state.reset()
            return Response.json(200, {"ok": True})
        if name == "config":
            if method == "GET":
                return Response.json(200, state.config())
            try:
                obj = json.loads(body.decode("utf-8") or "{}")
                return Response.json(200, state.update_config(obj))
            except (UnicodeDecodeError, ValueError) as e:
                return control_error(400, str(e))
        if name == "requests":
            try:
                n = int(query.get("n") or 0)
            except ValueError:
                return control_error(400, "n must be an integer")
            return Response.json(200, state.recent(n))
        if name == "outage":
            # answer first; the main thread then closes the listening socket
            try:
                seconds = float(json.loads(body.decode("utf-8") or "{}").get("seconds", 1))
            except (UnicodeDecodeError, ValueError, AttributeError) as e:
                return control_error(400, "outage needs {\"seconds\": N}: %s" % e)
            if not 0 <= seconds <= 3600:
                return control_error(400, "seconds must be between 0 and 3600")
            self.close_connection = True
            state.request_outage(seconds, self.connection)
            resp = Response.json(200, {"ok": True, "seconds": seconds})
            resp.headers.append(("Connection", "close"))
            return resp
        if name == "health":
            return Response.json(200, {"ok": True, "pid": os.getpid(),
                                       "port": self.server.server_address[1]})
        # shutdown: answer first; the main thread then stops the server.
        state.stop_event.set()
        return Response.json(200, {"ok": True})


def control_error(status, message):
    return Response.json(status, {"error": message})


def redact(headers):
    """Request headers as {lower-case name: value}, secrets replaced."""
    out = {}
    for name, value in headers.items():
        lname = name.lower()
        out[lname] = "<redacted>" if lname in REDACTED_HEADERS else value
    return out


def decode_body(body):
    """Parsed JSON if the body is JSON, else its text."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")
    try:
        return json.loads(text)
    except ValueError:
        return text


class StandinServer(ThreadingHTTPServer):
    """Threaded HTTP server that counts accepted connections."""

    daemon_threads = True          # never wait for handler threads on exit
    block_on_close = False
    request_queue_size = 256       # many clients may connect at once
    allow_reuse_address = True

    def __init__(self, address, state, routes):
        self.state = state
        self.routes = routes
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        ThreadingHTTPServer.__init__(self, address, Handler)

    def server_bind(self):
        # HTTPServer.server_bind would call socket.getfqdn(), which can stall
        # on hosts without working DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, addr = ThreadingHTTPServer.get_request(self)
        self.state.conn_accepted(sock)
        return sock, addr

    def shutdown_request(self, request):
        # Called once for every request get_request returned, when its
        # handler thread ends (or when it could not be started).
        self.state.conn_closed(request)
        ThreadingHTTPServer.shutdown_request(self, request)

    def reopen(self):
        """Listen again on the same address (after an outage closed it)."""
        self.socket = socket.socket(self.address_family, self.socket_type)
        self.server_bind()
        self.server_activate()

    def handle_error(self, request, client_address):
        self.state.log("error on connection from %s:\n%s" % (
            client_address, traceback.format_exc()))

    def match(self, method, path):
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None, None


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def run_outage(server, state, seconds, signalled=()):
    """A restart as clients see it: stop listening (new connections are
    refused), reset every open connection, and listen again on the same
    port after the given seconds (the caller then serves again)."""
    state.log("outage: not listening for %.3f s" % seconds)
    server.shutdown()
    server.socket.close()
    state.drop_connections()
    deadline = time.time() + seconds
    while time.time() < deadline and not state.stop_event.is_set() and not signalled:
        time.sleep(min(0.01, max(0.0, deadline - time.time())))
    server.reopen()
    state.log("outage over: listening again")


def write_atomic(path, text):
    """Write text to path so that readers never see a partial file."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def remove_if_ours(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                os.unlink(path)
    except OSError:
        pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Local stand-in for remote AI model providers (mlpredict tests).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    p.add_argument("--port-file", help="write the port number here once listening")
    p.add_argument("--pid-file", help="write the process id here at start")
    p.add_argument("--latency-ms", type=int, default=0,
                   help="delay added to every model request")
    p.add_argument("--latency-dist", metavar="SPEC",
                   help="per-request delay drawn from a distribution, the same for the "
                        "same body: lognormal:median=MS,p99=MS[,seed=N][,max=MS] "
                        "(added to --latency-ms)")
    p.add_argument("--log", help="append a request log here (default: no logging)")
    p.add_argument("--keys-file", help='JSON {"openai": "...", "azure_openai": "..."} '
                                       "overriding the expected secrets")
    p.add_argument("--record-max", type=int, default=1000,
                   help="how many requests /_control/requests keeps (default 1000)")
    p.add_argument("--idle-timeout", type=float, default=300.0,
                   help="close keep-alive connections idle this many seconds "
                        "(default 300; 0 = never)")
    p.add_argument("--no-strict-params", dest="strict_params", action="store_false",
                   help="accept unknown request parameters instead of answering 400")
    g = p.add_argument_group("Vertex AI service account (see README)")
    g.add_argument("--gcp-public-key", metavar="PEM_FILE",
                   help="RSA public key that verifies the JWTs sent to /token")
    g.add_argument("--gcp-client-email", metavar="EMAIL",
                   help="the service account's client_email (the JWT's iss)")
    g.add_argument("--gcp-key-id", metavar="KID",
                   help="expected JWT kid (default: derived from the public key, "
                        "as make_service_account.py writes private_key_id)")
    g.add_argument("--gcp-service-account", metavar="KEY_JSON",
                   help="a service-account key file: sets the three options above "
                        "from its private_key, client_email and private_key_id")
    args = p.parse_args(argv)
    try:
        parse_latency_dist(args.latency_dist)
    except ValueError as e:
        p.error(str(e))
    return args


def gcp_settings(args):
    """Provider setting values from the --gcp-* options."""
    values = {}
    if args.gcp_service_account:
        import make_service_account          # needs python3-cryptography
        with open(args.gcp_service_account, encoding="utf-8") as f:
            info = json.load(f)
        values["gcp_public_key"] = make_service_account.public_pem_from_private(
            info["private_key"])
        values["gcp_client_email"] = info["client_email"]
        values["gcp_key_id"] = info.get("private_key_id")
    if args.gcp_public_key:
        with open(args.gcp_public_key, encoding="utf-8") as f:
            values["gcp_public_key"] = f.read()
    if args.gcp_client_email:
        values["gcp_client_email"] = args.gcp_client_email
    if args.gcp_key_id:
        values["gcp_key_id"] = args.gcp_key_id
    return values


def main(argv=None):
    args = parse_args(argv)
    routes, default_keys = providers.load()
    settings, counter_names = providers.extras()
    keys = {}
    if args.keys_file:
        with open(args.keys_file, encoding="utf-8") as f:
            keys = json.load(f)
        check_keys(keys)
    state = ServerState(default_keys, keys, latency_ms=max(0, args.latency_ms),
                        strict_params=args.strict_params,
                        record_max=max(1, args.record_max), log_path=args.log,
                        idle_timeout=args.idle_timeout or None,
                        settings=settings, counter_names=counter_names,
                        setting_values=gcp_settings(args),
                        latency_dist=args.latency_dist)
    server = StandinServer((args.host, args.port), state, routes)
    port = server.server_address[1]

    pid_text, port_text = "%d\n" % os.getpid(), "%d\n" % port
    if args.pid_file:
        write_atomic(args.pid_file, pid_text)

    # A signal handler runs in the main thread, possibly inside the
    # stop_event.wait() below while it holds the event's lock: setting the
    # event there can deadlock, so the handler only records the signal.
    signalled = []

    def on_signal(signum, frame):
        signalled.append(signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def serve():
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name="standin-accept", daemon=True)
        thread.start()
    serve()
    # The socket is already listening, so the port file means "ready".
    if args.port_file:
        write_atomic(args.port_file, port_text)
    else:
        print("standin listening on http://%s:%d" % (args.host, port), flush=True)
    state.log("listening on %s:%d pid %d" % (args.host, port, os.getpid()))

    while not state.stop_event.is_set() and not signalled:
        state.stop_event.wait(0.02)
        seconds = state.take_outage()
        if seconds is not None:
            run_outage(server, state, seconds, signalled)
            serve()

    state.log("stopping")
    server.shutdown()
    server.server_close()
    if args.port_file:
        remove_if_ours(args.port_file, port_text)
    if args.pid_file:
        remove_if_ours(args.pid_file, pid_text)
    state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
