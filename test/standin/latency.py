"""Latency drawn from a distribution, the same for the same request.

--latency-dist (and "latency_dist" in /_control/config) takes a spec:

    lognormal:median=MS,p99=MS[,seed=N][,max=MS]

Each model request waits a delay drawn from a lognormal distribution with
that median and 99th percentile (max, if given, caps it).  The draw is not
random: it is a function of the seed and the request's raw body bytes (a
hash mapped to a quantile), so a request with the same body always waits
the same time, whoever sends it.  A benchmark can thus send the same rows
through mlpredict and through a plain curl-multi client and have both meet
the same latencies, and a retried request waits what its first attempt did.
"""

import hashlib
import math
from statistics import NormalDist

_Z99 = NormalDist().inv_cdf(0.99)


def parse(spec):
    """A function body -> delay in ms for a spec (see above), or None for an
    empty spec; raises ValueError for a bad one."""
    if spec is None or spec == "":
        return None
    kind, _, rest = spec.partition(":")
    if kind != "lognormal":
        raise ValueError("latency distribution must be lognormal:median=MS,p99=MS"
                         "[,seed=N][,max=MS], got %r" % spec)
    params = {}
    for item in filter(None, rest.split(",")):
        name, eq, value = item.partition("=")
        if not eq or name.strip() not in ("median", "p99", "seed", "max"):
            raise ValueError("unknown latency parameter %r in %r" % (item, spec))
        try:
            params[name.strip()] = float(value)
        except ValueError:
            raise ValueError("latency parameter %s needs a number, got %r" % (name, value))
    median, p99 = params.get("median"), params.get("p99")
    if median is None or p99 is None or not 0 < median <= p99:
        raise ValueError("lognormal latency needs 0 < median <= p99, got %r" % spec)
    sigma = math.log(p99 / median) / _Z99
    seed = ("%d:" % int(params.get("seed", 0))).encode()
    cap = params.get("max")
    return lambda body: _draw(seed, body, median, sigma, cap)


def _draw(seed, body, median, sigma, cap):
    """The delay (ms) for body: the quantile its hash picks."""
    digest = hashlib.blake2b(seed + (body or b""), digest_size=8).digest()
    u = (int.from_bytes(digest, "big") + 0.5) / 2.0 ** 64     # in (0, 1)
    ms = median * math.exp(sigma * NormalDist().inv_cdf(u))
    return min(ms, cap) if cap is not None else ms
