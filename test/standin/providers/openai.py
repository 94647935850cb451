"""OpenAI and Azure OpenAI: chat completions and embeddings.

Routes (POST only):
  /openai/deployments/{deployment}/chat/completions?api-version=YYYY-MM-DD[-preview]
  /openai/deployments/{deployment}/embeddings?api-version=...
        Azure OpenAI, classic style.  Auth "api-key: <azure_openai key>".
        Missing/odd api-version -> 404.  Body "model" optional; the answer's
        "model" is the deployment name.
  /openai/v1/chat/completions, /openai/v1/embeddings
        Azure OpenAI v1 style: no api-version, "model" (= deployment) required,
        auth "api-key" or "Authorization: Bearer" with the azure_openai key.
  <any prefix>/chat/completions, <any prefix>/embeddings
        OpenAI and OpenAI-compatible servers (/v1/..., Ollama-style bases...).
        Auth "Authorization: Bearer <openai key>".

Bodies are validated the way the real API does (unknown parameters are
rejected unless strict_params is switched off), then faults.py markers in the
user messages / embedding inputs are applied, then answers.py answers.
A response_format of type json_schema (strict mode's rules checked) or
json_object gets a JSON answer built from the schema (structured.py).
Validation errors use OpenAI's error shape on both services (Azure passes
them through); auth, 404 and injected errors use each service's own shape.
"""

import json
import re
from urllib.parse import unquote

import answers
import faults
import structured
from common import ApiError, Response, dump_json
from providers import Route

DEFAULT_KEYS = {
    "openai": "sk-test-openai-key",
    "azure_openai": "azure-test-key",
}

CREATED = 1700000000                 # fixed "created" timestamp
MAX_EMBED_INPUTS = 2048
MAX_EMBED_TOKENS = 300000       # summed over one request's inputs
MAX_STOP_SEQUENCES = 4
ROLES = ("system", "developer", "user", "assistant", "tool", "function")

CHAT_PARAMS = frozenset("""
    model messages temperature top_p n stream stream_options stop max_tokens
    max_completion_tokens presence_penalty frequency_penalty logit_bias
    logprobs top_logprobs user seed response_format tools tool_choice
    parallel_tool_calls functions function_call service_tier store metadata
    reasoning_effort modalities audio prediction web_search_options verbosity
    prompt_cache_key safety_identifier data_sources
""".split())
EMBED_PARAMS = frozenset("model input dimensions encoding_format user".split())

API_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")

JSON_HINT = (
    "We could not parse the JSON body of your request. (HINT: This likely "
    "means you aren't using your HTTP library correctly. The OpenAI API "
    "expects a JSON payload, but what was sent was not valid JSON.)")

FILTER_OK = {name: {"filtered": False, "severity": "safe"}
             for name in ("hate", "self_harm", "sexual", "violence")}


# --------------------------------------------------------------------------
# Error bodies and headers
# --------------------------------------------------------------------------

def openai_error(status, message, type_="invalid_request_error", param=None,
                 code=None, headers=None):
    return Response.json(status, {"error": {
        "message": message, "type": type_, "param": param, "code": code}},
        headers)


def azure_error(status, message, code=None, headers=None):
    return Response.json(status, {"error": {
        "code": code or str(status), "message": message}}, headers)


def invalid(message, param=None, code=None):
    """ApiError for a 400 in OpenAI's shape (used by both services)."""
    return ApiError(openai_error(400, message, param=param, code=code))


def _retry_after_headers(value, azure):
    """Retry-After (+ Azure's retry-after-ms when the value is numeric)."""
    headers = [("Retry-After", value)]
    if azure:
        try:
            headers.append(("retry-after-ms", str(int(float(value) * 1000))))
        except ValueError:
            pass
    return headers


def _openai_ratelimit(exhausted=False, reset="6ms"):
    return [
        ("x-ratelimit-limit-requests", "10000"),
        ("x-ratelimit-limit-tokens", "10000000"),
        ("x-ratelimit-remaining-requests", "0" if exhausted else "9999"),
        ("x-ratelimit-remaining-tokens", "9999000"),
        ("x-ratelimit-reset-requests", reset),
        ("x-ratelimit-reset-tokens", "0s"),
    ]


