#!/usr/bin/env python3
"""Smoke tests for the provider stand-in: python3 test/standin/test_standin.py

Starts standin.py as a subprocess on a free port and talks to it over real
HTTP (http.client / urllib only), the way the extension and shell scripts will.
"""

import base64
import http.client
import json
import math
import os
import signal
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


def setUpModule():
    global TMP, PROC, PORT, C
    TMP = tempfile.TemporaryDirectory()
    PROC, PORT, _ = start_server(TMP.name)
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
