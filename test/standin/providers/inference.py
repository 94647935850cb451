"""Self-hosted model servers for predictive models (no auth), all answered by
the deterministic model of predictive.py:

  /v2/models/{name}[/versions/{v}]/infer       KServe v2 / Open Inference
                                               Protocol / Triton (JSON or the
                                               binary tensor extension)
  /v1/models/{name}[/versions/{v}|/labels/{l}]:predict
                                               TF Serving REST / KServe v1
  /invocations                                 MLflow scoring server (model
                                               name "": score)
  /serving-endpoints/{name}/invocations        the same, named (Databricks
                                               style; no auth is checked)

The model name in the URL picks the outputs (see predictive.py).  Every
request shape of predictive.py is accepted on every route; MLflow answers a
pandas split frame {"predictions": [...]}, as MLflow 2's scoring server
does (Azure ML answers the bare array).  Errors are
{"error": "..."} (TF Serving, KServe, Triton) or MLflow's
{"error_code", "message", "stack_trace"}.
"""

from urllib.parse import unquote

import predictive
from common import Response
from providers import Route

DEFAULT_KEYS = {}


def plain_error(status, message):
    return Response.json(status, {"error": message})


def mlflow_error(status, message):
    code = {400: "BAD_REQUEST", 404: "RESOURCE_DOES_NOT_EXIST", 429: "REQUEST_LIMIT_EXCEEDED",
            503: "TEMPORARILY_UNAVAILABLE"}.get(status, "INTERNAL_ERROR" if status >= 500
                                                else "BAD_REQUEST")
    return Response.json(status, {"error_code": code, "message": message,
                                  "stack_trace": None})


def fault_maker(error_body):
    def make(status, kind, retry_after):
        if kind == "quota":
            resp = error_body(429, "Quota exhausted for this model server.")
        elif status == 429:
            resp = error_body(429, "Too many requests; the server is overloaded.")
        elif status == 503:
            resp = error_body(503, "Model is not ready (still loading).")
        else:
            resp = error_body(status, "Injected error %d." % status)
        if retry_after:
            resp.add_header("Retry-After", retry_after)
        return resp
    return make


def _serve(call, name, error_body, version="1", wrap_split=False):
    return predictive.respond(call, name, fault_maker(error_body), error_body,
                              lambda message: error_body(400, message),
                              model_version=version, wrap_split=wrap_split)


def _v2_infer(call):
    return _serve(call, unquote(call.params["model"]), plain_error,
                  call.params.get("version") or "1")


def _tf_predict(call):
    return _serve(call, unquote(call.params["model"]), plain_error)


def _mlflow(call):
    return _serve(call, unquote(call.params.get("model") or ""), mlflow_error,
                  wrap_split=True)


ROUTES = [
    Route("kserve.v2.infer", "POST",
          r"^/v2/models/(?P<model>[^/]+)(?:/versions/(?P<version>[^/]+))?/infer$",
          _v2_infer, priority=30),
    Route("tfserving.predict", "POST",
          r"^/v1/models/(?P<model>[^/:]+)(?:/versions/[^/:]+|/labels/[^/:]+)?:predict$",
          _tf_predict, priority=30),
    Route("mlflow.invocations", "POST",
          r"^(?:/serving-endpoints/(?P<model>[^/]+))?/invocations$", _mlflow, priority=30),
]