# Message texts for injected failures: status -> (message, type, code).
_OPENAI_FAULTS = {
    400: ("Bad request.", "invalid_request_error", None),
    401: ("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to access this model.", "invalid_request_error", None),
    404: ("The model `%(model)s` does not exist or you do not have access to it.",
          "invalid_request_error", "model_not_found"),
    408: ("Request timed out.", "server_error", None),
    500: ("The server had an error while processing your request. Sorry about that!",
          "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The server is overloaded or not ready yet.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


class OpenAIDialect:
    """api.openai.com behaviour: Bearer auth, x-ratelimit-* on every answer."""

    azure = False

    def authenticate(self, call):
        if not call.check_key("openai", call.bearer_token()):
            raise ApiError(openai_error(401, "Incorrect API key provided",
                                        code="invalid_api_key"))

    def headers(self, call):
        return [("x-request-id", "req_%06d" % call.request_no),
                ("openai-version", "2020-10-01"),
                ("openai-processing-ms", str(call.elapsed_ms()))] + _openai_ratelimit()

    def fault_error(self, status, kind, retry_after, info):
        headers = [("x-request-id", "req_fault")]
        if kind == "quota":
            resp = openai_error(429, (
                "You exceeded your current quota, please check your plan and "
                "billing details."), "insufficient_quota", None, "insufficient_quota")
            resp.headers.extend(headers + _openai_ratelimit())
        elif status == 429:
            retry_after = retry_after or "1"
            resp = openai_error(429, (
                "Rate limit reached for %s in organization org-standin on requests "
                "per min (RPM): Limit 10000, Used 10000, Requested 1. Please try "
                "again in %ss." % (info["model"], retry_after)),
                "requests", None, "rate_limit_exceeded")
            resp.headers.extend(headers + _openai_ratelimit(True, "%ss" % retry_after))
        else:
            message, type_, code = _OPENAI_FAULTS.get(status, (
                "Injected error %d." % status,
                "server_error" if status >= 500 else "invalid_request_error", None))
            resp = openai_error(status, message % info if "%(" in message else message,
                                type_, None, code, headers)
        if retry_after:
            resp.headers.extend(_retry_after_headers(retry_after, False))
        return resp

    def decorate_chat(self, obj):
        return obj


class AzureDialect:
    """Azure OpenAI behaviour: api-key auth, {"error":{"code","message"}}."""

    azure = True

    def __init__(self, allow_bearer=False):
        self.allow_bearer = allow_bearer      # v1 routes also take Bearer

    def authenticate(self, call):
        key = call.header("api-key")
        if key is None and self.allow_bearer:
            key = call.bearer_token()
        if not call.check_key("azure_openai", key):
            raise ApiError(azure_error(401, (
                "Access denied due to invalid subscription key or wrong API "
                "endpoint. Make sure to provide a valid key for an active "
                "subscription and use a correct regional API endpoint for your "
                "resource.")))

    def headers(self, call):
        return [("apim-request-id", "standin-%06d" % call.request_no),
                ("x-request-id", "standin-%06d" % call.request_no),
                ("x-ms-region", "Standin Region"),
                ("x-ratelimit-remaining-requests", "9999"),
                ("x-ratelimit-remaining-tokens", "9999000")]

    def fault_error(self, status, kind, retry_after, info):
        if kind == "quota":
            resp = azure_error(429, (
                "Insufficient quota for this deployment. Please check your "
                "quota and billing details."), "insufficient_quota")
        elif status == 429:
            retry_after = retry_after or "1"
            resp = azure_error(429, (
                "Requests to the %s Operation under Azure OpenAI API version %s "
                "have exceeded token rate limit of your current AIServices S0 "
                "pricing tier. Please retry after %s seconds." % (
                    info["operation"], info["api_version"], retry_after)))
            resp.headers.extend([("x-ratelimit-remaining-requests", "0"),
                                 ("x-ratelimit-remaining-tokens", "0")])
        elif status == 401:
            resp = azure_error(401, "Access denied due to invalid subscription key "
                                    "or wrong API endpoint.")
        elif status == 404:
            resp = azure_error(404, "Resource not found")
        elif status >= 500:
            resp = azure_error(status, "The service is temporarily unable to "
                                       "process your request. Please try again later.")
        else:
            resp = azure_error(status, "Injected error %d." % status)
        if retry_after:
            resp.headers.extend(_retry_after_headers(retry_after, True))
        return resp

    def decorate_chat(self, obj):
        obj["prompt_filter_results"] = [
            {"prompt_index": 0, "content_filter_results": FILTER_OK}]
        for choice in obj["choices"]:
            choice["content_filter_results"] = FILTER_OK
        return obj


OPENAI = OpenAIDialect()
AZURE = AzureDialect()
AZURE_V1 = AzureDialect(allow_bearer=True)


# --------------------------------------------------------------------------
# Body validation helpers
# --------------------------------------------------------------------------

def _desc(value):
    """How OpenAI names a JSON value's type in messages ("a string", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_body(call):
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(openai_error(400, JSON_HINT))
    if not isinstance(body, dict):
        raise invalid("Invalid type for body: expected an object, but got %s "
                      "instead." % _desc(body), None, "invalid_type")
    return body


def check_unknown(call, body, allowed):
    if not call.state.strict_params:
        return
    for name in body:
        if name not in allowed:
            raise invalid("Unrecognized request argument supplied: %s" % name)


def body_model(body, required):
    model = body.get("model")
    if model is None:
        if required:
            raise invalid("you must provide a model parameter")
        return None
    if not isinstance(model, str):
        raise invalid("Invalid type for 'model': expected a string, but got %s "
                      "instead." % _desc(model), "model", "invalid_type")
    return model


def check_number(body, name, lo=None, hi=None, integer=False):
    """Validate an optional numeric parameter; returns it or None."""
    value = body.get(name)
    if value is None:
        return None
    kind = "integer" if integer else "decimal"
    if not (_is_int(value) if integer else _is_number(value)):
        raise invalid("Invalid type for '%s': expected %s, but got %s instead." % (
            name, "an integer" if integer else "a decimal", _desc(value)),
            name, "invalid_type")
    if lo is not None and value < lo:
        raise invalid("Invalid '%s': %s below minimum value. Expected a value >= "
                      "%s, but got %s instead." % (name, kind, lo, value),
                      name, kind + "_below_min_value")
    if hi is not None and value > hi:
        raise invalid("Invalid '%s': %s above maximum value. Expected a value <= "
                      "%s, but got %s instead." % (name, kind, hi, value),
                      name, kind + "_above_max_value")
    return value


def check_type(body, name, type_, what):
    """Validate an optional parameter's JSON type; returns it or None."""
    value = body.get(name)
    if value is not None and not isinstance(value, type_):
        raise invalid("Invalid type for '%s': expected %s, but got %s instead." % (
            name, what, _desc(value)), name, "invalid_type")
    return value


def content_text(content, where, role):
    """The text of a message's content (string, parts array or null)."""
    if isinstance(content, str):
        return content
    if content is None:
        if role == "assistant":
            return ""
        raise invalid("Invalid value for 'content': expected a string, got null.",
                      where + ".content", "invalid_value")
    if isinstance(content, list):
        texts = []
        for j, part in enumerate(content):
            p = "%s.content[%d]" % (where, j)
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                raise invalid("Invalid type for '%s': expected an object with a "
                              "'type', but got %s instead." % (p, _desc(part)),
                              p, "invalid_type")
            if part["type"] == "text":
                if not isinstance(part.get("text"), str):
                    raise invalid("Missing required parameter: '%s.text'." % p,
                                  p + ".text", "missing_required_parameter")
                texts.append(part["text"])
        return "\n".join(texts)
    raise invalid("Invalid type for '%s.content': expected one of a string or "
                  "array of objects, but got %s instead." % (where, _desc(content)),
                  where + ".content", "invalid_type")


def parse_messages(body):
    """[(role, text)] from "messages", validated."""
    if "messages" not in body:
        raise invalid("Missing required parameter: 'messages'.", "messages",
                      "missing_required_parameter")
    msgs = body["messages"]
    if not isinstance(msgs, list):
        raise invalid("Invalid type for 'messages': expected an array of objects, "
                      "but got %s instead." % _desc(msgs), "messages", "invalid_type")
    if not msgs:
        raise invalid("Invalid 'messages': empty array. Expected an array with "
                      "minimum length 1, but got an empty array instead.",
                      "messages", "empty_array")
    out = []
    for i, m in enumerate(msgs):
        where = "messages[%d]" % i
        if not isinstance(m, dict):
            raise invalid("Invalid type for '%s': expected an object, but got %s "
                          "instead." % (where, _desc(m)), where, "invalid_type")
        role = m.get("role")
        if role is None:
            raise invalid("Missing required parameter: '%s.role'." % where,
                          where + ".role", "missing_required_parameter")
        if role not in ROLES:
            raise invalid("Invalid value: '%s'. Supported values are: 'system', "
                          "'assistant', 'user', 'function', 'tool', and "
                          "'developer'." % (role,), where + ".role", "invalid_value")
        if "content" not in m and role != "assistant":
            raise invalid("Missing required parameter: '%s.content'." % where,
                          where + ".content", "missing_required_parameter")
        out.append((role, content_text(m.get("content"), where, role)))
    return out


def check_stop(body):
    stop = body.get("stop")
    if stop is None or isinstance(stop, str):
        return
    if (not isinstance(stop, list) or len(stop) > MAX_STOP_SEQUENCES or
            not all(isinstance(s, str) for s in stop)):
        raise invalid("Invalid 'stop': expected a string or an array of at most "
                      "%d strings." % MAX_STOP_SEQUENCES, "stop", "invalid_value")


def azure_deployment(call):
    """Deployment name of a classic Azure route, after the api-version check."""
    if not API_VERSION_RE.match(call.query.get("api-version", "")):
        raise ApiError(azure_error(404, "Resource not found"))
    return unquote(call.params["deployment"])


# --------------------------------------------------------------------------
# Chat completions
# --------------------------------------------------------------------------

def chat(call, dialect, deployment=None):
    dialect.authenticate(call)
    body = parse_body(call)
    check_unknown(call, body, CHAT_PARAMS)
    model = body_model(body, required=deployment is None)
    messages = parse_messages(body)
    check_number(body, "temperature", 0, 2)
    check_number(body, "top_p", 0, 1)
    check_number(body, "presence_penalty", -2, 2)
    check_number(body, "frequency_penalty", -2, 2)
    n = check_number(body, "n", 1, 128, integer=True) or 1
    max_tokens = check_number(body, "max_tokens", 1, integer=True)
    max_completion = check_number(body, "max_completion_tokens", 1, integer=True)
    check_number(body, "seed", integer=True)
    check_number(body, "top_logprobs", 0, 20, integer=True)
    check_type(body, "stream", bool, "a boolean")
    check_type(body, "logprobs", bool, "a boolean")
    check_type(body, "user", str, "a string")
    check_type(body, "response_format", dict, "an object")
    check_type(body, "stream_options", dict, "an object")
    check_stop(body)
    try:
        schema = structured.openai_schema(body, messages)
    except structured.SchemaError as e:
        raise invalid(str(e), "response_format")
    limit = max_completion if max_completion is not None else max_tokens
    resp_model = deployment or model

    # Faults come from the user messages only (that is where row text lands).
    plan = faults.parse_all(t for r, t in messages if r == "user")
    info = {"model": resp_model, "operation": "ChatCompletions_Create",
            "api_version": call.query.get("api-version", "v1")}
    early = faults.apply_early(plan, call.state.fail_counters,
                               lambda s, k, ra: dialect.fault_error(s, k, ra, info))
    if early is not None:
        return early
    if plan.echo_auth:
        return faults.echo_auth_response(call, lambda st, msg: openai_error(st, msg))
    if plan.echo_input is not None:
        return faults.echo_input_response(plan, lambda st, msg: openai_error(st, msg))
    if plan.bad_json:
        return faults.bad_json_response()

    clean = [(r, faults.strip_markers(t) if r == "user" else t) for r, t in messages]
    system = "\n".join(t for r, t in clean if r in ("system", "developer"))
    user = next((t for r, t in reversed(clean) if r == "user"), "")
    if schema is None:
        content = answers.chat_reply(system, user)
    elif schema:
        content = structured.answer_text(schema, system, user)
    else:
        content = structured.json_object_answer(system, user)
    content, cut = answers.truncate_words(content, limit)
    finish = "length" if cut else "stop"
    prompt_tokens = sum(answers.count_tokens(t) for _, t in clean)
    completion_tokens = answers.count_tokens(content)
    chat_id = "chatcmpl-" + answers.stable_id(resp_model, dump_json(body.get("messages")))
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
             "total_tokens": prompt_tokens + completion_tokens}

    if body.get("stream"):
        return _chat_stream(call, dialect, chat_id, resp_model, content, finish,
                            n, usage, body.get("stream_options") or {})

    def build(pad):
        message = {"role": "assistant", "content": content + pad, "refusal": None}
        if plan.null_content:
            message = {"role": "assistant", "content": None,
                       "refusal": "I'm sorry, but I can't help with that."}
        choices = [] if plan.empty else [
            {"index": i, "message": dict(message), "logprobs": None,
             "finish_reason": finish} for i in range(n)]
        obj = {"id": chat_id, "object": "chat.completion", "created": CREATED,
               "model": resp_model, "choices": choices, "usage": usage,
               "system_fingerprint": "fp_standin"}
        return dump_json(dialect.decorate_chat(obj))

    body_bytes = faults.pad_to(build, plan.big) if plan.big else build("")
    return Response(200, body_bytes, dialect.headers(call), fault=_answer_fault(plan))


def _chat_stream(call, dialect, chat_id, model, content, finish, n, usage, options):
    """Server-sent events, as with "stream": true (whole body sent at once)."""
    def chunk(choices, extra=None):
        obj = {"id": chat_id, "object": "chat.completion.chunk", "created": CREATED,
               "model": model, "system_fingerprint": "fp_standin", "choices": choices}
        if extra:
            obj.update(extra)
        return b"data: " + dump_json(obj) + b"\n\n"

    out = []
    for i in range(n):
        out.append(chunk([{"index": i, "delta": {"role": "assistant", "content": ""},
                           "logprobs": None, "finish_reason": None}]))
        for j, word in enumerate(content.split(" ")):
            piece = word if j == 0 else " " + word
            out.append(chunk([{"index": i, "delta": {"content": piece},
                               "logprobs": None, "finish_reason": None}]))
        out.append(chunk([{"index": i, "delta": {}, "logprobs": None,
                           "finish_reason": finish}]))
    if options.get("include_usage"):
        out.append(chunk([], {"usage": usage}))
    out.append(b"data: [DONE]\n\n")
    return Response(200, b"".join(out), dialect.headers(call),
                    content_type="text/event-stream; charset=utf-8")


def _answer_fault(plan):
    """Names of the answer-shaping markers that fired (for the log/header)."""
    names = [name for name, on in (("empty", plan.empty),
                                   ("null-content", plan.null_content),
                                   ("big", plan.big)) if on]
    return ",".join(names) or None


# --------------------------------------------------------------------------
# Embeddings
# --------------------------------------------------------------------------

def _bad_input():
    return invalid("'$.input' is invalid. Please check the API reference: "
                   "https://platform.openai.com/docs/api-reference.")


def parse_input(body):
    """List of inputs: strings, or token arrays (lists of ints)."""
    if "input" not in body:
        raise invalid("Missing required parameter: 'input'.", "input",
                      "missing_required_parameter")
    value = body["input"]
    if isinstance(value, str):
        if value == "":
            raise _bad_input()
        return [value]
    if not isinstance(value, list) or not value:
        raise _bad_input()
    if len(value) > MAX_EMBED_INPUTS:
        raise invalid("Invalid 'input': array too long. Expected an array with "
                      "maximum length %d, but got an array with length %d "
                      "instead." % (MAX_EMBED_INPUTS, len(value)),
                      "input", "array_above_max_length")
    if all(isinstance(v, str) for v in value):
        if any(v == "" for v in value):
            raise _bad_input()
        return list(value)
    if all(_is_int(v) for v in value):
        return [value]                                 # one token array
    if all(isinstance(v, list) and v and all(_is_int(t) for t in v) for v in value):
        return list(value)                             # several token arrays
    raise _bad_input()


def _max_dims(model):
    model = model or ""
    if "3-large" in model:
        return 3072
    if "3-small" in model:
        return 1536
    return 8192


def embeddings(call, dialect, deployment=None):
    dialect.authenticate(call)
    body = parse_body(call)
    check_unknown(call, body, EMBED_PARAMS)
    model = body_model(body, required=deployment is None)
    resp_model = deployment or model
    inputs = parse_input(body)
    dims = check_number(body, "dimensions", 1, _max_dims(resp_model), integer=True)
    if dims is not None and "ada-002" in (resp_model or ""):
        raise invalid("This model does not support specifying dimensions.")
    if dims is None:
        dims = 3072 if "large" in (resp_model or "") else 1536
    fmt = body.get("encoding_format")
    if fmt is None:
        fmt = "float"
    if fmt not in ("float", "base64"):
        raise invalid("Invalid value: '%s'. Supported values are: 'float' and "
                      "'base64'." % (fmt,), "encoding_format", "invalid_value")
    check_type(body, "user", str, "a string")
    requested = sum(answers.count_tokens(faults.strip_markers(v)) if isinstance(v, str)
                    else len(v) for v in inputs)
    if requested > MAX_EMBED_TOKENS:
        raise invalid("Requested %d tokens, max %d tokens per request" % (
            requested, MAX_EMBED_TOKENS), None, "max_tokens_per_request")

    # One plan per input (null-content is per input), merged for the rest.
    plans = [faults.parse(v) for v in inputs]
    plan = faults.FaultPlan()
    for p in plans:
        plan.merge(p)
    info = {"model": resp_model, "operation": "Embeddings_Create",
            "api_version": call.query.get("api-version", "v1")}
    early = faults.apply_early(plan, call.state.fail_counters,
                               lambda s, k, ra: dialect.fault_error(s, k, ra, info))
    if early is not None:
        return early
    if plan.echo_auth:
        return faults.echo_auth_response(call, lambda st, msg: openai_error(st, msg))
    if plan.echo_input is not None:
        return faults.echo_input_response(plan, lambda st, msg: openai_error(st, msg))
    if plan.bad_json:
        return faults.bad_json_response()

    data, tokens = [], 0
    for i, item in enumerate(inputs):
        if isinstance(item, str):
            text = faults.strip_markers(item)
            tokens += answers.count_tokens(text)
        else:
            text = json.dumps(item)
            tokens += len(item)
        vector = None
        if not plans[i].null_content:
            if fmt == "base64":
                vector = answers.embedding_base64(answers.embedding(text, dims))
            else:
                vector = answers.embedding_json(text, dims)
        data.append({"object": "embedding", "index": i, "embedding": vector})
    if plan.empty:
        data = []

    def build(pad):
        obj = {"object": "list", "data": data, "model": resp_model,
               "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        if plan.big:
            obj["padding"] = pad
        return dump_json(obj)

    body_bytes = faults.pad_to(build, plan.big) if plan.big else build("")
    return Response(200, body_bytes, dialect.headers(call), fault=_answer_fault(plan))


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------

def _azure_chat(call):
    return chat(call, AZURE, azure_deployment(call))


def _azure_embeddings(call):
    return embeddings(call, AZURE, azure_deployment(call))


def _azure_v1_chat(call):
    return chat(call, AZURE_V1)


def _azure_v1_embeddings(call):
    return embeddings(call, AZURE_V1)


def _openai_chat(call):
    return chat(call, OPENAI)


def _openai_embeddings(call):
    return embeddings(call, OPENAI)


ROUTES = [
    Route("azure.chat", "POST",
          r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$",
          _azure_chat, priority=10),
    Route("azure.embeddings", "POST",
          r"^/openai/deployments/(?P<deployment>[^/]+)/embeddings$",
          _azure_embeddings, priority=10),
    Route("azure.v1.chat", "POST", r"^/openai/v1/chat/completions$",
          _azure_v1_chat, priority=10),
    Route("azure.v1.embeddings", "POST", r"^/openai/v1/embeddings$",
          _azure_v1_embeddings, priority=10),
    # Catch-alls: any base URL ending in the OpenAI path.
    Route("openai.chat", "POST", r"^(?:/.*)?/chat/completions$",
          _openai_chat, priority=90),
    Route("openai.embeddings", "POST", r"^(?:/.*)?/embeddings$",
          _openai_embeddings, priority=90),
]
