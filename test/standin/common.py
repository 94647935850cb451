"""Types shared by the stand-in core and the provider modules.

A provider handler receives a Call (one parsed HTTP request plus the shared
server state) and returns a Response.  To stop early (bad auth, invalid body)
it raises ApiError carrying the error Response.  Nothing here touches sockets;
standin.py does all the HTTP work.
"""

import json
import re
import time


class RawJSON:
    """JSON text serialised once (an embedding vector), which dump_json
    splices into an answer as it is: long answers then cost a join, not a
    serialisation of every number again."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


# A RawJSON stands in the encoder's output as this string ("\u0000" is how
# json.dumps writes NUL, which no answer text contains).
_RAW_MARK = "\0raw%d\0"
_RAW_RE = re.compile(r'"\\u0000raw(\d+)\\u0000"')


def dump_json(obj):
    """Serialise obj the way every stand-in answer is serialised (UTF-8, compact)."""
    raws = []

    def default(o):
        if isinstance(o, RawJSON):
            raws.append(o.text)
            return _RAW_MARK % (len(raws) - 1)
        raise TypeError("%r is not JSON serializable" % (o,))
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=default)
    if raws:
        text = _RAW_RE.sub(lambda m: raws[int(m.group(1))], text)
    return text.encode("utf-8")


class Response:
    """An answer to send back, or an instruction to drop the connection.

    status   -- HTTP status code
    body     -- bytes (Content-Length is always set from it)
    headers  -- list of (name, value) pairs, in order
    drop     -- True: close the connection without writing anything
    fault    -- short text naming the injected fault, if any (it is echoed in
                the X-Standin-Fault header and in the request log)
    """

    def __init__(self, status=200, body=b"", headers=None,
                 content_type="application/json", drop=False, fault=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        self.content_type = content_type
        self.drop = drop
        self.fault = fault

    @classmethod
    def json(cls, status, obj, headers=None, fault=None):
        return cls(status, dump_json(obj), headers, fault=fault)

    @classmethod
    def dropped(cls, fault="drop"):
        return cls(status=0, drop=True, fault=fault)

    def add_header(self, name, value):
        self.headers.append((name, str(value)))
        return self


class ApiError(Exception):
    """Raised by a handler to answer at once with the attached Response."""

    def __init__(self, response):
        Exception.__init__(self, response.status)
        self.response = response


class Call:
    """One model request as seen by a provider handler.

    method, path  -- request line parts (path without the query string)
    query         -- dict of query parameters (last value wins)
    headers       -- the request's http.client.HTTPMessage (case-insensitive)
    body          -- raw request body (bytes)
    params        -- named groups from the route's path pattern
    state         -- the server-wide ServerState (keys, fault counters, ...)
    request_no    -- serial number of the request (for x-request-id)
    raw_query     -- the query string exactly as received (for signatures)
    auth          -- set by the handler: "ok", "missing" or "wrong" (recorded;
                     Vertex routes also use "expired")
    auth_detail   -- set by a handler that checks a signature: why it failed
                     (e.g. the stand-in's canonical request), recorded
    """

    def __init__(self, method, path, query, headers, body, params, state,
                 request_no=0, raw_query=""):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.params = params
        self.state = state
        self.request_no = request_no
        self.raw_query = raw_query
        self.started = time.monotonic()
        self.auth = None
        self.auth_detail = None

    def elapsed_ms(self):
        return int((time.monotonic() - self.started) * 1000)

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    def bearer_token(self):
        """The token of an 'Authorization: Bearer <token>' header, else None."""
        value = self.header("Authorization")
        if not value:
            return None
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None

    def check_key(self, key_name, presented):
        """Compare a presented secret with the expected one(s) for key_name.

        Sets self.auth for the request log and returns True when accepted.
        """
        if not presented:
            self.auth = "missing"
            return False
        ok = self.state.key_matches(key_name, presented)
        self.auth = "ok" if ok else "wrong"
        return ok
