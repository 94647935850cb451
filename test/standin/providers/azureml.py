"""Azure Machine Learning managed online endpoints.

Route (POST): any path ending in /score (an endpoint's scoring URI is
https://<endpoint>.<region>.inference.ml.azure.com/score).
Auth: "Authorization: Bearer <azureml key>".

The optional "azureml-model-deployment" request header pins a deployment; it
is echoed in the answer's header of the same name ("blue" when absent).  The
model name given to predictive.py is that header, or else the URL path.
Deployment names containing "missing" get 404, names containing "broken" a
424 model error with the ms-azureml-model-error-* headers.

The model-catalog text-generation body (Confluent's AZURE-CHAT format)
    {"input_data": {"input_string": [{"role": "user", "content": ...}],
                    "parameters": {...}}}
is answered as a chat: {"output": "<answer>"}.  Every other body goes to the
predictive model.
"""

import json

import faults
import llm
import predictive
from common import ApiError, Response, dump_json
from providers import Route

DEFAULT_KEYS = {"azureml": "azureml-test-key-0123456789"}
DEFAULT_DEPLOYMENT = "blue"


def azureml_error(status, message, headers=None):
    return Response.json(status, {"message": message}, headers)


def model_error(status, reason, message):
    """424: the scoring container answered `status`."""
    resp = azureml_error(424, message)
    resp.add_header("ms-azureml-model-error-statuscode", str(status))
    resp.add_header("ms-azureml-model-error-reason", reason)
    return resp


def fault_error(status, kind, retry_after):
    if kind == "quota":
        resp = azureml_error(429, "Quota exceeded for this endpoint. Increase the "
                                  "quota of the workspace or try another region.")
    elif status == 429:
        resp = azureml_error(429, "Too many requests. The endpoint has more requests "
                                  "than it can process; retry later.")
    elif status == 424:
        resp = model_error(500, "model_error", "An unexpected error occurred in the "
                                               "scoring script. Check the logs.")
    elif status == 408:
        resp = azureml_error(408, "Request timed out after 5000 ms (request_timeout_ms).")
    elif status == 401:
        resp = azureml_error(401, "Unauthorized: invalid or expired key or token.")
    elif status >= 500:
        resp = azureml_error(status, "The endpoint is temporarily unavailable. Please "
                                     "retry.")
    else:
        resp = azureml_error(status, "Injected error %d." % status)
    if retry_after:
        resp.add_header("Retry-After", retry_after)
    return resp


def _chat(call, body, headers):
    """AZURE-CHAT: input_data.input_string messages -> {"output": answer}."""
    data = body["input_data"]
    items = data["input_string"]
    if not isinstance(items, list) or not items:
        raise ApiError(model_error(400, "bad_request",
                                   "input_string must be a non-empty array"))
    system, users, others = [], [], []
    for i, item in enumerate(items):
        if isinstance(item, str):
            users.append(item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("content"), str) or \
                item.get("role") not in ("system", "user", "assistant"):
            raise ApiError(model_error(400, "bad_request", (
                "input_string[%d] must be a string or {role: system|user|assistant, "
                "content: string}" % i)))
        {"system": system, "user": users, "assistant": others}[item["role"]].append(
            item["content"])
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise ApiError(model_error(400, "bad_request", "parameters must be an object"))
    limit = params.get("max_new_tokens")
    if not isinstance(limit, int) or isinstance(limit, bool):
        limit = None
    plan = faults.parse_all(users)
    llm.apply_faults(call, plan, fault_error, azureml_error)
    reply = llm.Reply("\n".join(system), users or [""], limit, other_texts=others)

    def build(pad):
        text = "" if plan.empty else llm.padded_text(plan, reply.text, pad)
        return dump_json({"output": text})
    return llm.finish(plan, build, headers)


def _is_chat(body):
    return (isinstance(body, dict) and isinstance(body.get("input_data"), dict) and
            "input_string" in body["input_data"])


def _score(call):
    if not call.check_key("azureml", call.bearer_token()):
        raise ApiError(azureml_error(401, (
            "Unauthorized: the key or token is missing, invalid or expired. Send "
            "'Authorization: Bearer <endpoint key>'.")))
    deployment = call.header("azureml-model-deployment")
    headers = [("x-ms-request-id", "standin-%06d" % call.request_no),
               ("azureml-model-deployment", deployment or DEFAULT_DEPLOYMENT)]
    name = deployment or call.path
    if deployment is not None and "missing" in deployment.lower():
        raise ApiError(Response.json(404, {"error": {
            "code": "DeploymentNotFound",
            "message": "Deployment '%s' not found on this endpoint (or it has no "
                       "traffic)." % deployment}}))
    if "broken" in name.lower():
        raise ApiError(model_error(500, "model_error", "An unexpected error occurred in "
                                                       "the scoring script: model "
                                                       "exploded."))
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if _is_chat(body):
        return _chat(call, body, headers)
    return predictive.respond(call, name, fault_error, azureml_error,
                              lambda message: model_error(400, "bad_request", message),
                              headers)


ROUTES = [
    Route("azureml.score", "POST", r"^(?:/.*)?/score$", _score, priority=40),
]
