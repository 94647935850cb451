#!/usr/bin/python3
"""Smoke tests for the provider stand-in: /usr/bin/python3 test/standin/test_standin.py

Starts standin.py as a subprocess on a free port and talks to it over real
HTTP (http.client), the way the extension and shell scripts will.  AWS
requests are signed with botocore and Vertex JWTs with python3-cryptography,
so this needs Debian's python3-botocore and python3-cryptography.
"""

import base64
import gc
import http.client
import json
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "standin.py")
OPENAI_KEY = "sk-test-openai-key"
AZURE_KEY = "azure-test-key"
SENTIMENT = "Classify the sentiment of the text as POSITIVE, NEGATIVE or NEUTRAL."


def start_server(tmpdir, *extra):
    """Start the stand-in; returns (process, port, port_file)."""
    port_file = os.path.join(tmpdir, "port")
    proc = subprocess.Popen([sys.executable, STANDIN, "--port", "0",
                             "--port-file", port_file,
                             "--log", os.path.join(tmpdir, "log")] + list(extra))
    deadline = time.time() + 10
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("stand-in did not start")
        time.sleep(0.02)
    with open(port_file) as f:
        return proc, int(f.read()), port_file


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=10)


class Client:
    """Tiny HTTP helper; each call uses a fresh connection unless given one."""

    def __init__(self, port):
        self.port = port

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, headers=None, conn=None):
        own = conn is None
        conn = conn or self.conn()
        try:
            data = body if isinstance(body, (bytes, type(None))) else \
                json.dumps(body).encode("utf-8")
            hdrs = {"Content-Type": "application/json"}
            hdrs.update(headers or {})
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, resp, raw
        finally:
            if own:
                conn.close()

    def json(self, method, path, body=None, headers=None, conn=None):
        status, resp, raw = self.request(method, path, body, headers, conn)
        return status, resp, json.loads(raw.decode("utf-8"))

    def openai(self, path, body, key=OPENAI_KEY, conn=None):
        headers = {"Authorization": "Bearer " + key} if key else {}
        return self.json("POST", path, body, headers, conn)

    def chat(self, user, system=None, **extra):
        messages = ([{"role": "system", "content": system}] if system else []) + \
            [{"role": "user", "content": user}]
        body = {"model": "gpt-4o-mini", "messages": messages}
        body.update(extra)
        return self.openai("/v1/chat/completions", body)

    def embed(self, inputs, **extra):
        body = {"model": "text-embedding-3-small", "input": inputs}
        body.update(extra)
        return self.openai("/v1/embeddings", body)

    def azure(self, deployment, op, body, key=AZURE_KEY, version="2024-10-21"):
        path = "/openai/deployments/%s/%s" % (deployment, op)
        if version:
            path += "?api-version=" + version
        return self.json("POST", path, body, {"api-key": key} if key else {})

    def stats(self):
        return self.json("GET", "/_control/stats")[2]

    def recorded(self, n=0):
        return self.json("GET", "/_control/requests?n=%d" % n)[2]


def make_service_account(tmpdir, name="sa", *extra):
    """Run make_service_account.py; returns (key-file dict, public key path)."""
    key_file = os.path.join(tmpdir, name + ".json")
    pub_file = os.path.join(tmpdir, name + ".pem")
    subprocess.run([sys.executable, os.path.join(HERE, "make_service_account.py"),
                    "--out", key_file, "--public-key", pub_file,
                    "--token-uri", "https://oauth2.googleapis.com/token"] + list(extra),
                   check=True)
    with open(key_file) as f:
        return json.load(f), pub_file


def setUpModule():
    global TMP, PROC, PORT, C, SA
    TMP = tempfile.TemporaryDirectory()
    SA, pub_file = make_service_account(TMP.name)
    PROC, PORT, _ = start_server(TMP.name, "--gcp-public-key", pub_file,
                                 "--gcp-client-email", SA["client_email"])
    C = Client(PORT)


def tearDownModule():
    stop_server(PROC)
    TMP.cleanup()


class StandinTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    # -- auth ---------------------------------------------------------------

    def test_openai_auth_rejected(self):
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
        for key in (None, "sk-wrong"):
            status, resp, obj = C.openai("/v1/chat/completions", body, key=key)
            self.assertEqual(status, 401)
            self.assertEqual(obj, {"error": {"message": "Incorrect API key provided",
                                             "type": "invalid_request_error",
                                             "param": None, "code": "invalid_api_key"}})
        status, _, _ = C.openai("/v1/embeddings", {"model": "m", "input": "x"}, key="bad")
        self.assertEqual(status, 401)
        self.assertEqual([r["auth"] for r in C.recorded()], ["missing", "wrong", "wrong"])

    def test_azure_auth_rejected(self):
        status, _, obj = C.azure("dep", "chat/completions",
                                 {"messages": [{"role": "user", "content": "hi"}]},
                                 key="wrong")
        self.assertEqual(status, 401)
        self.assertEqual(obj["error"]["code"], "401")
        self.assertIn("Access denied", obj["error"]["message"])
        # The OpenAI key (as Bearer) is not accepted by Azure deployment routes.
        status, _, _ = C.json("POST", "/openai/deployments/dep/embeddings?api-version=2024-10-21",
                              {"input": "x"}, {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual(status, 401)

    # -- chat ---------------------------------------------------------------

    def test_sentiment(self):
        cases = [("The mitochondria are the powerhouse of the cell", "NEUTRAL"),
                 ("Happy Birthday! You are great!", "POSITIVE"),
                 ("Today was bad day in the stock market.", "NEGATIVE")]
        for text, label in cases:
            status, _, obj = C.chat(text, system=SENTIMENT, temperature=0, max_tokens=5)
            self.assertEqual(status, 200, obj)
            self.assertEqual(obj["choices"][0]["message"]["content"], label, text)
            self.assertEqual(obj["choices"][0]["finish_reason"], "stop")
            self.assertEqual(obj["object"], "chat.completion")
            self.assertEqual(obj["model"], "gpt-4o-mini")

    def test_chat_echo_translate_usage_and_truncation(self):
        status, _, obj = C.chat("one two three")
        self.assertEqual(obj["choices"][0]["message"],
                         {"role": "assistant", "content": "echo: one two three",
                          "refusal": None})
        self.assertEqual(obj["usage"], {"prompt_tokens": 3, "completion_tokens": 4,
                                        "total_tokens": 7})
        self.assertEqual(obj["created"], 1700000000)
        again = C.chat("one two three")[2]
        self.assertEqual(again["id"], obj["id"])              # deterministic

        obj = C.chat("good morning", system="Translate the text into Chinese.")[2]
        self.assertEqual(obj["choices"][0]["message"]["content"], "译文: good morning")

        obj = C.chat("a b c d e f", max_tokens=3)[2]
        self.assertEqual(obj["choices"][0]["message"]["content"], "echo: a b")
        self.assertEqual(obj["choices"][0]["finish_reason"], "length")

    def test_chat_validation(self):
        bad = [
            {"model": "m"},                                        # no messages
            {"model": "m", "messages": []},                        # empty
            {"messages": [{"role": "user", "content": "x"}]},      # no model
            {"model": "m", "messages": [{"role": "user", "content": "x"}],
             "temperature": "hot"},
            {"model": "m", "messages": [{"role": "bogus", "content": "x"}]},
            {"model": "m", "messages": [{"role": "user", "content": "x"}],
             "top_k": 3},                                          # unknown param
        ]
        for body in bad:
            status, _, obj = C.openai("/v1/chat/completions", body)
            self.assertEqual(status, 400, body)
            self.assertEqual(set(obj["error"]), {"message", "type", "param", "code"})
        status, _, obj = C.chat("x", temperature="hot")
        self.assertEqual(obj["error"]["param"], "temperature")
        self.assertEqual(obj["error"]["code"], "invalid_type")
        status, _, raw = C.request("POST", "/v1/chat/completions", b"{not json",
                                   {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual(status, 400)
        # Numbers, stop and top_p are accepted.
        status, _, _ = C.chat("x", temperature=0.7, top_p=1, stop=["\n"], seed=1)
        self.assertEqual(status, 200)

    def test_route_prefixes(self):
        body = {"model": "llama3", "messages": [{"role": "user", "content": "hi"}]}
        for path in ("/chat/completions", "/v1/chat/completions",
                     "/ollama/v1/chat/completions"):
            self.assertEqual(C.openai(path, body)[0], 200, path)
        status, _, obj = C.openai("/v1/nope", body)
        self.assertEqual(status, 404)
        self.assertEqual(obj["error"]["message"], "Invalid URL (POST /v1/nope)")

    # -- embeddings ---------------------------------------------------------

    def test_embeddings_deterministic(self):
        status, _, a = C.embed(["alpha", "beta"])
        self.assertEqual(status, 200, a)
        self.assertEqual(a["object"], "list")
        self.assertEqual([d["index"] for d in a["data"]], [0, 1])
        va, vb = a["data"][0]["embedding"], a["data"][1]["embedding"]
        self.assertEqual(len(va), 1536)
        self.assertNotEqual(va, vb)
        self.assertAlmostEqual(math.sqrt(sum(x * x for x in va)), 1.0, places=4)
        self.assertEqual(C.embed("alpha")[2]["data"][0]["embedding"], va)
        self.assertEqual(a["usage"], {"prompt_tokens": 2, "total_tokens": 2})

        small = C.embed("alpha", dimensions=256)[2]["data"][0]["embedding"]
        self.assertEqual(len(small), 256)
        b64 = C.embed("alpha", dimensions=8, encoding_format="base64")[2]
        floats = struct.unpack("<8f", base64.b64decode(b64["data"][0]["embedding"]))
        plain = C.embed("alpha", dimensions=8)[2]["data"][0]["embedding"]
        for x, y in zip(floats, plain):
            self.assertAlmostEqual(x, y, places=6)

    def test_embeddings_validation(self):
        for body in ({"model": "m", "input": ""}, {"model": "m", "input": ["a", ""]},
                     {"model": "m"}, {"model": "m", "input": ["x"] * 2049},
                     {"input": "x"}, {"model": "m", "input": "x", "dimensions": "8"}):
            status, _, obj = C.openai("/v1/embeddings", body)
            self.assertEqual(status, 400, str(body)[:80])
            self.assertIn("message", obj["error"])
        self.assertEqual(C.embed(["x"] * 2048, dimensions=2)[0], 200)

    # -- Azure OpenAI -------------------------------------------------------

    def test_azure_routes(self):
        status, _, obj = C.azure("my-gpt", "chat/completions", {"messages": [
            {"role": "system", "content": SENTIMENT},
            {"role": "user", "content": "I love it"}]})
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["model"], "my-gpt")
        self.assertEqual(obj["choices"][0]["message"]["content"], "POSITIVE")
        self.assertIn("prompt_filter_results", obj)

        status, _, obj = C.azure("my-embed", "embeddings", {"input": ["alpha"]})
        self.assertEqual(status, 200)
        self.assertEqual(obj["model"], "my-embed")
        self.assertEqual(obj["data"][0]["embedding"],
                         C.embed("alpha")[2]["data"][0]["embedding"])

        status, _, obj = C.azure("my-gpt", "chat/completions",
                                 {"messages": [{"role": "user", "content": "x"}]},
                                 version=None)
        self.assertEqual(status, 404)
        self.assertEqual(obj, {"error": {"code": "404", "message": "Resource not found"}})

        status, _, obj = C.azure("my-gpt", "chat/completions",
                                 {"messages": [{"role": "user", "content": "x [[status:429]]"}]})
        self.assertEqual(status, 429)
        self.assertEqual(obj["error"]["code"], "429")

    # -- faults -------------------------------------------------------------

    def test_fault_status_429_and_quota(self):
        status, resp, obj = C.chat("slow down [[status:429]]")
        self.assertEqual(status, 429)
        self.assertEqual(resp.getheader("Retry-After"), "1")
        self.assertEqual(resp.getheader("x-ratelimit-remaining-requests"), "0")
        self.assertEqual(obj["error"]["code"], "rate_limit_exceeded")

        status, resp, obj = C.chat("x [[status:503]] [[retry-after:7]]")
        self.assertEqual((status, resp.getheader("Retry-After")), (503, "7"))

        status, resp, obj = C.embed("pay up [[quota]]")
        self.assertEqual(status, 429)
        self.assertEqual(obj["error"]["code"], "insufficient_quota")
        self.assertEqual(obj["error"]["type"], "insufficient_quota")

    def test_fault_fail_times(self):
        text = "flaky row [[fail-times:2:503]]"
        self.assertEqual([C.chat(text)[0] for _ in range(4)], [503, 503, 200, 200])
        obj = C.chat(text)[2]
        self.assertEqual(obj["choices"][0]["message"]["content"], "echo: flaky row")
        C.json("POST", "/_control/reset")
        self.assertEqual(C.chat(text)[0], 503)                 # counter was reset

    def test_fault_answer_shapes(self):
        status, _, raw = C.request("POST", "/v1/chat/completions", {
            "model": "m", "messages": [{"role": "user", "content": "[[bad-json]]"}]},
            {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual(status, 200)
        self.assertRaises(ValueError, json.loads, raw.decode("utf-8"))

        self.assertEqual(C.chat("x [[empty]]")[2]["choices"], [])
        self.assertIsNone(C.chat("x [[null-content]]")[2]["choices"][0]["message"]["content"])

        status, _, raw = C.request("POST", "/v1/chat/completions", {
            "model": "m", "messages": [{"role": "user", "content": "x [[big:100000]]"}]},
            {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual((status, len(raw)), (200, 100000))
        json.loads(raw.decode("utf-8"))

        t0 = time.time()
        self.assertEqual(C.chat("nap [[sleep:300]]")[0], 200)
        self.assertGreaterEqual(time.time() - t0, 0.3)

    def test_fault_trickle(self):
        # the headers come at once, then the body one byte per 5 ms
        conn = C.conn()
        body = json.dumps({"model": "m", "messages": [
            {"role": "user", "content": "slow [[trickle:5]]"}]}).encode("utf-8")
        conn.request("POST", "/v1/chat/completions", body=body, headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + OPENAI_KEY})
        t0 = time.time()
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertLess(time.time() - t0, 0.5)
        first = resp.read(5)
        raw = first + resp.read()
        took = time.time() - t0
        conn.close()
        self.assertEqual(json.loads(raw.decode("utf-8"))["choices"][0]["message"]["content"],
                         "echo: slow")
        self.assertGreaterEqual(took, 0.005 * (len(raw) - 1) * 0.9)

    def test_fault_redirect(self):
        target = "http://127.0.0.1:9/v1/chat/completions"
        status, resp, raw = C.request("POST", "/v1/chat/completions", {
            "model": "m", "messages": [{"role": "user", "content": "go [[redirect:%s]]" % target}]},
            {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual((status, resp.getheader("Location")), (302, target))
        self.assertEqual(resp.getheader("X-Standin-Fault"), "redirect:302")
        status, resp, _ = C.request("POST", "/v1/embeddings", {
            "model": "m", "input": "x [[redirect:307:http://169.254.169.254/latest]]"},
            {"Authorization": "Bearer " + OPENAI_KEY})
        self.assertEqual((status, resp.getheader("Location")),
                         (307, "http://169.254.169.254/latest"))
        self.assertEqual(C.stats()["by_status"], {"302": 1, "307": 1})

    def test_fault_drop(self):
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            C.chat("bye [[drop]]")
        self.assertEqual(C.stats()["by_status"], {"drop": 1})

    # -- keep-alive, concurrency and control API ----------------------------

    def test_keep_alive_one_connection(self):
        conn = C.conn()
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(2):
            self.assertEqual(C.openai("/v1/chat/completions", body, conn=conn)[0], 200)
        self.assertEqual(C.openai("/v1/embeddings", {"model": "m", "input": "hi"},
                                  conn=conn)[0], 200)
        conn.close()
        stats = C.stats()
        self.assertEqual(stats["connections"], 1)
        self.assertEqual(stats["requests"], 3)
        self.assertEqual(stats["by_route"], {"openai.chat": 2, "openai.embeddings": 1})
        self.assertEqual(len({r["connection"] for r in C.recorded()}), 1)

    def test_concurrency(self):
        results = []

        def one(i):
            results.append(C.chat("req %d [[sleep:300]]" % i)[0])
        threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [200] * 16)
        self.assertLess(time.time() - t0, 3.0)
        stats = C.stats()
        self.assertGreaterEqual(stats["max_in_flight"], 8)
        self.assertEqual((stats["in_flight"], stats["connections"]), (0, 16))

    def test_control_requests_recording(self):
        C.json("POST", "/v1/chat/completions?x=1",
               {"model": "m", "messages": [{"role": "user", "content": "rec"}]},
               {"Authorization": "Bearer " + OPENAI_KEY, "X-Api-Key": "s3cret"})
        C.azure("d", "embeddings", {"input": "e"})
        recs = C.recorded(2)
        self.assertEqual([r["route"] for r in recs], ["openai.chat", "azure.embeddings"])
        first = recs[0]
        self.assertEqual((first["method"], first["path"], first["query"]),
                         ("POST", "/v1/chat/completions", {"x": "1"}))
        self.assertEqual(first["headers"]["authorization"], "<redacted>")
        self.assertEqual(first["headers"]["x-api-key"], "<redacted>")
        self.assertEqual(first["headers"]["content-type"], "application/json")
        self.assertEqual(first["body"]["messages"][0]["content"], "rec")
        self.assertEqual(first["status"], 200)
        self.assertEqual(recs[1]["headers"]["api-key"], "<redacted>")
        self.assertEqual(len(C.recorded(1)), 1)
        self.assertNotIn("s3cret", json.dumps(C.recorded()))

    def test_control_config(self):
        status, _, cfg = C.json("POST", "/_control/config",
                                {"keys": {"openai": "sk-rotated"}, "latency_ms": 0})
        self.assertEqual(status, 200)
        try:
            self.assertEqual(C.chat("x")[0], 401)
            self.assertEqual(C.openai("/v1/embeddings", {"model": "m", "input": "x"},
                                      key="sk-rotated")[0], 200)
        finally:
            C.json("POST", "/_control/config", {"keys": {"openai": None}})
        self.assertEqual(C.chat("x")[0], 200)
        self.assertEqual(C.json("POST", "/_control/config", {"latency_ms": -1})[0], 400)
        self.assertEqual(C.json("GET", "/_control/bogus")[0], 404)


def raw_chat(port, text, linger_reset=False):
    """Send one chat request on a raw socket and return the socket unread,
    so that a test can close it mid-request (linger_reset: with a RST)."""
    body = json.dumps({"model": "gpt-4o-mini",
                       "messages": [{"role": "user", "content": text}]}).encode("utf-8")
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if linger_reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                 b"Authorization: Bearer " + OPENAI_KEY.encode() + b"\r\n"
                 b"Content-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return sock


def settled_open_connections(stats):
    """The stand-in's open connection count once sockets that earlier tests
    left to the garbage collector are closed and the count holds still for
    200 ms (a late close would otherwise be counted as a missing open)."""
    gc.collect()
    last, since = None, time.time()
    deadline = since + 5.0
    while time.time() < deadline:
        now = stats()["open_connections"]
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= 0.2:
            return now
        time.sleep(0.02)
    raise AssertionError("open connection count did not settle within 5 s")


def wait_for(predicate, timeout=5.0, step=0.01):
    """Poll predicate() until it returns a true value; returns that value or
    fails after timeout seconds."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        time.sleep(step)


class PoolSupportTest(unittest.TestCase):
    """What the pool's TAP tests rely on: per-request timing, client aborts
    seen on the wire, 429 storms, in-flight and connection counters."""

    def setUp(self):
        C.json("POST", "/_control/reset")

    def tearDown(self):
        C.json("POST", "/_control/config", {"storm": None, "latency_ms": 0})

    def test_timing_fields(self):
        before = time.time()
        self.assertEqual(C.chat("nap [[sleep:200]]")[0], 200)
        self.assertEqual(C.chat("quick")[0], 200)
        after = time.time()
        slow, quick = C.recorded(2)
        for rec in (slow, quick):
            self.assertIs(rec["aborted"], False)
            self.assertIsInstance(rec["t_start"], float)
            self.assertIsInstance(rec["t_end"], float)
            self.assertLessEqual(before, rec["t_start"])
            self.assertLessEqual(rec["t_start"], rec["t_end"])
            self.assertLessEqual(rec["t_end"], after)
            self.assertEqual(rec["status"], 200)      # the old fields stay
            self.assertEqual(rec["route"], "openai.chat")
        self.assertGreaterEqual(slow["t_end"] - slow["t_start"], 0.2)
        self.assertLess(quick["t_end"] - quick["t_start"], 0.2)
        self.assertLessEqual(slow["t_end"], quick["t_start"])
        self.assertEqual(C.stats()["aborted"], 0)

    def _abort(self, text, linger_reset=False):
        """Send text, close the socket mid-sleep; returns (record, closed_at)."""
        sock = raw_chat(PORT, text, linger_reset)
        wait_for(lambda: C.stats()["in_flight"] == 1)
        time.sleep(0.1)
        closed_at = time.time()
        sock.close()
        wait_for(lambda: C.stats()["aborted"] == 1, timeout=2)
        rec = C.recorded(1)[0]
        self.assertEqual((rec["aborted"], rec["status"]), (True, None))
        self.assertGreaterEqual(rec["t_end"], closed_at)
        self.assertLess(rec["t_end"] - closed_at, 0.2)
        stats = C.stats()
        self.assertEqual((stats["in_flight"], stats["by_status"]), (0, {}))
        return rec, closed_at

    def test_client_abort_during_sleep_marker(self):
        t0 = time.time()
        rec, _ = self._abort("abandon me [[sleep:5000]]")
        self.assertLess(time.time() - t0, 2.0)        # not the whole 5 s
        self.assertEqual(rec["body"]["messages"][0]["content"], "abandon me [[sleep:5000]]")
        self.assertLess(rec["t_end"] - rec["t_start"], 1.0)

    def test_client_abort_with_reset(self):
        self._abort("reset me [[sleep:5000]]", linger_reset=True)

    def test_client_abort_during_configured_latency(self):
        C.json("POST", "/_control/config", {"latency_ms": 5000})
        self._abort("slow server")

    def test_no_false_abort_for_a_waiting_or_pipelining_client(self):
        # The client sends a second request before the first is answered:
        # bytes waiting on the socket are not a close.
        sock = raw_chat(PORT, "first [[sleep:300]]")
        body = json.dumps({"model": "m", "messages": [
            {"role": "user", "content": "second"}]}).encode("utf-8")
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer " + OPENAI_KEY.encode() + b"\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
        wait_for(lambda: C.stats()["requests"] == 2, timeout=3)
        sock.close()
        stats = C.stats()
        self.assertEqual((stats["aborted"], stats["by_status"]), (0, {"200": 2}))
        self.assertEqual([r["aborted"] for r in C.recorded()], [False, False])

    def test_storm(self):
        status, _, cfg = C.json("POST", "/_control/config",
                                {"storm": {"count": 3, "retry_after": "2"}})
        self.assertEqual((status, cfg["storm"]), (200, {"count": 3, "retry_after": "2"}))
        # every route counts, each answers in its provider's own shape
        status, resp, obj = C.chat("one")
        self.assertEqual((status, resp.getheader("Retry-After")), (429, "2"))
        self.assertEqual(obj["error"]["code"], "rate_limit_exceeded")
        self.assertEqual(resp.getheader("X-Standin-Fault"), "storm:1/3")
        status, resp, obj = C.azure("d", "embeddings", {"input": "two"})
        self.assertEqual((status, resp.getheader("Retry-After")), (429, "2"))
        self.assertEqual(obj["error"]["code"], "429")
        self.assertEqual(C.json("GET", "/_control/config")[2]["storm"],
                         {"count": 1, "retry_after": "2"})
        # a storm comes before any marker, and bumps no fail-times counter
        status, resp, obj = C.chat("three [[status:503]] [[fail-times:1:500]]")
        self.assertEqual((status, resp.getheader("X-Standin-Fault")), (429, "storm:3/3"))
        self.assertIsNone(C.json("GET", "/_control/config")[2]["storm"])
        # over: normal service
        self.assertEqual(C.chat("four")[0], 200)
        self.assertEqual(C.chat("three [[fail-times:1:500]]")[0], 500)
        recs = C.recorded()
        self.assertEqual([r["status"] for r in recs], [429, 429, 429, 200, 500])
        self.assertEqual([r["fault"] for r in recs][:3],
                         ["storm:1/3", "storm:2/3", "storm:3/3"])
        self.assertEqual(C.stats()["by_status"], {"429": 3, "200": 1, "500": 1})

    def test_storm_shapes_and_control(self):
        C.json("POST", "/_control/config", {"storm": {"count": 2, "retry_after": 3}})
        status, resp, obj = C.json("POST", "/v1/messages", {
            "model": "m", "max_tokens": 9, "messages": [{"role": "user", "content": "x"}]},
            {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"})
        self.assertEqual((status, obj["error"]["type"]), (429, "rate_limit_error"))
        self.assertEqual(resp.getheader("retry-after"), "3")
        status, resp, obj = C.json("POST", "/v1beta/models/m:generateContent", {
            "contents": [{"parts": [{"text": "x"}]}]}, {"x-goog-api-key": GOOGLEAI_KEY})
        self.assertEqual((status, obj["error"]["status"]), (429, "RESOURCE_EXHAUSTED"))
        retry = [d for d in obj["error"]["details"] if d["@type"].endswith("RetryInfo")]
        self.assertEqual(retry[0]["retryDelay"], "3s")
        # the default Retry-After is 1; a reset keeps the storm (configuration)
        C.json("POST", "/_control/config", {"storm": {"count": 5}})
        C.json("POST", "/_control/reset")
        self.assertEqual(C.json("GET", "/_control/config")[2]["storm"],
                         {"count": 5, "retry_after": "1"})
        status, resp, _ = C.chat("x")
        self.assertEqual((status, resp.getheader("Retry-After")), (429, "1"))
        # null clears it, and so does a count of 0
        C.json("POST", "/_control/config", {"storm": None})
        self.assertEqual(C.chat("x")[0], 200)
        C.json("POST", "/_control/config", {"storm": {"count": 5}})
        C.json("POST", "/_control/config", {"storm": {"count": 0}})
        self.assertEqual(C.chat("x")[0], 200)
        for bad in ({"count": -1}, {"count": "3"}, {"count": True}, {"cnt": 1},
                    {"count": 1, "retry_after": ""}, {"count": 1, "retry_after": -1},
                    [3], 3):
            self.assertEqual(C.json("POST", "/_control/config", {"storm": bad})[0], 400,
                             bad)
        self.assertIsNone(C.json("GET", "/_control/config")[2]["storm"])

    def test_in_flight_and_connection_counters(self):
        control = C.conn()                  # one keep-alive control connection

        def stats():
            return C.json("GET", "/_control/stats", conn=control)[2]
        C.json("POST", "/_control/reset", conn=control)
        open_before = settled_open_connections(stats)
        release = threading.Event()
        results = []

        def one(i):
            sock = raw_chat(PORT, "req %d [[sleep:400]]" % i)
            release.wait(10)
            results.append(sock.recv(65536).split(b" ", 2)[1])
            sock.close()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        during = wait_for(lambda: (lambda s: s if s["in_flight"] == 6 else None)(stats()))
        self.assertEqual(during["open_connections"], open_before + 6)
        self.assertEqual((during["connections"], during["connections_accepted"]), (6, 6))
        release.set()
        for t in threads:
            t.join()
        self.assertEqual(results, [b"200"] * 6)
        after = stats()
        self.assertEqual((after["in_flight"], after["max_in_flight"]), (0, 6))
        self.assertEqual((after["requests"], after["connections"]), (6, 6))
        wait_for(lambda: stats()["open_connections"] == open_before)
        # a reset zeroes the maximum (nothing is in flight) and the counts
        C.json("POST", "/_control/reset", conn=control)
        after = stats()
        self.assertEqual((after["max_in_flight"], after["in_flight"], after["requests"],
                          after["connections"], after["connections_accepted"]),
                         (0, 0, 0, 0, 0))
        # a reset while requests are in flight starts the maximum at them
        socks = [raw_chat(PORT, "late %d [[sleep:300]]" % i) for i in range(2)]
        wait_for(lambda: stats()["in_flight"] == 2)
        C.json("POST", "/_control/reset", conn=control)
        self.assertEqual(stats()["max_in_flight"], 2)
        for sock in socks:
            sock.recv(65536)
            sock.close()
        C.json("POST", "/_control/reset", conn=control)
        self.assertEqual(stats()["max_in_flight"], 0)
        control.close()


class LifecycleTest(unittest.TestCase):
    """A second instance: --latency-ms, --keys-file, --pid-file, SIGTERM."""

    def test_options_and_clean_exit(self):
        with tempfile.TemporaryDirectory() as tmp:
            keys = os.path.join(tmp, "keys.json")
            with open(keys, "w") as f:
                json.dump({"openai": ["k1", "k2"]}, f)
            pid_file = os.path.join(tmp, "pid")
            proc, port, port_file = start_server(tmp, "--latency-ms", "200",
                                                 "--keys-file", keys,
                                                 "--pid-file", pid_file)
            try:
                with open(pid_file) as f:
                    self.assertEqual(int(f.read()), proc.pid)
                c = Client(port)
                t0 = time.time()
                self.assertEqual(c.embed("x")[0], 401)             # default key gone
                self.assertGreaterEqual(time.time() - t0, 0.2)
                self.assertEqual(c.openai("/v1/embeddings", {"model": "m", "input": "x"},
                                          key="k2")[0], 200)
                self.assertEqual(c.json("GET", "/_control/config")[2]["keys"]["azure_openai"],
                                 AZURE_KEY)
            finally:
                rc = stop_server(proc)
            self.assertEqual(rc, 0)
            self.assertFalse(os.path.exists(port_file))
            self.assertFalse(os.path.exists(pid_file))
            with open(os.path.join(tmp, "log")) as f:
                self.assertIn("POST /v1/embeddings -> 200", f.read())


class LatencyDistTest(unittest.TestCase):
    """--latency-dist: a lognormal delay that is a function of the body."""

    SPEC = "lognormal:median=40,p99=400,seed=7"

    def test_draws(self):
        import latency
        draw = latency.parse(self.SPEC)
        bodies = [b"row %d" % i for i in range(4000)]
        delays = sorted(draw(b) for b in bodies)
        # the same body, the same delay; another seed, other delays
        self.assertEqual([draw(b) for b in bodies[:50]], [draw(b) for b in bodies[:50]])
        other = latency.parse("lognormal:median=40,p99=400,seed=8")
        self.assertNotEqual([draw(b) for b in bodies[:50]], [other(b) for b in bodies[:50]])
        # the quantiles asked for (a sample of 4000: a few percent off)
        self.assertAlmostEqual(delays[2000] / 40, 1, delta=0.1)
        self.assertAlmostEqual(delays[3960] / 400, 1, delta=0.25)
        self.assertTrue(all(d > 0 for d in delays))
        capped = latency.parse(self.SPEC + ",max=100")
        self.assertEqual(max(capped(b) for b in bodies), 100)
        self.assertIsNone(latency.parse(""))
        for bad in ("normal:median=1,p99=2", "lognormal:median=5", "lognormal:median=9,p99=2",
                    "lognormal:median=1,p99=2,speed=3", "lognormal:median=x,p99=2"):
            self.assertRaises(ValueError, latency.parse, bad)

    def test_server_delays_by_body(self):
        import latency
        draw = latency.parse(self.SPEC)

        def body(text):
            return json.dumps({"model": "gpt-4o-mini",
                               "messages": [{"role": "user", "content": text}]}).encode()

        texts = ["latency %d" % i for i in range(500)]
        slow = max(texts, key=lambda t: draw(body(t)))
        fast = min(texts, key=lambda t: draw(body(t)))
        self.assertGreater(draw(body(slow)), 250)
        with tempfile.TemporaryDirectory() as tmp:
            proc, port, _ = start_server(tmp, "--latency-dist", self.SPEC)
            try:
                c = Client(port)
                for text in (slow, fast, slow):
                    t0 = time.time()
                    self.assertEqual(c.request("POST", "/v1/chat/completions", body(text),
                                               {"Authorization": "Bearer " + OPENAI_KEY})[0], 200)
                    took = (time.time() - t0) * 1000
                    self.assertGreaterEqual(took, draw(body(text)) - 1, text)
                    self.assertLess(took, draw(body(text)) + 150, text)
                self.assertEqual(c.json("GET", "/_control/config")[2]["latency_dist"], self.SPEC)
                self.assertEqual(c.json("POST", "/_control/config",
                                        {"latency_dist": "lognormal:p99=3"})[0], 400)
                self.assertIsNone(c.json("POST", "/_control/config",
                                         {"latency_dist": None})[2]["latency_dist"])
                t0 = time.time()
                c.request("POST", "/v1/chat/completions", body(slow),
                          {"Authorization": "Bearer " + OPENAI_KEY})
                self.assertLess(time.time() - t0, 0.2)
            finally:
                stop_server(proc)
        bad = subprocess.run([sys.executable, STANDIN, "--latency-dist", "uniform:1"],
                             stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(bad.returncode, 2)
        self.assertIn(b"lognormal", bad.stderr)


# ==========================================================================
# Providers added after OpenAI: AWS, Azure ML, Google, Anthropic, model servers
# ==========================================================================

sys.path.insert(0, HERE)
from botocore.auth import SigV4Auth                    # noqa: E402
from botocore.awsrequest import AWSRequest             # noqa: E402
from botocore.credentials import Credentials           # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization   # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding      # noqa: E402

AWS_KEYS = {
    "aws": ("AKIAMLPREDICTTEST01", "mlpredict+test/Secret/Key0123456789abcdefGH", None),
    "aws_session": ("ASIAMLPREDICTTEST02", "mlpredict+session/Secret/Key9876543210zyxwvu",
                    "IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST=="),
}
SIG_MISMATCH = ("The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method. Consult "
                "the service documentation for details.")
HAIKU = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
GOOGLEAI_KEY = "AIzaSyMLPREDICT-test-key-0123456789"
AZUREML_KEY = "azureml-test-key-0123456789"
ANTHROPIC_KEY = "sk-ant-api03-mlpredict-test-key"
CLOUD = "https://www.googleapis.com/auth/cloud-platform"
VERTEX = "/v1/projects/p1/locations/us-central1/"


def sign_aws(path, body, service="bedrock", key="aws", region="us-east-1",
             headers=None, sign_path=None, amz_date=None, port=None):
    """Headers of a request signed by botocore (for path, or sign_path)."""
    access, secret, token = AWS_KEYS[key]
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    req = AWSRequest(method="POST", url="http://127.0.0.1:%d%s" % (
        port or PORT, sign_path or path), data=body, headers=hdrs)
    signer = SigV4Auth(Credentials(access, secret, token), service, region)
    if amz_date is None:
        signer.add_auth(req)
    else:                                  # add_auth with a chosen time
        req.context["timestamp"] = amz_date
        signer._modify_request_before_signing(req)
        canonical = signer.canonical_request(req)
        signature = signer.signature(signer.string_to_sign(req, canonical), req)
        signer._inject_signature_to_request(req, signature)
    return dict(req.headers.items())


def aws_call(path, obj, service="bedrock", raw=False, **kw):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    status, resp, data = C.request("POST", path, body, sign_aws(path, body, service, **kw))
    return status, resp, data if raw else json.loads(data.decode())


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(info, aud, iat=None, lifetime=3600, iss=None, scope=CLOUD, kid=None,
             private_key=None):
    iat = int(time.time()) if iat is None else iat
    header = {"alg": "RS256", "typ": "JWT", "kid": kid or info["private_key_id"]}
    claims = {"iss": iss or info["client_email"], "scope": scope, "aud": aud,
              "iat": iat, "exp": iat + lifetime}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    key = serialization.load_pem_private_key(
        (private_key or info["private_key"]).encode(), password=None)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def grant(assertion, client=None, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer"):
    body = ("grant_type=%s&assertion=%s" % (grant_type.replace(":", "%3A"), assertion)).encode()
    return (client or C).json("POST", "/token", body,
                              {"Content-Type": "application/x-www-form-urlencoded"})


_TOKEN = []


def vertex_token():
    if not _TOKEN:
        status, _, obj = grant(make_jwt(SA, "http://127.0.0.1:%d/token" % PORT))
        assert status == 200, obj
        _TOKEN.append(obj["access_token"])
    return _TOKEN[0]


def vertex(path, obj, token=None, headers=None, raw=False):
    hdrs = {"Authorization": "Bearer " + (token or vertex_token())}
    hdrs.update(headers or {})
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    status, resp, data = C.request("POST", VERTEX + path, body, hdrs)
    return status, resp, data if raw else json.loads(data.decode())


def claude_text(obj):
    """What a client must do: concatenate the text blocks only."""
    return "".join(b["text"] for b in obj["content"] if b["type"] == "text")


def gemini_text(obj):
    return "".join(p["text"] for p in obj["candidates"][0]["content"]["parts"]
                   if not p.get("thought"))


class SigV4Test(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def body(self, text="hello"):
        return json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
                           "messages": [{"role": "user", "content": text}]}).encode()

    def assert_rejected(self, status, resp, data, type_="InvalidSignatureException",
                        message=SIG_MISMATCH):
        self.assertEqual(status, 403, data)
        self.assertEqual(resp.getheader("x-amzn-ErrorType"), type_ + (
            ":http://internal.amazon.com/coral/com.amazon.coral.service/"))
        if message:
            self.assertEqual(json.loads(data), {"message": message})

    def test_botocore_signature_accepted_and_colon_path(self):
        body = self.body()
        status, resp, data = C.request("POST", HAIKU, body, sign_aws(HAIKU, body))
        self.assertEqual(status, 200, data)
        self.assertEqual(claude_text(json.loads(data)), "echo: hello")
        self.assertEqual(resp.getheader("X-Amzn-Bedrock-Input-Token-Count"), "1")
        self.assertEqual(resp.getheader("X-Amzn-Bedrock-Output-Token-Count"), "2")
        self.assertEqual(C.recorded(1)[0]["auth"], "ok")
        # Signed as if ":" were sent raw (canonical "%3A" instead of "%253A").
        raw_colon = HAIKU.replace("%3A", ":")
        status, resp, data = C.request("POST", HAIKU, body,
                                       sign_aws(HAIKU, body, sign_path=raw_colon))
        self.assert_rejected(status, resp, data)
        detail = C.recorded(1)[0]["auth_detail"]
        self.assertIn("/model/anthropic.claude-3-haiku-20240307-v1%253A0/invoke", detail)
        # ... which is right when ":" really is sent raw.
        status, _, data = C.request("POST", raw_colon, body, sign_aws(raw_colon, body))
        self.assertEqual(status, 200, data)
        self.assertEqual(C.stats()["sigv4_rejections"], 1)

    def test_one_character_changes_fail(self):
        body = self.body()
        good = sign_aws(HAIKU, body)

        def flip(text, i):
            i %= len(text)
            c = text[i]
            return text[:i] + ("8" if c == "9" else "a" if c == "b" else
                               chr(ord(c) + 1) if c.isalnum() else "x") + text[i + 1:]
        bad_sig = dict(good, Authorization=flip(good["Authorization"], -1))
        self.assert_rejected(*C.request("POST", HAIKU, body, bad_sig))
        self.assert_rejected(*C.request("POST", HAIKU, self.body("hellp"), good))
        self.assert_rejected(*C.request("POST", HAIKU.replace("v1%3A0", "v1%3A1"), body,
                                        good))
        bad_date = dict(good, **{"X-Amz-Date": flip(good["X-Amz-Date"], -2)})
        self.assert_rejected(*C.request("POST", HAIKU, body, bad_date))
        self.assertEqual(C.request("POST", HAIKU, body, good)[0], 200)

    def test_other_rejections(self):
        body = self.body()
        # Unknown access key.
        hdrs = sign_aws(HAIKU, body)
        hdrs["Authorization"] = hdrs["Authorization"].replace("AKIAMLPREDICTTEST01",
                                                              "AKIAUNKNOWNKEY000001")
        self.assert_rejected(*C.request("POST", HAIKU, body, hdrs),
                             type_="UnrecognizedClientException",
                             message="The security token included in the request is "
                                     "invalid.")
        # Signed for the wrong service, and no signature at all.
        status, resp, data = C.request("POST", HAIKU, body, sign_aws(HAIKU, body,
                                                                     "sagemaker"))
        self.assert_rejected(status, resp, data, message=None)
        self.assertIn("'bedrock'", json.loads(data)["message"])
        status, resp, data = C.request("POST", HAIKU, body)
        self.assert_rejected(status, resp, data, "MissingAuthenticationTokenException",
                             "Missing Authentication Token")
        # 20 minutes old.
        old = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 1200))
        status, resp, data = C.request("POST", HAIKU, body,
                                       sign_aws(HAIKU, body, amz_date=old))
        self.assert_rejected(status, resp, data, message=None)
        self.assertIn("Signature expired", json.loads(data)["message"])
        # Host not signed.
        hdrs = sign_aws(HAIKU, body)
        hdrs["Authorization"] = hdrs["Authorization"].replace("host;", "")
        self.assert_rejected(*C.request("POST", HAIKU, body, hdrs), message=None)
        self.assertEqual(C.stats()["sigv4_rejections"], 5)

    def test_session_token(self):
        body = self.body()
        hdrs = sign_aws(HAIKU, body, key="aws_session")
        self.assertIn("X-Amz-Security-Token", hdrs)
        self.assertEqual(C.request("POST", HAIKU, body, hdrs)[0], 200)
        self.assertEqual(C.recorded(1)[0]["headers"]["x-amz-security-token"], "<redacted>")
        without = {k: v for k, v in hdrs.items() if k != "X-Amz-Security-Token"}
        self.assert_rejected(*C.request("POST", HAIKU, body, without),
                             type_="UnrecognizedClientException", message=None)
        wrong = dict(hdrs, **{"X-Amz-Security-Token": "IQoJwrong"})
        self.assert_rejected(*C.request("POST", HAIKU, body, wrong),
                             type_="UnrecognizedClientException", message=None)

    def test_reference_vector(self):
        """providers.md 3.6's derived Bedrock vector, checked without a server."""
        import datetime
        from providers import aws
        h = http.client.HTTPMessage()
        h["Content-Type"] = "application/json"
        h["Host"] = "bedrock-runtime.us-east-1.amazonaws.com"
        h["X-Amz-Date"] = "20150830T123600Z"
        h["Authorization"] = (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/"
            "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
            "c4b3268006d6dd871ac3ae1af19da000674bcc3a58ae9e8205ca7f63b55fcd84")
        body = b'{"inputText":"hello world","dimensions":256,"normalize":true}'
        keys = {"example": {"access_key_id": "AKIDEXAMPLE",
                            "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}
        now = datetime.datetime(2015, 8, 30, 12, 40, tzinfo=datetime.timezone.utc)
        _, region = aws.check_signature("POST", "/model/amazon.titan-embed-text-v2%3A0/invoke",
                                        "", h, body, "bedrock", keys, now)
        self.assertEqual(region, "us-east-1")
        with self.assertRaises(aws.SigError):
            aws.check_signature("POST", "/model/amazon.titan-embed-text-v2:0/invoke", "",
                                h, body, "bedrock", keys, now)


class BedrockTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def invoke(self, model, obj, **kw):
        return aws_call("/model/%s/invoke" % model, obj, **kw)

    def test_families(self):
        status, resp, obj = self.invoke("amazon.titan-embed-text-v2%3A0",
                                        {"inputText": "alpha", "dimensions": 256})
        self.assertEqual(status, 200, obj)
        self.assertEqual(len(obj["embedding"]), 256)
        self.assertEqual(obj["embedding"],
                         C.embed("alpha", dimensions=256)[2]["data"][0]["embedding"])
        self.assertEqual(obj["inputTextTokenCount"], 1)
        raw = self.invoke("amazon.titan-embed-text-v2%3A0",
                          {"inputText": "alpha", "normalize": False})[2]["embedding"]
        self.assertAlmostEqual(math.sqrt(sum(x * x for x in raw)), 2.5, places=3)
        self.assertEqual(len(self.invoke("amazon.titan-embed-text-v1",
                                         {"inputText": "a"})[2]["embedding"]), 1536)

        obj = self.invoke("amazon.titan-text-express-v1", {
            "inputText": "one two three", "textGenerationConfig": {
                "maxTokenCount": 2, "temperature": 0, "topP": 0.9, "stopSequences": []}})[2]
        self.assertEqual(obj["results"], [{"tokenCount": 2, "outputText": "echo: one",
                                           "completionReason": "LENGTH"}])
        obj = self.invoke("anthropic.claude-v2%3A1", {
            "prompt": "\n\nHuman: hi there\n\nAssistant:", "max_tokens_to_sample": 50})[2]
        self.assertEqual((obj["completion"], obj["stop_reason"]),
                         ("echo: hi there", "stop_sequence"))
        obj = self.invoke("ai21.j2-ultra-v1", {"prompt": "hi", "maxTokens": 5,
                                               "temperature": 0, "topP": 1,
                                               "stopSequences": []})[2]
        self.assertEqual(obj["completions"][0]["data"]["text"], "echo: hi")
        obj = self.invoke("cohere.command-r-v1%3A0", {
            "message": "I love it", "preamble": SENTIMENT, "temperature": 0, "p": 0.5,
            "k": 0, "max_tokens": 5, "stop_sequences": []})[2]
        self.assertEqual(obj["text"], "POSITIVE")
        obj = self.invoke("cohere.command-text-v14", {"prompt": "hi", "max_tokens": 5})[2]
        self.assertEqual(obj["generations"][0]["text"], "echo: hi")
        obj = self.invoke("cohere.embed-english-v3", {"texts": ["a", "b"],
                                                      "input_type": "search_document"})[2]
        self.assertEqual([len(v) for v in obj["embeddings"]], [1024, 1024])
        self.assertEqual(obj["texts"], ["a", "b"])
        obj = self.invoke("meta.llama3-8b-instruct-v1%3A0", {
            "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi"
                      "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "max_gen_len": 20, "temperature": 0, "top_p": 0.9})[2]
        self.assertEqual((obj["generation"], obj["stop_reason"]), ("echo: hi", "stop"))
        obj = self.invoke("mistral.mistral-7b-instruct-v0%3A2", {
            "prompt": "<s>[INST] hi [/INST]", "max_tokens": 5, "temperature": 0,
            "top_p": 0.9, "top_k": 50, "stop": []})[2]
        self.assertEqual(obj["outputs"], [{"text": "echo: hi", "stop_reason": "stop"}])

    def test_claude_messages_profiles_and_thinking(self):
        body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                "system": SENTIMENT, "temperature": 0, "top_k": 5,
                "messages": [{"role": "user",
                              "content": [{"type": "text", "text": "a great day"}]}]}
        arn = ("arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
               "us.anthropic.claude-3-5-sonnet-20241022-v2%3A0")
        for model in ("us.anthropic.claude-3-5-sonnet-20241022-v2%3A0", arn):
            status, _, obj = self.invoke(model, body)
            self.assertEqual(status, 200, obj)
            self.assertEqual(obj["content"], [{"type": "text", "text": "POSITIVE"}])
            self.assertEqual(obj["model"], "claude-3-5-sonnet-20241022")
        status, _, obj = self.invoke("anthropic.claude-3-haiku-20240307-v1%3A0",
                                     dict(body, system=""))
        self.assertEqual(status, 400, obj)
        self.assertIn("system: text content blocks must be non-empty", obj["message"])
        body = {k: v for k, v in body.items() if k != "system"}
        body["messages"][0]["content"][0]["text"] = "think hard [[thinking]]"
        obj = self.invoke("anthropic.claude-3-haiku-20240307-v1%3A0", body)[2]
        self.assertEqual([b["type"] for b in obj["content"]],
                         ["thinking", "text", "tool_use", "text"])
        self.assertEqual(claude_text(obj), "echo: think hard")

    def test_strict_validation_and_errors(self):
        cases = [
            ("anthropic.claude-3-haiku-20240307-v1%3A0",
             {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "model": "x",
              "messages": [{"role": "user", "content": "x"}]},
             "#: extraneous key [model] is not permitted"),
            ("anthropic.claude-3-haiku-20240307-v1%3A0",
             {"anthropic_version": "bedrock-2023-05-31",
              "messages": [{"role": "user", "content": "x"}]},
             "#: required key [max_tokens] not found"),
            ("amazon.titan-text-express-v1",
             {"inputText": "x", "textGenerationConfig": {"temperature": "hot"}},
             "#/textGenerationConfig/temperature: expected type: Number, found: String"),
            ("amazon.titan-embed-text-v2%3A0", {"inputText": "x", "dimensions": 300},
             "#/dimensions: 300 is not a valid enum value"),
            ("cohere.embed-english-v3", {"texts": ["x"] * 97, "input_type": "clustering"},
             "#/texts: expected maximum item count: 96, found: 97"),
            ("anthropic.claude-v2", {"prompt": "hi", "max_tokens_to_sample": 5},
             'must start with "\\n\\nHuman:"'),
        ]
        for model, body, message in cases:
            status, resp, obj = self.invoke(model, body)
            self.assertEqual(status, 400, (model, obj))
            self.assertTrue(resp.getheader("x-amzn-ErrorType").startswith(
                "ValidationException:"))
            self.assertTrue(obj["message"].startswith("Malformed input request: "), obj)
            self.assertIn(message, obj["message"])
        status, resp, obj = self.invoke("acme.unknown-model", {"inputText": "x"})
        self.assertEqual(status, 404)
        self.assertTrue(resp.getheader("x-amzn-ErrorType").startswith(
            "ResourceNotFoundException"))

    def test_faults(self):
        body = {"inputText": "slow down [[status:429]]"}
        status, resp, obj = self.invoke("amazon.titan-text-lite-v1", body)
        self.assertEqual(status, 429)
        self.assertEqual(obj, {"message": "Too many requests, please wait before trying again."})
        self.assertEqual(resp.getheader("x-amzn-ErrorType").split(":")[0],
                         "ThrottlingException")
        status, resp, obj = self.invoke("amazon.titan-text-lite-v1",
                                        {"inputText": "[[quota]]"})
        self.assertEqual((status, resp.getheader("x-amzn-ErrorType").split(":")[0]),
                         (400, "ServiceQuotaExceededException"))
        text = "flaky [[fail-times:1:503]]"
        self.assertEqual([self.invoke("meta.llama3-8b-instruct-v1%3A0",
                                      {"prompt": text})[0] for _ in range(2)], [503, 200])
        status, _, raw = self.invoke("mistral.mistral-large-2402-v1%3A0",
                                     {"prompt": "x [[bad-json]]"}, raw=True)
        self.assertEqual(status, 200)
        self.assertRaises(ValueError, json.loads, raw)
        status, _, raw = self.invoke("amazon.titan-embed-text-v2%3A0",
                                     {"inputText": "x [[big:20000]]"}, raw=True)
        self.assertEqual((status, len(raw)), (200, 20000))


class SageMakerTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def call(self, endpoint, body, content_type="text/csv", headers=None, raw=False):
        hdrs = {"Content-Type": content_type}
        hdrs.update(headers or {})
        return aws_call("/endpoints/%s/invocations" % endpoint, body, "sagemaker",
                        raw=raw, headers=hdrs)

    def test_predictive_csv_and_headers(self):
        status, resp, raw = self.call("churn-multi", b"100,30\n1,2,\"a,b\"\n", raw=True,
                                      headers={"X-Amzn-SageMaker-Target-Variant": "v2",
                                               "X-Amzn-SageMaker-Custom-Attributes": "c=1"})
        self.assertEqual(status, 200, raw)
        self.assertEqual(raw, b"1,65.0,1\n0,3.0,0\n")
        self.assertTrue(resp.getheader("Content-Type").startswith("text/csv"))
        self.assertEqual(resp.getheader("X-Amzn-Invoked-Production-Variant"), "v2")
        self.assertEqual(resp.getheader("X-Amzn-SageMaker-Custom-Attributes"), "c=1")
        rec = C.recorded(1)[0]
        self.assertEqual(rec["headers"]["x-amzn-sagemaker-target-variant"], "v2")
        status, resp, obj = self.call("churn", {"instances": [[100, 30]]},
                                      "application/json")
        self.assertEqual(obj, {"predictions": [65.0]})
        self.assertEqual(resp.getheader("X-Amzn-Invoked-Production-Variant"), "AllTraffic")

    def test_llm_and_model_errors(self):
        status, _, obj = self.call("llm-falcon", {"inputs": "hi", "parameters": {
            "max_new_tokens": 20}}, "application/json")
        self.assertEqual((status, obj), (200, [{"generated_text": "echo: hi"}]))
        status, resp, obj = self.call("my-broken-model", b"1,2")
        self.assertEqual(status, 424)
        self.assertEqual(resp.getheader("x-amzn-ErrorType"), "ModelError")
        self.assertEqual((obj["ErrorCode"], obj["OriginalStatusCode"], obj["OriginalMessage"]),
                         ("CLIENT_ERROR_FROM_MODEL", 400, "model exploded"))
        self.assertIn('"model exploded"', obj["Message"])
        status, resp, obj = self.call("churn", b"1,[[status:429]]")
        self.assertEqual(status, 429)
        # Bedrock's signing name does not work for SageMaker.
        body = b"1,2"
        path = "/endpoints/churn/invocations"
        status, resp, _ = C.request("POST", path, body, sign_aws(
            path, body, "bedrock", headers={"Content-Type": "text/csv"}))
        self.assertEqual(status, 403)


class AzureMLTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def score(self, body, deployment=None, key=AZUREML_KEY, path="/score", raw=False):
        hdrs = {"Authorization": "Bearer " + key} if key else {}
        if deployment:
            hdrs["azureml-model-deployment"] = deployment
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, resp, out = C.request("POST", path, data, hdrs)
        return status, resp, out if raw else json.loads(out.decode())

    def test_split_chat_and_errors(self):
        split = {"input_data": {"columns": ["a", "b"], "index": [0, 1],
                                "data": [[100, 30], ["abc", None]]}}
        status, resp, obj = self.score(split, "blue-label")
        self.assertEqual((status, obj), (200, [1, 0]))
        self.assertEqual(resp.getheader("azureml-model-deployment"), "blue-label")
        self.assertEqual(self.score(split)[2], [65.0, 1.5])
        self.assertEqual(self.score(split, path="/multi/score")[2],
                         [[1, 65.0, 1], [0, 1.5, 0]])
        chat = {"input_data": {"input_string": [{"role": "system", "content": SENTIMENT},
                                                {"role": "user", "content": "bad day"}],
                               "parameters": {"temperature": 0, "max_new_tokens": 5}}}
        self.assertEqual(self.score(chat)[2], {"output": "NEGATIVE"})
        self.assertEqual(self.score(split, key="wrong")[0], 401)
        self.assertEqual(self.score(split, key=None)[0], 401)
        status, _, obj = self.score(split, "green-missing")
        self.assertEqual((status, obj["error"]["code"]), (404, "DeploymentNotFound"))
        status, resp, obj = self.score(split, "broken-one")
        self.assertEqual(status, 424)
        self.assertEqual(resp.getheader("ms-azureml-model-error-statuscode"), "500")
        self.assertTrue(resp.getheader("ms-azureml-model-error-reason"))
        text = {"input_data": {"columns": ["t"], "index": [0],
                               "data": [["x [[fail-times:1:429]]"]]}}
        self.assertEqual([self.score(text)[0] for _ in range(2)], [429, 200])


class GoogleAITest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def post(self, model, verb, body, key=GOOGLEAI_KEY, query=""):
        path = "/v1beta/models/%s:%s%s" % (model, verb, query)
        return C.json("POST", path, body, {"x-goog-api-key": key} if key else {})

    def test_generate(self):
        body = {"contents": [{"parts": [{"text": "I love it"}]}],
                "systemInstruction": {"parts": [{"text": SENTIMENT}]},
                "generationConfig": {"temperature": 0, "topP": 0.9, "topK": 40,
                                     "maxOutputTokens": 5, "stopSequences": []}}
        status, _, obj = self.post("gemini-2.0-flash", "generateContent", body)
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["candidates"][0]["content"],
                         {"parts": [{"text": "POSITIVE"}], "role": "model"})
        self.assertEqual(obj["candidates"][0]["finishReason"], "STOP")
        self.assertEqual(obj["modelVersion"], "gemini-2.0-flash")
        self.assertEqual(obj["usageMetadata"]["candidatesTokenCount"], 1)
        snake = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                 "system_instruction": {"parts": [{"text": "be brief"}]},
                 "generation_config": {"max_output_tokens": 9}}
        self.assertEqual(gemini_text(self.post("m", "generateContent", snake)[2]),
                         "echo: hi")
        # Confluent's old "system_instructions" is not a field.
        bad = {"contents": snake["contents"],
               "system_instructions": [{"parts": [{"text": "x"}]}]}
        status, _, obj = self.post("m", "generateContent", bad)
        self.assertEqual(status, 400)
        self.assertEqual(obj["error"]["message"], 'Invalid JSON payload received. Unknown '
                         'name "system_instructions": Cannot find field.')
        self.assertEqual(obj["error"]["status"], "INVALID_ARGUMENT")
        bad = {"contents": snake["contents"], "generationConfig": {"temperature": "hot"}}
        status, _, obj = self.post("m", "generateContent", bad)
        self.assertEqual(obj["error"]["message"], "Invalid value at "
                         "'generation_config.temperature' (TYPE_FLOAT), \"hot\"")

    def test_markers_and_auth(self):
        body = {"contents": [{"parts": [{"text": "ponder [[thinking]]"}]}]}
        obj = self.post("gemini-2.5-flash", "generateContent", body)[2]
        parts = obj["candidates"][0]["content"]["parts"]
        self.assertEqual(parts[0], {"text": "secret reasoning", "thought": True})
        self.assertEqual(len(parts), 3)
        self.assertEqual(gemini_text(obj), "echo: ponder")
        obj = self.post("m", "generateContent",
                        {"contents": [{"parts": [{"text": "x [[blocked]]"}]}]})[2]
        self.assertNotIn("candidates", obj)
        self.assertEqual(obj["promptFeedback"]["blockReason"], "SAFETY")
        for key in (None, "wrong"):
            status, _, obj = self.post("m", "generateContent", body, key=key)
            self.assertEqual(status, 400)
            self.assertEqual(obj["error"]["details"][0]["reason"], "API_KEY_INVALID")
        status, _, _ = self.post("m", "generateContent", body, key=None,
                                 query="?key=" + GOOGLEAI_KEY)
        self.assertEqual(status, 200)
        self.assertEqual(C.stats()["googleai_key_in_query"], 1)
        self.assertEqual(C.recorded(1)[0]["query"], {"key": "<redacted>"})

    def test_faults(self):
        body = {"contents": [{"parts": [{"text": "x [[status:429]] [[retry-after:7]]"}]}]}
        status, _, obj = self.post("m", "generateContent", body)
        self.assertEqual(status, 429)
        self.assertEqual(obj["error"]["status"], "RESOURCE_EXHAUSTED")
        retry = [d for d in obj["error"]["details"]
                 if d["@type"].endswith("RetryInfo")]
        self.assertEqual(retry[0]["retryDelay"], "7s")
        obj = self.post("m", "generateContent",
                        {"contents": [{"parts": [{"text": "[[quota]]"}]}]})[2]
        quota = [d for d in obj["error"]["details"] if d["@type"].endswith("QuotaFailure")]
        self.assertIn("PerDay", quota[0]["violations"][0]["quotaId"])

    def test_embeddings(self):
        status, _, obj = self.post("gemini-embedding-001", "embedContent", {
            "model": "models/gemini-embedding-001", "content": {"parts": [{"text": "alpha"}]},
            "taskType": "RETRIEVAL_DOCUMENT", "title": "t", "outputDimensionality": 768})
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["embedding"]["values"],
                         C.embed("alpha", dimensions=768)[2]["data"][0]["embedding"])
        one = {"model": "models/text-embedding-004", "content": {"parts": [{"text": "a"}]}}
        status, _, obj = self.post("text-embedding-004", "batchEmbedContents",
                                   {"requests": [one, one]})
        self.assertEqual([len(e["values"]) for e in obj["embeddings"]], [768, 768])
        status, _, obj = self.post("text-embedding-004", "batchEmbedContents",
                                   {"requests": [one] * 101})
        self.assertEqual(status, 400)
        self.assertIn("at most 100 requests", obj["error"]["message"])
        other = dict(one, model="models/other")
        self.assertEqual(self.post("text-embedding-004", "batchEmbedContents",
                                   {"requests": [one, other]})[0], 400)


class VertexTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def test_token_grant(self):
        aud = "http://127.0.0.1:%d/token" % PORT
        status, resp, obj = grant(make_jwt(SA, aud))
        self.assertEqual(status, 200, obj)
        self.assertTrue(obj["access_token"].startswith("ya29.standin-"))
        self.assertEqual((obj["expires_in"], obj["token_type"]), (3599, "Bearer"))
        self.assertEqual(grant(make_jwt(SA, "https://oauth2.googleapis.com/token"))[0], 200)
        other, _ = make_service_account(TMP.name, "other")
        cases = [
            (make_jwt(SA, aud, private_key=other["private_key"]), "Invalid JWT Signature."),
            (make_jwt(other, aud), "Invalid JWT Signature."),      # other kid and key
            (make_jwt(SA, aud, iss="someone@else.iam.gserviceaccount.com"),
             "Invalid grant: account not found"),
            (make_jwt(SA, aud, iat=int(time.time()) - 3600), "Invalid JWT: Token must be "
             "a short-lived token (60 minutes) and in a reasonable timeframe. Check your "
             "iat and exp values in the JWT claim."),
            (make_jwt(SA, aud, lifetime=7200), None),
            (make_jwt(SA, "https://example.com/token"), None),
        ]
        for assertion, description in cases:
            status, _, obj = grant(assertion)
            self.assertEqual((status, obj["error"]), (400, "invalid_grant"), obj)
            if description:
                self.assertEqual(obj["error_description"], description)
        status, _, obj = grant(make_jwt(SA, aud, scope="https://www.googleapis.com/auth/x"))
        self.assertEqual((status, obj["error"]), (400, "invalid_scope"))
        status, _, obj = grant(make_jwt(SA, aud), grant_type="client_credentials")
        self.assertEqual(obj["error"], "unsupported_grant_type")
        stats = C.stats()
        self.assertEqual((stats["token_grants"], stats["token_rejections"]), (2, 8))
        self.assertIn("kid", C.recorded(8)[1]["auth_detail"])

    def test_token_expiry_knob(self):
        C.json("POST", "/_control/config", {"gcp_token_ttl": 1, "gcp_token_expires_in": 1})
        try:
            obj = grant(make_jwt(SA, "http://127.0.0.1:%d/token" % PORT))[2]
        finally:
            C.json("POST", "/_control/config", {"gcp_token_ttl": None,
                                                "gcp_token_expires_in": None})
        self.assertEqual(obj["expires_in"], 1)
        body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
        path = "publishers/google/models/gemini-2.0-flash:generateContent"
        self.assertEqual(vertex(path, body, token=obj["access_token"])[0], 200)
        time.sleep(1.1)
        status, resp, err = vertex(path, body, token=obj["access_token"])
        self.assertEqual(status, 401)
        self.assertEqual(err["error"]["status"], "UNAUTHENTICATED")
        self.assertEqual(err["error"]["details"][0]["reason"], "ACCESS_TOKEN_EXPIRED")
        self.assertEqual(C.recorded(1)[0]["auth"], "expired")
        self.assertEqual(vertex(path, body, token="ya29.made-up")[0], 401)
        self.assertEqual(vertex(path, body)[0], 200)           # a fresh token works

    def test_gemini_and_embeddings(self):
        path = "publishers/google/models/gemini-2.0-flash:generateContent"
        body = {"contents": [{"role": "user", "parts": [{"text": "hi [[thinking]]"}]}],
                "systemInstruction": {"parts": [{"text": "be brief"}]}}
        status, _, obj = vertex(path, body)
        self.assertEqual(status, 200, obj)
        self.assertEqual(gemini_text(obj), "echo: hi")
        status, _, obj = vertex(path, {"contents": [{"parts": [{"text": "hi"}]}]})
        self.assertEqual(status, 400)                   # role is required on Vertex
        status, _, obj = vertex("publishers/google/models/text-embedding-005:predict", {
            "instances": [{"content": "alpha", "task_type": "RETRIEVAL_DOCUMENT"},
                          {"content": "beta two"}],
            "parameters": {"outputDimensionality": 256}})
        self.assertEqual(status, 200, obj)
        emb = obj["predictions"][1]["embeddings"]
        self.assertEqual(len(emb["values"]), 256)
        self.assertEqual(emb["statistics"], {"token_count": 2, "truncated": False})
        status, _, obj = vertex("publishers/google/models/text-embedding-005:predict",
                                {"instances": [{"content": "x"}] * 251})
        self.assertEqual(status, 400)

    def test_claude(self):
        path = "publishers/anthropic/models/claude-3-5-haiku@20241022:rawPredict"
        body = {"anthropic_version": "vertex-2023-10-16", "max_tokens": 30,
                "messages": [{"role": "user", "content": "plan [[thinking]]"}]}
        status, _, obj = vertex(path, body)
        self.assertEqual(status, 200, obj)
        self.assertEqual(claude_text(obj), "echo: plan")
        status, _, obj = vertex(path, dict(body, model="claude"))
        self.assertEqual(status, 400)
        self.assertEqual(obj["error"], {"type": "invalid_request_error",
                                        "message": "model: Extra inputs are not permitted"})
        status, _, obj = vertex(path, dict(body, anthropic_version="bedrock-2023-05-31"))
        self.assertEqual(status, 400)

    def test_endpoints(self):
        status, _, obj = vertex("endpoints/churn-multi:predict", {
            "instances": [{"age": 30, "limit": 100}, [1, 2]], "parameters": {}})
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["predictions"], [{"label": 1, "score": 65.0, "cluster": 1},
                                              {"label": 0, "score": 1.5, "cluster": 0}])
        self.assertEqual((obj["deployedModelId"], obj["modelDisplayName"]),
                         ("1", "churn-multi"))
        self.assertEqual(obj["model"], "projects/p1/locations/us-central1/models/1")
        self.assertEqual(vertex("endpoints/e:predict", {"rows": []})[0], 400)
        status, _, obj = vertex("endpoints/123:rawPredict", {"credit_limit": 100, "age": 30})
        self.assertEqual(obj, {"score": 65.0})
        self.assertEqual(vertex("endpoints/123:predict", {"instances": [1]}, token="x")[0],
                         401)


class AnthropicTest(unittest.TestCase):

    def setUp(self):
        C.json("POST", "/_control/reset")

    def post(self, body, key=ANTHROPIC_KEY, version="2023-06-01", path="/v1/messages"):
        hdrs = {}
        if key:
            hdrs["x-api-key"] = key
        if version:
            hdrs["anthropic-version"] = version
        return C.json("POST", path, body, hdrs)

    def test_messages(self):
        body = {"model": "claude-sonnet-4-20250514", "max_tokens": 20, "system": SENTIMENT,
                "temperature": 0, "messages": [{"role": "user", "content": "sad news"}]}
        status, resp, obj = self.post(body)
        self.assertEqual(status, 200, obj)
        self.assertEqual((obj["type"], obj["role"], obj["model"], obj["stop_reason"]),
                         ("message", "assistant", "claude-sonnet-4-20250514", "end_turn"))
        self.assertEqual(obj["content"], [{"type": "text", "text": "NEGATIVE"}])
        self.assertTrue(obj["id"].startswith("msg_"))
        self.assertEqual(set(obj["usage"]), {"input_tokens", "output_tokens"})
        self.assertTrue(resp.getheader("anthropic-ratelimit-requests-remaining"))
        body = dict(body, system=[{"type": "text", "text": "x"}],
                    messages=[{"role": "user", "content": "why [[thinking]]"}])
        obj = self.post(body)[2]
        self.assertEqual([b["type"] for b in obj["content"]],
                         ["thinking", "text", "tool_use", "text"])
        self.assertEqual(claude_text(obj), "echo: why")
        status, _, obj = self.post({"model": "m", "max_tokens": 9, "prompt": "hi",
                                    "messages": [{"role": "user", "content": "x"}]})
        self.assertEqual(status, 400)
        self.assertEqual(obj, {"type": "error", "request_id": "req_standin_error",
                               "error": {"type": "invalid_request_error",
                                         "message": "prompt: Extra inputs are not permitted"}})
        self.assertEqual(self.post({"model": "m", "messages": []})[0], 400)
        status, _, obj = self.post(body, version=None)
        self.assertEqual((status, obj["error"]["message"]),
                         (400, "anthropic-version: header is required"))
        status, _, obj = self.post(body, key="sk-ant-wrong")
        self.assertEqual((status, obj["error"]["type"]), (401, "authentication_error"))
        status, _, obj = self.post({"model": "claude-2.1", "max_tokens_to_sample": 9,
                                    "prompt": "\n\nHuman: hi\n\nAssistant:"},
                                   path="/v1/complete")
        self.assertEqual((status, obj["completion"]), (200, "echo: hi"))

    def test_faults(self):
        def msg(text):
            return {"model": "m", "max_tokens": 9,
                    "messages": [{"role": "user", "content": text}]}
        status, resp, obj = self.post(msg("x [[status:429]]"))
        self.assertEqual((status, obj["error"]["type"]), (429, "rate_limit_error"))
        self.assertEqual(resp.getheader("retry-after"), "1")
        self.assertEqual(resp.getheader("anthropic-ratelimit-requests-remaining"), "0")
        status, _, obj = self.post(msg("x [[status:529]]"))
        self.assertEqual((status, obj["error"]["type"]), (529, "overloaded_error"))
        status, resp, obj = self.post(msg("x [[quota]]"))
        self.assertEqual(status, 429)
        self.assertIsNone(resp.getheader("retry-after"))
        self.assertEqual(obj["error"]["details"]["error_code"], "enforced_spend_limit_reached")
        status, _, obj = self.post(msg("x [[echo-auth]]"))
        self.assertEqual(status, 400)
        self.assertIn(ANTHROPIC_KEY, obj["error"]["message"])


class PredictiveTest(unittest.TestCase):
    """The shared model, through the auth-free model-server routes."""

    def setUp(self):
        C.json("POST", "/_control/reset")

    def post(self, path, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs = {"Content-Type": content_type}
        hdrs.update(headers or {})
        return C.request("POST", path, data, hdrs)

    def json_of(self, path, body, **kw):
        status, resp, raw = self.post(path, body, **kw)
        self.assertEqual(status, 200, raw)
        return json.loads(raw)

    def test_shapes(self):
        row = {"credit_limit": 100, "age": 30}             # s = 130
        tf = "/v1/models/%s:predict"
        self.assertEqual(self.json_of(tf % "m", {"instances": [[100, 30], [1, True]]}),
                         {"predictions": [65.0, 1.0]})
        self.assertEqual(self.json_of(tf % "multi", {"instances": [row]}),
                         {"predictions": [{"label": 1, "score": 65.0, "cluster": 1}]})
        self.assertEqual(self.json_of(tf % "m", {"instances": [{"b64": "AAEC"}]}),
                         {"predictions": [1.5]})                 # 3 bytes
        self.assertEqual(self.json_of(tf % "cluster", {"inputs": row}), {"outputs": 1})
        self.assertEqual(self.json_of(tf % "x", {"input_data": [100, 30]}),
                         {"outputs": 65.0})
        self.assertEqual(self.json_of(tf % "multi", {"input_data": {"a": 100, "b": [10, 20]}}),
                         {"outputs": {"label": 1, "score": 65.0, "cluster": 1}})
        self.assertEqual(self.json_of("/invocations", {"dataframe_split": {
            "columns": ["a", "b"], "index": [0], "data": [[100, 30]]}}),
            {"predictions": [65.0]})
        self.assertEqual(self.json_of("/serving-endpoints/classifier/invocations",
                                      {"dataframe_records": [row, {"a": 1}]}),
                         {"predictions": [1, 0]})
        self.assertEqual(self.json_of(tf % "m", row), {"score": 65.0})
        self.assertEqual(self.json_of(tf % "m", {"wrapper": row}), {"score": 65.0})
        self.assertEqual(self.json_of(tf % "multi", [100, 30]), [1, 65.0, 1])
        self.assertEqual(self.json_of(tf % "m", [100, [10, 20], {"x": "abc"}, None]),
                         [66.5])
        status, resp, raw = self.post(tf % "multi", b"100,30\n\"a,b\",1\n", "text/csv")
        self.assertEqual(raw, b"1,65.0,1\n0,2.0,1\n")
        status, resp, raw = self.post(tf % "m", "héllo".encode(), "text/plain")
        self.assertEqual((raw.decode(), resp.getheader("Content-Type").split(";")[0]),
                         ("echo: héllo", "text/plain"))
        status, resp, raw = self.post(tf % "m", b"\x00\xffbin", "application/octet-stream")
        self.assertEqual((raw, resp.getheader("Content-Type")),
                         (b"\x00\xffbin", "application/octet-stream"))

    def test_echo_nested_wrapped(self):
        tf = "/v1/models/%s:predict"
        inst = [{"s": "x", "a": [1, 2.5], "o": {"n": None}, "b": {"b64": "AAEC"}}, True]
        self.assertEqual(self.json_of(tf % "echo", {"instances": inst}),
                         {"predictions": inst})
        self.assertEqual(self.json_of(tf % "echo", {"x": [1, {"y": None}]}),
                         {"x": [1, {"y": None}]})
        self.assertEqual(self.json_of(tf % "multi-nested", [100, 30]), [[1, 65.0, 1]])
        self.assertEqual(self.json_of(tf % "multi-nested", {"a": 1}),
                         {"result": {"label": 0, "score": 0.5, "cluster": 1}})
        self.assertEqual(self.json_of(tf % "wrapped", [100, 30]), [[65.0]])
        self.assertEqual(self.json_of(tf % "wrapped", {"instances": [1]}),
                         {"predictions": [[0.5]]})
        self.assertEqual(self.json_of("/invocations", {"dataframe_split": {
            "columns": ["a"], "data": [[1]]}}), {"predictions": [0.5]})

    def test_kserve_v2_json_and_binary(self):
        body = {"id": "7", "inputs": [
            {"name": "x", "datatype": "FP32", "shape": [2], "data": [100, 20]},
            {"name": "t", "datatype": "BYTES", "shape": [1], "data": ["abcdefghij"]}]}
        obj = self.json_of("/v2/models/churn-multi/infer", body)
        self.assertEqual(obj, {"model_name": "churn-multi", "model_version": "1", "id": "7",
                               "outputs": [
            {"name": "label", "datatype": "INT64", "shape": [1], "data": [1]},
            {"name": "score", "datatype": "FP64", "shape": [1], "data": [65.0]},
            {"name": "cluster", "datatype": "INT64", "shape": [1], "data": [1]}]})
        # Binary request (FP64 + BYTES) and binary output.
        fp = struct.pack("<2d", 100.0, 20.0)
        strings = b"".join(struct.pack("<I", len(s)) + s for s in (b"abcde", b"fghij"))
        header = json.dumps({"inputs": [
            {"name": "x", "datatype": "FP64", "shape": [2],
             "parameters": {"binary_data_size": len(fp)}},
            {"name": "t", "datatype": "BYTES", "shape": [2],
             "parameters": {"binary_data_size": len(strings)}}],
            "parameters": {"binary_data_output": True}}).encode()
        status, resp, raw = self.post("/v2/models/scorer/infer", header + fp + strings,
                                      "application/octet-stream",
                                      {"Inference-Header-Content-Length": str(len(header))})
        self.assertEqual(status, 200, raw)
        n = int(resp.getheader("Inference-Header-Content-Length"))
        head = json.loads(raw[:n])
        self.assertEqual(head["outputs"], [{"name": "score", "datatype": "FP64",
                                            "shape": [1],
                                            "parameters": {"binary_data_size": 8}}])
        self.assertEqual(struct.unpack("<d", raw[n:]), (65.0,))
        # Echo of BYTES as binary: length-prefixed again; SageMaker's content type.
        header = json.dumps({"inputs": [
            {"name": "t", "datatype": "BYTES", "shape": [2],
             "parameters": {"binary_data_size": len(strings)}}],
            "parameters": {"binary_data_output": True}}).encode()
        status, resp, raw = aws_call(
            "/endpoints/echo/invocations", header + strings, "sagemaker", raw=True,
            headers={"Content-Type": "application/vnd.sagemaker-triton.binary+json;"
                                     "json-header-size=%d" % len(header)})
        self.assertEqual(status, 200, raw)
        ctype = resp.getheader("Content-Type")
        n = int(ctype.rsplit("=", 1)[1])
        self.assertEqual(raw[n:], strings)
        self.assertEqual(json.loads(raw[:n])["outputs"][0]["parameters"],
                         {"binary_data_size": len(strings)})

    def test_faults_and_errors(self):
        tf = "/v1/models/m:predict"
        status, _, raw = self.post(tf, {"instances": [{"note": "x [[status:503]]"}]})
        self.assertEqual((status, list(json.loads(raw))), (503, ["error"]))
        status, _, raw = self.post(tf, b"1,[[status:429]]", "text/csv")
        self.assertEqual(status, 429)
        obj = self.json_of(tf, {"instances": ["abc [[null-content]]", "abc"]})
        self.assertEqual(obj, {"predictions": [None, None]})
        obj = self.json_of(tf, {"instances": ["abcd [[sleep:10]]"]})
        self.assertEqual(obj, {"predictions": [2.0]})          # marker removed first
        status, _, raw = self.post(tf, {"instances": ["[[big:5000]]"]})
        self.assertEqual(len(raw), 5000)
        status, _, raw = self.post(tf, b"{nope")
        self.assertEqual((status, list(json.loads(raw))), (400, ["error"]))
        status, _, raw = self.post("/invocations", b"{nope")
        self.assertEqual(json.loads(raw)["error_code"], "BAD_REQUEST")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.post(tf, {"instances": ["[[drop]]"]})


class BatchTest(unittest.TestCase):
    """The batched wire forms: several rows in one request, each answered as
    the request of that row alone would be, and counted as one request."""

    def setUp(self):
        C.json("POST", "/_control/reset")

    def test_raw_json_is_spliced_as_serialised(self):
        sys.path.insert(0, HERE)
        import answers
        import common
        vector = answers.embedding("alpha", 8)
        raw = answers.embedding_json("alpha", 8)
        self.assertEqual(common.dump_json({"a": [raw, None, raw], "s": "x\u0000y"}),
                         common.dump_json({"a": [vector, None, vector], "s": "x\u0000y"}))

    def test_openai_and_azure_input_arrays(self):
        texts = ["alpha", "beta two", "gamma"]
        single = [C.embed(t)[2]["data"][0]["embedding"] for t in texts]
        C.json("POST", "/_control/reset")
        status, _, obj = C.embed(texts)
        self.assertEqual(status, 200, obj)
        self.assertEqual([d["index"] for d in obj["data"]], [0, 1, 2])
        self.assertEqual([d["embedding"] for d in obj["data"]], single)
        self.assertEqual(obj["usage"], {"prompt_tokens": 4, "total_tokens": 4})
        status, _, obj = C.azure("embed", "embeddings", {"input": texts})
        self.assertEqual([d["embedding"] for d in obj["data"]], single)
        self.assertEqual(C.azure("embed", "embeddings", {"input": texts}, key="x")[0], 401)
        self.assertEqual(C.openai("/v1/embeddings", {"input": texts}, key="wrong")[0], 401)
        stats = C.stats()
        self.assertEqual((stats["requests"], stats["by_route"]),
                         (4, {"openai.embeddings": 2, "azure.embeddings": 2}))
        # one bad input fails the whole request, as a provider's validation does
        status, _, obj = C.embed(["alpha", "beta [[status:400]]", "gamma"])
        self.assertEqual(status, 400)
        self.assertEqual(C.embed(["x"] * 2049)[0], 400)
        status, _, obj = C.embed(["w " * 150001] * 2)
        self.assertEqual((status, obj["error"]["code"]), (400, "max_tokens_per_request"))

    def test_gemini_batch_embed_contents(self):
        texts = ["alpha", "beta"]
        path = "/v1beta/models/text-embedding-004:%s"
        single = [C.json("POST", path % "embedContent",
                         {"content": {"parts": [{"text": t}]}},
                         {"x-goog-api-key": GOOGLEAI_KEY})[2]["embedding"]["values"]
                  for t in texts]
        body = {"requests": [{"model": "models/text-embedding-004",
                              "content": {"parts": [{"text": t}]}} for t in texts]}
        status, _, obj = C.json("POST", path % "batchEmbedContents", body,
                                {"x-goog-api-key": GOOGLEAI_KEY})
        self.assertEqual(status, 200, obj)
        self.assertEqual([e["values"] for e in obj["embeddings"]], single)
        self.assertEqual(C.json("POST", path % "batchEmbedContents", body,
                                {"x-goog-api-key": "wrong"})[0], 400)
        self.assertEqual(C.recorded(1)[0]["auth"], "wrong")
        bad = {"requests": body["requests"] + [{"model": "models/text-embedding-004",
                                                "content": {"parts": [{"text": "c [[status:400]]"}]}}]}
        self.assertEqual(C.json("POST", path % "batchEmbedContents", bad,
                                {"x-goog-api-key": GOOGLEAI_KEY})[0], 400)

    def test_vertex_instances(self):
        path = "publishers/google/models/text-embedding-005:predict"
        texts = ["alpha", "beta two", "gamma"]
        single = [vertex(path, {"instances": [{"content": t}]})[2]
                  ["predictions"][0]["embeddings"]["values"] for t in texts]
        status, _, obj = vertex(path, {"instances": [{"content": t} for t in texts]})
        self.assertEqual(status, 200, obj)
        self.assertEqual([p["embeddings"]["values"] for p in obj["predictions"]], single)
        self.assertEqual([p["embeddings"]["statistics"]["token_count"]
                          for p in obj["predictions"]], [1, 2, 1])
        self.assertEqual(vertex(path, {"instances": [{"content": "a"}]}, token="x")[0], 401)
        status, _, obj = vertex(path, {"instances": [{"content": "w " * 10001}] * 2})
        self.assertEqual(status, 400)
        self.assertIn("input token count is 20002", obj["error"]["message"])
        status, _, obj = vertex("publishers/google/models/gemini-embedding-001:predict",
                                {"instances": [{"content": "a"}, {"content": "b"}]})
        self.assertEqual(status, 400)

    def test_cohere_texts(self):
        texts = ["alpha", "beta", "gamma"]
        path = "/model/cohere.embed-english-v3/invoke"
        single = [aws_call(path, {"texts": [t], "input_type": "search_document"})[2]
                  ["embeddings"][0] for t in texts]
        status, _, obj = aws_call(path, {"texts": texts, "input_type": "search_document"})
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["embeddings"], single)
        status, _, obj = aws_call(path, {"texts": texts, "input_type": "search_document",
                                         "embedding_types": ["float"]})
        self.assertEqual(obj["embeddings"], {"float": single})
        self.assertEqual(aws_call(path, {"texts": ["a"] * 97,
                                         "input_type": "search_document"})[0], 400)

    def test_predictive_rows(self):
        rows = [[100, 30], [1, 2], ["abc", None]]
        tf = "/v1/models/%s:predict"
        single = [C.json("POST", tf % "churn-multi", {"instances": [r]})[2]["predictions"][0]
                  for r in rows]
        self.assertEqual(C.json("POST", tf % "churn-multi", {"instances": rows})[2],
                         {"predictions": single})
        frame = {"columns": ["a", "b"], "index": [0, 1, 2], "data": rows}
        self.assertEqual(C.json("POST", "/serving-endpoints/churn-multi/invocations",
                                {"dataframe_split": frame})[2],
                         {"predictions": [[1, 65.0, 1], [0, 1.5, 0], [0, 1.5, 0]]})
        status, _, obj = C.json("POST", "/multi/score", {"input_data": frame},
                                {"Authorization": "Bearer " + AZUREML_KEY})
        self.assertEqual((status, obj), (200, [[1, 65.0, 1], [0, 1.5, 0], [0, 1.5, 0]]))
        bad = dict(frame, data=rows + [["x [[status:400]]", 1]], index=[0, 1, 2, 3])
        self.assertEqual(C.json("POST", tf % "m", {"instances": bad["data"]})[0], 400)
        self.assertEqual(C.stats()["requests"], 7)


EXTRACT_STRICT = {
    "type": "object", "additionalProperties": False,
    "required": ["sentiment", "score", "topics"],
    "properties": {"sentiment": {"type": ["string", "null"]},
                   "score": {"type": ["number", "null"]},
                   "topics": {"type": ["array", "null"], "items": {"type": "string"}}}}
EXTRACT_OPENAPI = {
    "type": "OBJECT", "required": ["sentiment", "score", "topics"],
    "propertyOrdering": ["sentiment", "score", "topics"],
    "properties": {"sentiment": {"type": "STRING", "nullable": True},
                   "score": {"type": "NUMBER", "nullable": True},
                   "topics": {"type": "ARRAY", "nullable": True,
                              "items": {"type": "STRING"}}}}
EXTRACT_ANSWER = {"sentiment": "POSITIVE", "score": 2.75,
                  "topics": ["a", "great", "day"]}
TOOL = {"name": "structured_output", "description": "d", "input_schema": EXTRACT_STRICT}


class StructuredTest(unittest.TestCase):
    """Structured outputs: each provider's schema shape is checked, and the
    answer is built from the schema."""

    def setUp(self):
        C.json("POST", "/_control/reset")

    def openai(self, schema, user="a great day", **extra):
        rf = {"type": "json_schema",
              "json_schema": {"name": "output", "strict": True, "schema": schema}}
        return C.chat(user, SENTIMENT, response_format=rf, **extra)

    def test_openai_json_schema(self):
        status, _, obj = self.openai(EXTRACT_STRICT)
        self.assertEqual(status, 200, obj)
        self.assertEqual(json.loads(obj["choices"][0]["message"]["content"]),
                         EXTRACT_ANSWER)
        status, _, obj = self.openai(EXTRACT_STRICT, "a great day [[wrong-type]]")
        self.assertEqual(json.loads(obj["choices"][0]["message"]["content"])["score"],
                         "not a number")
        status, _, obj = self.openai(EXTRACT_STRICT, max_tokens=2)
        self.assertEqual(obj["choices"][0]["finish_reason"], "length")
        self.assertRaises(ValueError, json.loads, obj["choices"][0]["message"]["content"])
        status, _, obj = C.azure("gpt4o", "chat/completions", {
            "messages": [{"role": "user", "content": "one two"}],
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "output", "strict": True, "schema": EXTRACT_STRICT}}})
        self.assertEqual(status, 200, obj)
        self.assertEqual(json.loads(obj["choices"][0]["message"]["content"]),
                         {"sentiment": "echo: one two", "score": 1.75,
                          "topics": ["one", "two"]})

    def test_openai_strict_rules(self):
        loose = dict(EXTRACT_STRICT)
        del loose["additionalProperties"]
        status, _, obj = self.openai(loose)
        self.assertEqual(status, 400, obj)
        self.assertEqual(obj["error"]["message"],
                         "Invalid schema for response_format 'output': In context=(), "
                         "'additionalProperties' is required to be supplied and to be false.")
        self.assertEqual(obj["error"]["param"], "response_format")
        partial = dict(EXTRACT_STRICT, required=["sentiment", "topics"])
        status, _, obj = self.openai(partial)
        self.assertEqual(status, 400, obj)
        self.assertIn("Missing 'score'", obj["error"]["message"])
        status, _, obj = self.openai(EXTRACT_OPENAPI)
        self.assertEqual(status, 400, obj)
        status, _, obj = C.chat("no j-word here", response_format={"type": "json_object"})
        self.assertEqual(status, 400, obj)
        status, _, obj = C.chat("answer in json", response_format={"type": "json_object"})
        self.assertEqual(json.loads(obj["choices"][0]["message"]["content"]),
                         {"answer": "echo: answer in json", "words": 3})

    def gemini(self, config, user="a great day"):
        body = {"contents": [{"role": "user", "parts": [{"text": user}]}],
                "systemInstruction": {"parts": [{"text": SENTIMENT}]},
                "generationConfig": config}
        return C.json("POST", "/v1beta/models/gemini-2.0-flash:generateContent", body,
                      {"x-goog-api-key": GOOGLEAI_KEY})

    def test_gemini_response_schema(self):
        status, _, obj = self.gemini({"responseMimeType": "application/json",
                                      "responseSchema": EXTRACT_OPENAPI})
        self.assertEqual(status, 200, obj)
        self.assertEqual(json.loads(gemini_text(obj)), EXTRACT_ANSWER)
        status, _, obj = self.gemini({"responseMimeType": "application/json",
                                      "responseSchema": EXTRACT_OPENAPI,
                                      "maxOutputTokens": 2})
        self.assertEqual(obj["candidates"][0]["finishReason"], "MAX_TOKENS")
        status, _, obj = self.gemini({"responseMimeType": "application/json",
                                      "responseSchema": EXTRACT_STRICT})
        self.assertEqual(status, 400, obj)
        self.assertIn('Unknown name "additionalProperties"', obj["error"]["message"])
        status, _, obj = self.gemini({"responseSchema": EXTRACT_OPENAPI})
        self.assertEqual(status, 400, obj)
        body = {"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                "systemInstruction": {"parts": [{"text": ""}]}}
        status, _, obj = C.json("POST", "/v1beta/models/gemini-2.0-flash:generateContent",
                                body, {"x-goog-api-key": GOOGLEAI_KEY})
        self.assertEqual(status, 400, obj)
        self.assertIn("empty text parameter", obj["error"]["message"])

    def test_claude_tool_use(self):
        body = {"model": "claude-sonnet-4-20250514", "max_tokens": 100, "system": SENTIMENT,
                "messages": [{"role": "user", "content": "a great day"}],
                "tools": [TOOL],
                "tool_choice": {"type": "tool", "name": "structured_output"}}
        for call in (lambda b: AnthropicTest.post(self, b),
                     lambda b: aws_call("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
                                        dict({k: v for k, v in b.items() if k != "model"},
                                             anthropic_version="bedrock-2023-05-31"))):
            status, _, obj = call(body)
            self.assertEqual(status, 200, obj)
            self.assertEqual(obj["stop_reason"], "tool_use")
            self.assertEqual([(b["type"], b["name"], b["input"]) for b in obj["content"]],
                             [("tool_use", "structured_output", EXTRACT_ANSWER)])
            status, _, obj = call(dict(body, max_tokens=3))
            self.assertEqual(obj["stop_reason"], "max_tokens")
            status, _, obj = call(dict(body, messages=[
                {"role": "user", "content": "a great day [[not-json]]"}]))
            self.assertEqual([b["type"] for b in obj["content"]], ["text"])
            status, _, obj = call(dict(body, tools=[dict(TOOL, input_schema={"type": "array"})]))
            self.assertEqual(status, 400, obj)
            status, _, obj = call(dict(body, tool_choice={"type": "tool", "name": "other"}))
            self.assertEqual(status, 400, obj)
        status, _, obj = AnthropicTest.post(self, dict(body, system=""))
        self.assertEqual(status, 400, obj)
        self.assertEqual(obj["error"]["message"],
                         "system: text content blocks must be non-empty")


class ServiceAccountFlagTest(unittest.TestCase):
    """--gcp-service-account KEY.json configures /token in one flag."""

    def test_flag(self):
        with tempfile.TemporaryDirectory() as tmp:
            info, _ = make_service_account(tmp, "flag", "--client-email",
                                           "robot@mlpredict-test.iam.gserviceaccount.com")
            proc, port, _ = start_server(tmp, "--gcp-service-account",
                                         os.path.join(tmp, "flag.json"))
            try:
                c = Client(port)
                status, _, obj = grant(make_jwt(info, "https://oauth2.googleapis.com/token"),
                                       client=c)
                self.assertEqual(status, 200, obj)
                cfg = c.json("GET", "/_control/config")[2]
                self.assertEqual(cfg["gcp_client_email"],
                                 "robot@mlpredict-test.iam.gserviceaccount.com")
                self.assertEqual(cfg["gcp_key_id"], info["private_key_id"])
            finally:
                self.assertEqual(stop_server(proc), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
