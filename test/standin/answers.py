"""Deterministic "model" behaviour: the same input always gives the same output.

Nothing here knows about HTTP or any provider's wire format; provider modules
call these functions and wrap the results in their own response shapes.

Chat rules (chat_reply), tried in order on (system prompt, user text):
  1. system prompt mentions "sentiment"      -> POSITIVE / NEGATIVE / NEUTRAL
     (word lists below; more positive than negative words -> POSITIVE, fewer ->
     NEGATIVE, equal (including none) -> NEUTRAL)
  2. system prompt starts with "translate" and mentions "chinese"
                                             -> "译文: <user text>"
  3. anything else                           -> "echo: <user text>"

Tokens are counted as whitespace-separated words.

Embeddings (embedding): counter-mode SHA-256 of the UTF-8 text gives a
stream of 32-bit numbers mapped to [-1, 1); the first `dims` of them are
L2-normalised and rounded to 6 decimals.  Because the stream does not depend
on dims, a shorter vector is the renormalised prefix of a longer one (like
OpenAI's "dimensions" truncation).  embedding_json gives a vector already
serialised (and cached), for answers that carry it unchanged.
"""

import base64
import functools
import hashlib
import json
import math
import re
import struct

from common import RawJSON

POSITIVE_WORDS = frozenset("""
    happy happier happiest happiness great greatest good better best love loved
    loves lovely loving excellent wonderful birthday amazing awesome fantastic
    nice glad joy joyful delighted delightful beautiful brilliant superb perfect
    pleased win winning won success successful congratulations thanks thank
""".split())

NEGATIVE_WORDS = frozenset("""
    bad worse worst terrible terribly sad sadly sadness hate hated hates awful
    crash crashed crashes crashing horrible poor angry disappointing
    disappointed failure fail failed fails loss lost broken ugly pain painful
    disaster tragic wrong problem problems
""".split())

_WORD_RE = re.compile(r"[a-z']+")


def count_tokens(text):
    """The stand-in's token count: number of whitespace-separated words."""
    return len(text.split()) if text else 0


def sentiment(text):
    words = _WORD_RE.findall(text.lower())
    pos = sum(1 for w in words if w in POSITIVE_WORDS)
    neg = sum(1 for w in words if w in NEGATIVE_WORDS)
    if pos > neg:
        return "POSITIVE"
    if neg > pos:
        return "NEGATIVE"
    return "NEUTRAL"


def chat_reply(system, user):
    """The assistant's answer for a system prompt (may be empty) and user text."""
    sys_l = (system or "").strip().lower()
    user = user or ""
    if "sentiment" in sys_l:
        return sentiment(user)
    if sys_l.startswith("translate") and "chinese" in sys_l:
        return "译文: " + user
    return "echo: " + user


def truncate_words(text, limit):
    """(text cut to `limit` words, True if it was cut)."""
    words = text.split()
    if limit is None or len(words) <= limit:
        return text, False
    return " ".join(words[:limit]), True


def stable_id(*parts):
    """A short hex id derived from the parts (for response ids)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:24]


@functools.lru_cache(maxsize=8192)
def _embedding_cached(text, dims):
    return tuple(_embedding(text, dims))


def embedding(text, dims):
    """Deterministic unit vector of length dims for text (list of floats).

    Cached, because benchmarks send the same rows again and again.
    """
    return list(_embedding_cached(text, dims))


@functools.lru_cache(maxsize=4096)
def embedding_json(text, dims):
    """embedding(text, dims) serialised as dump_json would write it, as a
    RawJSON to put in an answer.  Cached: a benchmark of thousands of
    1536-dimension rows must not be bound by serialising floats."""
    return RawJSON(json.dumps(list(_embedding_cached(text, dims)),
                              separators=(",", ":")))


def _embedding(text, dims):
    seed = hashlib.sha256(text.encode("utf-8")).digest()
    blocks = (dims + 7) // 8                 # 8 uint32 per SHA-256 block
    stream = b"".join(hashlib.sha256(seed + struct.pack(">I", i)).digest()
                      for i in range(blocks))
    ints = struct.unpack(">%dI" % (blocks * 8), stream)[:dims]
    raw = [u / 2147483648.0 - 1.0 for u in ints]   # [0, 2^32) -> [-1, 1)
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [round(x / norm, 6) for x in raw]


def embedding_base64(vector):
    """OpenAI's encoding_format=base64: little-endian float32, base64-encoded."""
    return base64.b64encode(struct.pack("<%df" % len(vector), *vector)).decode("ascii")
