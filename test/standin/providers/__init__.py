"""Provider modules of the stand-in, discovered automatically.

Every module in this package (one file per provider family) must define:

    DEFAULT_KEYS  dict key-name -> expected secret (string or list of strings;
                  AWS credentials are objects, see providers/aws.py)
    ROUTES        list of Route objects

and may define:

    SETTINGS      dict setting-name -> Setting (run-time configuration that
                  GET/POST /_control/config shows and changes)
    COUNTERS      tuple of counter names reported at the top level of
                  GET /_control/stats (zeroed by /_control/reset)

To add a provider, drop a new file here; nothing else changes.  Key names
must be unique across modules (they are the names used in --keys-file and
POST /_control/config).

Routes are tried by ascending priority, then in the module's list order, so
catch-all patterns (OpenAI's ".../chat/completions" suffix rule) use a high
priority number and exact provider paths a low one.
"""

import importlib
import pkgutil
import re


class Route:
    """method + path regex -> handler(call) -> Response."""

    def __init__(self, name, method, pattern, handler, priority=50):
        self.name = name                  # e.g. "openai.chat" (stats key)
        self.method = method
        self.regex = re.compile(pattern)
        self.handler = handler
        self.priority = priority

    def match(self, method, path):
        if method != self.method:
            return None
        m = self.regex.match(path)
        return m.groupdict() if m else None


class Setting:
    """A provider's run-time setting.

    default -- value used until configured (and after it is set to null)
    check   -- check(value) -> normalised value; raises ValueError when bad
    """

    def __init__(self, default, check):
        self.default = default
        self.check = check


def modules():
    """Every provider module, imported, in name order."""
    return [importlib.import_module(__name__ + "." + info.name)
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]


def extras():
    """(settings {name: Setting}, counter names) over all modules."""
    settings, counters = {}, []
    for module in modules():
        for name, setting in getattr(module, "SETTINGS", {}).items():
            if name in settings:
                raise RuntimeError("setting %r defined twice" % name)
            settings[name] = setting
        counters.extend(c for c in getattr(module, "COUNTERS", ()) if c not in counters)
    return settings, counters


def load():
    """(routes sorted for matching, merged default keys) over all modules."""
    routes, keys = [], {}
    order = 0
    for module in modules():
        for key, value in getattr(module, "DEFAULT_KEYS", {}).items():
            if key in keys:
                raise RuntimeError("key name %r defined twice" % key)
            keys[key] = value
        for route in getattr(module, "ROUTES", []):
            routes.append((route.priority, order, route))
            order += 1
    routes.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in routes], keys
