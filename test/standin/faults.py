"""Fault injection driven by magic markers inside the request text.

A SQL test row can make the stand-in misbehave by carrying a marker in the
text that ends up in the user message (chat) or in an embedding input:

    [[sleep:MS]]          wait MS milliseconds, then carry on
    [[status:CODE]]       answer with HTTP CODE and the provider's error body
    [[quota]]             429 whose body says "insufficient_quota" (not retryable)
    [[fail-times:N:CODE]] fail with CODE the first N times this exact text is
                          seen, then succeed (CODE may be "drop")
    [[retry-after:S]]     Retry-After value for the failure above (any string;
                          an integer also sets Azure's retry-after-ms)
    [[drop]]              close the connection without answering
    [[redirect:URL]]      answer 302 with Location: URL ([[redirect:307:URL]]
                          for another 3xx status); clients must not follow it
    [[bad-json]]          200 with a body that is not valid JSON
    [[empty]]             200 with an empty result list (choices / data = [])
    [[null-content]]      200 whose answer value is null
    [[big:BYTES]]         200 whose body is padded to exactly BYTES bytes
    [[trickle:MS]]        send the answer's body one byte every MS
                          milliseconds (the headers at once): a slow server
                          holding the client's connection

Markers are removed from the text before the answer is computed, so
"hello [[sleep:50]]" is answered (and embedded) exactly like "hello".
Unknown [[...]] sequences are left alone.

A "storm" (POST /_control/config {"storm": {"count": N, "retry_after": S}})
makes the next N requests that reach apply_early answer 429 with
Retry-After S, before any marker is looked at.

Sleeps (the [[sleep:MS]] marker) go through sleep(), which the server points
at a per-thread function that watches the client's socket: when the client
closes the connection mid-sleep, it raises ClientGone and the request is
abandoned without an answer.

This module only decides *what* to do; the provider module decides how each
failure looks on its wire (error body shape, rate-limit headers).
"""

import re
import threading
import time

from common import Response

MARKER_RE = re.compile(
    r"\[\[(sleep|status|quota|fail-times|retry-after|bad-json|empty|"
    r"null-content|drop|big|echo-auth|echo-input|redirect|trickle)(?::([^\[\]]*))?\]\]")
# A marker plus the blanks in front of it, for stripping.
_STRIP_RE = re.compile(r"\s*" + MARKER_RE.pattern)


class ClientGone(Exception):
    """The client closed the connection while its request was being served."""


_thread = threading.local()


def set_sleeper(sleeper):
    """Use sleeper(seconds) for this thread's sleeps (None: time.sleep)."""
    _thread.sleeper = sleeper


def sleep(seconds):
    """Sleep seconds, through this thread's sleeper (may raise ClientGone)."""
    sleeper = getattr(_thread, "sleeper", None)
    (sleeper or time.sleep)(seconds)


def strip_markers(text):
    """Remove recognised markers; text without markers is returned unchanged."""
    if "[[" not in text or not MARKER_RE.search(text):
        return text
    return _STRIP_RE.sub("", text).strip()


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _code(value):
    """A failure code: an HTTP status (int) or the word 'drop'."""
    value = (value or "").strip().lower()
    if value == "drop":
        return "drop"
    code = _int(value)
    return code if code is not None and 100 <= code <= 599 else None


class FaultPlan:
    """Everything the markers of one request (or one input) ask for."""

    def __init__(self):
        self.sleep_ms = 0
        self.drop = False
        self.quota = False
        self.status = None          # int
        self.retry_after = None     # str, as written in the marker
        self.fail_times = []        # [(text, n, code)]
        self.bad_json = False
        self.empty = False
        self.null_content = False
        self.big = None             # int bytes
        self.echo_auth = False      # answer 400 quoting the credential sent
        self.echo_input = None      # answer 400 quoting this input text
        self.redirect = None        # (status, location) of a 3xx answer
        self.markers = []           # ["name:value", ...] for the log

    def __bool__(self):
        return bool(self.markers)

    def merge(self, other):
        """Fold another plan (from another text of the same request) into this one."""
        self.sleep_ms = max(self.sleep_ms, other.sleep_ms)
        self.drop = self.drop or other.drop
        self.quota = self.quota or other.quota
        if self.status is None:
            self.status = other.status
        if self.retry_after is None:
            self.retry_after = other.retry_after
        self.fail_times.extend(other.fail_times)
        self.bad_json = self.bad_json or other.bad_json
        self.empty = self.empty or other.empty
        self.null_content = self.null_content or other.null_content
        self.echo_auth = self.echo_auth or other.echo_auth
        if self.echo_input is None:
            self.echo_input = other.echo_input
        if self.redirect is None:
            self.redirect = other.redirect
        if other.big is not None:
            self.big = max(self.big or 0, other.big)
        self.markers.extend(other.markers)
        return self


def parse(text):
    """The FaultPlan for one text (an empty plan if it has no markers)."""
    plan = FaultPlan()
    if not isinstance(text, str) or "[[" not in text:
        return plan
    for m in MARKER_RE.finditer(text):
        name, value = m.group(1), m.group(2)
        plan.markers.append(name if value is None else name + ":" + value)
        if name == "sleep":
            plan.sleep_ms = max(plan.sleep_ms, _int(value, 0))
        elif name == "status":
            code = _code(value)
            if isinstance(code, int) and plan.status is None:
                plan.status = code
        elif name == "quota":
            plan.quota = True
        elif name == "fail-times":
            n, _, code = (value or "").partition(":")
            n, code = _int(n, 0), _code(code)
            if n > 0 and code is not None:
                plan.fail_times.append((text, n, code))
        elif name == "retry-after":
            if value is not None and value.strip():
                plan.retry_after = value.strip()
        elif name == "drop":
            plan.drop = True
        elif name == "bad-json":
            plan.bad_json = True
        elif name == "empty":
            plan.empty = True
        elif name == "null-content":
            plan.null_content = True
        elif name == "big":
            plan.big = _int(value)
        elif name == "echo-auth":
            plan.echo_auth = True
        elif name == "echo-input":
            plan.echo_input = text
        elif name == "redirect" and plan.redirect is None:
            plan.redirect = _redirect(value)
    return plan


_REDIRECT_RE = re.compile(r"(3\d\d):(.*)$", re.S)


def _redirect(value):
    """(status, location) of a redirect marker's value: "URL" or "CODE:URL"."""
    value = (value or "").strip()
    m = _REDIRECT_RE.match(value)
    if m:
        return int(m.group(1)), m.group(2).strip()
    return 302, value


_TRICKLE_RE = re.compile(rb"\[\[trickle:(\d+)\]\]")


def trickle_ms(raw_body):
    """The delay between body bytes a [[trickle:MS]] marker anywhere in the
    raw request body asks for, or 0.  Read from the raw body so that every
    provider's answers can trickle."""
    m = _TRICKLE_RE.search(raw_body or b"")
    return min(int(m.group(1)), 60000) if m else 0


def parse_all(texts):
    """One merged FaultPlan for all texts of a request."""
    plan = FaultPlan()
    for text in texts:
        plan.merge(parse(text))
    return plan


class FailCounters:
    """How often each fail-times text has been seen (reset by /_control/reset),
    and the storm: how many of the next requests answer 429 (configuration,
    kept by /_control/reset)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = {}
        self._storm = None          # [remaining, total, retry_after] or None

    def set_storm(self, count, retry_after):
        """Make the next count requests answer 429 (count 0 or None: clear)."""
        with self._lock:
            self._storm = [count, count, retry_after] if count else None

    def storm(self):
        """{"count": remaining, "retry_after": S}, or None."""
        with self._lock:
            if self._storm is None:
                return None
            return {"count": self._storm[0], "retry_after": self._storm[2]}

    def take_storm(self):
        """(n, total, retry_after) if this request is the storm's n-th, else None."""
        with self._lock:
            if self._storm is None:
                return None
            remaining, total, retry_after = self._storm
            self._storm[0] -= 1
            if self._storm[0] <= 0:
                self._storm = None
            return total - remaining + 1, total, retry_after

    def bump(self, text):
        with self._lock:
            n = self._seen.get(text, 0) + 1
            self._seen[text] = n
            return n

    def reset(self):
        with self._lock:
            self._seen.clear()


def apply_early(plan, counters, make_error):
    """Sleep and decide whether the request fails before any answer is built.

    make_error(status, kind, retry_after) must return the provider's error
    Response; kind is "status" or "quota".  Returns a Response to send (an
    error, or a drop instruction), or None when the request should be answered.
    Every fail-times counter is bumped, even when another marker decides,
    except during a storm, which answers 429 at once, before any marker
    (sleep included) is applied.
    """
    storm = counters.take_storm()
    if storm is not None:
        n, total, retry_after = storm
        return _mark(make_error(429, "status", retry_after),
                     "storm:%d/%d" % (n, total))
    if plan.sleep_ms > 0:
        sleep(plan.sleep_ms / 1000.0)

    failing = None
    for text, n, code in plan.fail_times:
        seen = counters.bump(text)
        if seen <= n and failing is None:
            failing = (code, "fail-times:%d/%d:%s" % (seen, n, code))

    if plan.drop:
        return _mark(None, "drop")
    if plan.redirect is not None:
        status, location = plan.redirect
        return _mark(Response(status, b"redirected\n", [("Location", location)],
                              content_type="text/plain"),
                     "redirect:%d" % status)
    if plan.quota:
        return _mark(make_error(429, "quota", plan.retry_after), "quota")
    if plan.status is not None:
        return _mark(make_error(plan.status, "status", plan.retry_after),
                     "status:%d" % plan.status)
    if failing is not None:
        code, note = failing
        if code == "drop":
            return _mark(None, note)
        return _mark(make_error(code, "status", plan.retry_after), note)
    return None


def echo_auth_response(call, make_error_body, sent=None):
    """A 400 whose message quotes the credential the client sent, as a badly
    behaved gateway might: proves the client masks secrets in errors.

    sent -- the credential to quote (default: the Authorization or api-key
            header); providers with other auth headers pass their own.
    """
    if sent is None:
        sent = call.headers.get("authorization") or call.headers.get("api-key") or ""
    return _mark(make_error_body(400, "request rejected for credential %s" % sent),
                 "echo-auth")


def echo_input_response(plan, make_error_body):
    """A 400 whose message quotes the input text, as validation errors of
    real APIs do: proves the client keeps row data out of its errors."""
    return _mark(make_error_body(400, "invalid input %r" % plan.echo_input),
                 "echo-input")


def _mark(response, note):
    if response is None:
        return Response.dropped(note)
    response.fault = note
    return response


# A body that starts like a real answer and then stops: clients must report a
# JSON parse error, not crash or hang.
BAD_JSON_BODY = b'{"id":"chatcmpl-standin-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"trunc'


def bad_json_response():
    return Response(200, BAD_JSON_BODY, fault="bad-json")


def pad_to(build, size):
    """Serialise build(pad) so the body is exactly `size` bytes when possible.

    build(pad) must return the answer bytes with `pad` (a run of ASCII "x")
    placed in some string field; each extra "x" adds exactly one byte.
    """
    base = build("")
    extra = size - len(base)
    return base if extra <= 0 else build("x" * extra)
