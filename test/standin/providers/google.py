"""Google: Gemini API (generativelanguage) and Vertex AI, with the OAuth2
JWT-bearer token endpoint Vertex clients use.

Google AI (auth "x-goog-api-key: <googleai key>"; "?key=" works too but is
counted in /_control/stats as googleai_key_in_query):
  /{v1,v1beta}/models/{model}:generateContent
  /{v1,v1beta}/models/{model}:embedContent
  /{v1,v1beta}/models/{model}:batchEmbedContents

Vertex AI (auth "Authorization: Bearer <token from /token>"):
  POST /token     grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
  /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent
  /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predict   (embeddings)
  /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{m}:rawPredict (Claude)
  /v1/projects/{p}/locations/{l}/endpoints/{id}:predict      (predictive model)
  /v1/projects/{p}/locations/{l}/endpoints/{id}:rawPredict   (predictive model)

Request bodies are read the way Google's JSON parser reads protos: every field
may be written in lowerCamelCase or snake_case, anything else is "Unknown
name ... Cannot find field." (unless strict_params is off).
"""

import base64
import functools
import json
import re
import secrets
import time
from urllib.parse import parse_qs

import answers
import structured
import faults
import llm
import make_service_account
import predictive
from common import ApiError, Response, dump_json
from providers import Route, Setting
from providers.anthropic import anthropic_error

from cryptography.exceptions import InvalidSignature          # python3-cryptography
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

DEFAULT_KEYS = {"googleai": "AIzaSyMLPREDICT-test-key-0123456789"}
COUNTERS = ("token_grants", "token_rejections", "googleai_key_in_query")

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_URIS = ("https://oauth2.googleapis.com/token",
                     "https://www.googleapis.com/oauth2/v4/token")
MAX_IAT_SKEW_S = 300
MAX_LIFETIME_S = 3600
MAX_BATCH_EMBED = 100
MAX_VERTEX_INSTANCES = 250
MAX_VERTEX_EMBED_TOKENS = 20000     # summed over one request's instances


# --------------------------------------------------------------------------
# Settings (GET/POST /_control/config, --gcp-* options)
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def load_public_key(pem):
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the public key must be an RSA key")
    return key


def _check_public_key(value):
    if not isinstance(value, str):
        raise ValueError("must be PEM text or the path of a PEM file")
    if "-----BEGIN" not in value:
        try:
            with open(value, encoding="ascii") as f:
                value = f.read()
        except OSError as e:
            raise ValueError("cannot read %s: %s" % (value, e))
    try:
        load_public_key(value)
    except ValueError as e:
        raise ValueError("not an RSA public key in PEM form (%s)" % e)
    return value


def _check_text(value):
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string")
    return value


def _check_int(minimum):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError("must be an integer >= %d" % minimum)
        return value
    return check


SETTINGS = {
    "gcp_public_key": Setting(None, _check_public_key),
    "gcp_client_email": Setting(None, _check_text),
    "gcp_key_id": Setting(None, _check_text),
    "gcp_token_ttl": Setting(3599, _check_int(1)),
    "gcp_token_expires_in": Setting(None, _check_int(0)),
}


# --------------------------------------------------------------------------
# Google's error shape
# --------------------------------------------------------------------------

STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED",
                499: "CANCELLED", 500: "INTERNAL", 501: "NOT_IMPLEMENTED",
                503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
FAULT_MESSAGES = {400: "Request contains an invalid argument.",
                  403: "The caller does not have permission",
                  404: "Requested entity was not found.",
                  500: "An internal error has occurred. Please retry or report in "
                       "https://developers.generativeai.google/guide/troubleshooting",
                  503: "The model is overloaded. Please try again later.",
                  504: "Deadline expired before operation could complete."}


def google_error(status, message, details=None, headers=None):
    error = {"code": status, "message": message,
             "status": STATUS_NAMES.get(status, "UNKNOWN")}
    if details:
        error["details"] = details
    return Response.json(status, {"error": error}, headers)


def bad_request(message, field=None):
    details = None
    if field is not None:
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field, "description": message}]}]
    return ApiError(google_error(400, message, details))


def _retry_seconds(retry_after):
    try:
        return "%gs" % max(0.0, float(retry_after))
    except (TypeError, ValueError):
        return "1s"


def fault_maker(service, model):
    """make_error(status, kind, retry_after) for faults.apply_early."""
    def make(status, kind, retry_after):
        if kind == "quota":
            resp = google_error(429, (
                "You exceeded your current quota, please check your plan and billing "
                "details. For more information on this error, head to: "
                "https://ai.google.dev/gemini-api/docs/rate-limits."), [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                 "violations": [{"quotaMetric": "%s/generate_content_free_tier_requests"
                                 % service,
                                 "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                                 "quotaDimensions": {"location": "global", "model": model},
                                 "quotaValue": "250"}]},
                {"@type": "type.googleapis.com/google.rpc.Help",
                 "links": [{"description": "Learn more about Gemini API quotas",
                            "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}])
        elif status == 429:
            delay = _retry_seconds(retry_after or "1")
            resp = google_error(429, (
                "Resource exhausted. Please try again later. Please retry in %s." % delay
                if service == "aiplatform.googleapis.com" else
                "You exceeded your current quota, please check your plan and billing "
                "details. Please retry in %s." % delay), [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                 "violations": [{"quotaMetric": "%s/generate_content_requests" % service,
                                 "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                                 "quotaDimensions": {"location": "global", "model": model},
                                 "quotaValue": "15"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}])
        elif status == 401:
            resp = unauthenticated("ACCESS_TOKEN_EXPIRED", service)
        else:
            resp = google_error(status, FAULT_MESSAGES.get(status, "Injected error %d."
                                                           % status))
        if retry_after:
            resp.add_header("Retry-After", retry_after)
        return resp
    return make


def _error_body(status, message):
    return google_error(status, message)


def unauthenticated(reason, service="aiplatform.googleapis.com"):
    resp = google_error(401, (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."), [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
         "domain": "googleapis.com", "metadata": {"service": service}}])
    resp.add_header("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                                        'error="invalid_token"')
    return resp


# --------------------------------------------------------------------------
# Reading bodies like Google's proto JSON parser
# --------------------------------------------------------------------------

def _snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


class Proto:
    """How a JSON value must look: kind string|int32|float|bool|any|enum|msg|list."""

    def __init__(self, kind, type_name=None, fields=None, values=None, item=None):
        self.kind = kind
        self.type_name = type_name
        self.fields = fields
        self.values = values
        self.item = item


S, I32, F, B, ANY = (Proto("string"), Proto("int32"), Proto("float"), Proto("bool"),
                     Proto("any"))


def msg(type_name, **fields):
    return Proto("msg", type_name, fields=fields)


def rep(item):
    return Proto("list", item=item)


def enum(type_name, *values):
    return Proto("enum", type_name, values=values)


class Parser:
    """Checks a JSON value against a Proto (api: "google.ai.generativelanguage.v1beta"
    or "google.cloud.aiplatform.v1", for type URLs in messages)."""

    SCALAR_NAMES = {"string": "TYPE_STRING", "int32": "TYPE_INT32", "float": "TYPE_FLOAT",
                    "bool": "TYPE_BOOL"}

    def __init__(self, api, strict):
        self.api = api
        self.strict = strict

    def bad_value(self, path, proto, value):
        if proto.kind in self.SCALAR_NAMES:
            what = self.SCALAR_NAMES[proto.kind]
        else:
            what = "type.googleapis.com/%s.%s" % (self.api, proto.type_name)
        text = dump_json(value).decode("utf-8")
        if len(text) > 60:
            text = text[:60] + "..."
        message = "Invalid value at '%s' (%s), %s" % (path, what, text)
        return bad_request(message, path)

    def check(self, value, proto, path=""):
        kind = proto.kind
        if kind == "any":
            return
        if kind == "list":
            if not isinstance(value, list):
                if proto.item.kind == "msg" and isinstance(value, dict):
                    raise bad_request("Invalid JSON payload received. Expected a list "
                                      "at '%s'." % path, path)
                raise self.bad_value(path, proto.item, value)
            for i, item in enumerate(value):
                self.check(item, proto.item, "%s[%d]" % (path, i))
            return
        if isinstance(value, list) and kind != "list":
            raise bad_request("Invalid JSON payload received. Proto field is not "
                              "repeating, cannot start list.", path)
        if kind == "string":
            ok = isinstance(value, str)
        elif kind == "int32":
            ok = (isinstance(value, int) and not isinstance(value, bool)) or \
                 (isinstance(value, float) and value.is_integer()) or \
                 (isinstance(value, str) and re.match(r"^-?\d+$", value) is not None)
        elif kind == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "enum":
            ok = isinstance(value, str) and value in proto.values
        else:
            ok = isinstance(value, dict)
        if not ok:
            raise self.bad_value(path, proto, value)
        if kind == "msg":
            for key, item in value.items():
                name = _snake(key)
                field = proto.fields.get(name)
                if field is None or key not in (name, _camel(name)):
                    if not self.strict:
                        continue
                    where = " at '%s'" % path if path else ""
                    message = ("Invalid JSON payload received. Unknown name \"%s\"%s: "
                               "Cannot find field." % (key, where))
                    raise bad_request(message, path or None)
                self.check(item, field, "%s.%s" % (path, name) if path else name)


def get(obj, name, default=None):
    """A field by its snake_case name, written either way."""
    if name in obj:
        return obj[name]
    return obj.get(_camel(name), default)


PART = msg("Part", text=S, inline_data=ANY, file_data=ANY, function_call=ANY,
           function_response=ANY, executable_code=ANY, code_execution_result=ANY,
           thought=B, thought_signature=S, video_metadata=ANY, media_resolution=ANY)
CONTENT = msg("Content", role=S, parts=rep(PART))
GENERATION_CONFIG = msg(
    "GenerationConfig", stop_sequences=rep(S), response_mime_type=S, response_schema=ANY,
    response_json_schema=ANY, response_modalities=rep(S), candidate_count=I32,
    max_output_tokens=I32, temperature=F, top_p=F, top_k=I32, seed=I32,
    presence_penalty=F, frequency_penalty=F, response_logprobs=B, logprobs=I32,
    enable_enhanced_civic_answers=B, speech_config=ANY, media_resolution=S,
    image_config=ANY, audio_timestamp=B, routing_config=ANY,
    thinking_config=msg("ThinkingConfig", include_thoughts=B, thinking_budget=I32,
                        thinking_level=S))
SAFETY_SETTING = msg("SafetySetting", category=S, threshold=S, method=S)
GENERATE_REQUEST = msg(
    "GenerateContentRequest", model=S, contents=rep(CONTENT), tools=rep(ANY),
    tool_config=ANY, safety_settings=rep(SAFETY_SETTING), system_instruction=CONTENT,
    generation_config=GENERATION_CONFIG, cached_content=S, labels=ANY)
TASK_TYPE = enum("TaskType", "TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY",
                 "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION",
                 "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION",
                 "CODE_RETRIEVAL_QUERY")
EMBED_REQUEST = msg("EmbedContentRequest", model=S, content=CONTENT, task_type=TASK_TYPE,
                    title=S, output_dimensionality=I32)
BATCH_EMBED_REQUEST = msg("BatchEmbedContentsRequest", requests=rep(EMBED_REQUEST))


def parse_json_body(call):
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise bad_request("Invalid JSON payload received. %s" % e)
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object at the "
                          "top level.")
    return body


def content_text(content):
    return "".join(p.get("text", "") for p in get(content, "parts", []) or []
                   if isinstance(p.get("text"), str) and not p.get("thought"))


# --------------------------------------------------------------------------
# Gemini generateContent (Google AI and Vertex)
# --------------------------------------------------------------------------

def _range(config, name, lo, hi, path):
    value = get(config, name)
    if value is None:
        return None
    value = float(value)                  # int32 fields may arrive as "40"
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise bad_request("* GenerateContentRequest.generation_config.%s: must be in the "
                          "range [%s, %s]\n" % (name, lo, "inf" if hi is None else hi),
                          path + name)
    return value


def parse_generate(body, api, strict, role_required):
    """(system, [(role, text)], generation config) of a generateContent body."""
    Parser(api, strict).check(body, GENERATE_REQUEST)
    contents = get(body, "contents")
    if not contents:
        raise bad_request("* GenerateContentRequest.contents: contents is not "
                          "specified\n", "contents")
    msgs = []
    for i, content in enumerate(contents):
        role = content.get("role")
        if role is None and role_required:
            raise bad_request("Please use a valid role: user, model.",
                              "contents[%d].role" % i)
        if role not in (None, "user", "model", "function"):
            raise bad_request("Please use a valid role: user, model.",
                              "contents[%d].role" % i)
        if not content.get("parts"):
            raise bad_request("* GenerateContentRequest.contents[%d].parts: contents.parts "
                              "must not be empty.\n" % i, "contents[%d].parts" % i)
        msgs.append((role or "user", content_text(content)))
    system = get(body, "system_instruction")
    system_text = content_text(system) if system else ""
    if system is not None and any(p.get("text") == "" for p in get(system, "parts", []) or []):
        raise bad_request("Unable to submit request because it has an empty text parameter. "
                          "Add a value to the parameter and try again.",
                          "system_instruction.parts")
    config = get(body, "generation_config") or {}
    _range(config, "temperature", 0.0, 2.0, "generation_config.")
    _range(config, "top_p", 0.0, 1.0, "generation_config.")
    _range(config, "candidate_count", 1, 8, "generation_config.")
    _range(config, "max_output_tokens", 1, None, "generation_config.")
    return system_text, msgs, config


def gemini_build(reply, model, plan, config, id_seed):
    limit_cut = reply.cut
    count = int(get(config, "candidate_count") or 1)
    thoughts = 2 if reply.thinking else 0

    def build(pad):
        usage = {"promptTokenCount": reply.input_tokens,
                 "candidatesTokenCount": reply.output_tokens,
                 "totalTokenCount": reply.input_tokens + reply.output_tokens + thoughts}
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        obj = {}
        if reply.blocked:
            usage = {"promptTokenCount": reply.input_tokens,
                     "totalTokenCount": reply.input_tokens}
            obj["promptFeedback"] = {"blockReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH",
                 "blocked": True}]}
        elif not plan.empty:
            candidates = []
            for i in range(count):
                p = pad if i == 0 else ""
                if plan.null_content:
                    content = {"role": "model"}
                    finish = "MAX_TOKENS"
                else:
                    if reply.thinking:
                        one, two = reply.parts()
                        parts = [{"text": llm.THOUGHT, "thought": True},
                                 {"text": one}, {"text": two + p}]
                    else:
                        parts = [{"text": reply.text + p}]
                    content = {"parts": parts, "role": "model"}
                    finish = "MAX_TOKENS" if limit_cut else "STOP"
                candidates.append({"content": content, "finishReason": finish,
                                   "index": i})
            obj["candidates"] = candidates
        obj["usageMetadata"] = usage
        obj["modelVersion"] = model
        obj["responseId"] = answers.stable_id(model, id_seed)
        return dump_json(obj)
    return build


def _response_schema(config):
    """The responseSchema a JSON answer must follow, or None for text."""
    mime = get(config, "response_mime_type")
    schema = get(config, "response_schema")
    if schema is not None and mime != "application/json":
        raise bad_request("* GenerateContentRequest.generation_config.response_mime_type: "
                          "response_schema requires response_mime_type to be "
                          "application/json\n", "generation_config.response_mime_type")
    if mime != "application/json":
        return None
    if schema is None:
        return {}
    try:
        structured.check_gemini_schema(schema)
    except structured.SchemaError as e:
        raise bad_request(str(e), "generation_config.response_schema")
    return schema


def generate(call, model, api, service, role_required):
    body = parse_json_body(call)
    system, msgs, config = parse_generate(body, api, call.state.strict_params,
                                          role_required)
    users = [t for r, t in msgs if r == "user"]
    limit = get(config, "max_output_tokens")
    reply = llm.Reply(system, users, None if limit is None else int(float(limit)),
                      other_texts=[t for r, t in msgs if r != "user"])
    schema = _response_schema(config)
    if schema is not None:
        text = structured.answer_text(schema, system, users[-1] if users else "")
        reply.text, reply.cut = structured.cut_text(text, None if limit is None
                                                    else int(float(limit)))
        reply.output_tokens = answers.count_tokens(reply.text)
    plan = faults.parse_all(users)
    sent = call.header("x-goog-api-key") or call.query.get("key") or \
        call.header("Authorization")
    llm.apply_faults(call, plan, fault_maker(service, model), _error_body, sent)
    build = gemini_build(reply, model, plan, config, dump_json(get(body, "contents")))
    return llm.finish(plan, build, _headers(call))


def _headers(call):
    return [("x-goog-request-id", "standin-%06d" % call.request_no),
            ("Server-Timing", "gfet4t7; dur=%d" % call.elapsed_ms())]


# --------------------------------------------------------------------------
# Google AI
# --------------------------------------------------------------------------

def _googleai_auth(call):
    key = call.header("x-goog-api-key")
    if key is None and "key" in call.query:
        key = call.query["key"]
        call.state.count("googleai_key_in_query")
        call.auth_detail = "API key sent as ?key=; send the x-goog-api-key header instead"
    if not call.check_key("googleai", key):
        raise ApiError(google_error(400, "API key not valid. Please pass a valid API key.",
                                    [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                      "reason": "API_KEY_INVALID",
                                      "domain": "googleapis.com",
                                      "metadata": {"service":
                                                   "generativelanguage.googleapis.com"}}]))


GOOGLEAI_API = "google.ai.generativelanguage.v1beta"
GOOGLEAI = "generativelanguage.googleapis.com"


def _googleai_generate(call):
    _googleai_auth(call)
    return generate(call, call.params["model"], GOOGLEAI_API, GOOGLEAI, False)


def _embed_dims(model, requested, path):
    default = 3072 if "gemini-embedding" in model else 768
    if requested is None:
        return default
    requested = int(requested)
    if not 1 <= requested <= default:
        raise bad_request("* EmbedContentRequest.output_dimensionality: must be between "
                          "1 and %d\n" % default, path)
    return requested


def _embed_one(req, model, path):
    """(text with markers, dims) of one EmbedContentRequest."""
    content = get(req, "content")
    if not content or not get(content, "parts"):
        raise bad_request("* EmbedContentRequest.content: content is not specified\n",
                          path + "content")
    return content_text(content), _embed_dims(model, get(req, "output_dimensionality"),
                                              path + "output_dimensionality")


def _embed_answer(call, model, items, single):
    """items: [(text with markers, dims)]."""
    plans = [faults.parse(t) for t, _ in items]
    plan = faults.parse_all(t for t, _ in items)
    llm.apply_faults(call, plan, fault_maker(GOOGLEAI, model), _error_body,
                     call.header("x-goog-api-key") or call.query.get("key"))
    values = [None if p.null_content else
              answers.embedding_json(faults.strip_markers(t), dims)
              for p, (t, dims) in zip(plans, items)]

    def build(pad):
        if single:
            obj = {"embedding": {"values": [] if plan.empty else values[0]}}
        else:
            obj = {"embeddings": [] if plan.empty else [{"values": v} for v in values]}
        if plan.big:
            obj["padding"] = pad
        return dump_json(obj)
    return llm.finish(plan, build, _headers(call))


def _googleai_embed(call):
    _googleai_auth(call)
    model = call.params["model"]
    body = parse_json_body(call)
    Parser(GOOGLEAI_API, call.state.strict_params).check(body, EMBED_REQUEST)
    return _embed_answer(call, model, [_embed_one(body, model, "")], True)


def _googleai_batch_embed(call):
    _googleai_auth(call)
    model = call.params["model"]
    body = parse_json_body(call)
    Parser(GOOGLEAI_API, call.state.strict_params).check(body, BATCH_EMBED_REQUEST)
    requests = get(body, "requests") or []
    if not requests:
        raise bad_request("* BatchEmbedContentsRequest.requests: requests is not "
                          "specified\n", "requests")
    if len(requests) > MAX_BATCH_EMBED:
        raise bad_request("* BatchEmbedContentsRequest.requests: at most %d requests can "
                          "be in one batch\n" % MAX_BATCH_EMBED, "requests")
    items = []
    for i, req in enumerate(requests):
        path = "requests[%d]." % i
        if req.get("model") != "models/" + model:
            raise bad_request("* BatchEmbedContentsRequest.requests[%d].model: the model "
                              "must be the one in the URL (models/%s), got %s\n" % (
                                  i, model, json.dumps(req.get("model"))), path + "model")
        items.append(_embed_one(req, model, path))
    return _embed_answer(call, model, items, False)


# --------------------------------------------------------------------------
# OAuth2 token endpoint (JWT bearer grant)
# --------------------------------------------------------------------------

class GrantError(Exception):
    def __init__(self, error, description, detail=None):
        Exception.__init__(self, description)
        self.error = error
        self.description = description
        self.detail = detail or description


def _b64url(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


BAD_SIGNATURE = "Invalid JWT Signature."
BAD_TIME = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            "reasonable timeframe. Check your iat and exp values in the JWT claim.")


def verify_assertion(assertion, settings, audiences, now=None):
    """The claims of a valid service-account JWT; raises GrantError."""
    now = time.time() if now is None else now
    parts = assertion.split(".")
    if len(parts) != 3:
        raise GrantError("invalid_grant", "Invalid JWT: the assertion must have three "
                                          "base64url parts")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except ValueError as e:
        raise GrantError("invalid_grant", "Invalid JWT: could not decode: %s" % e)
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise GrantError("invalid_grant", "Invalid JWT: header and claims must be objects")
    if header.get("alg") != "RS256":
        raise GrantError("invalid_grant", "Invalid JWT: unsupported alg %r (use RS256)"
                         % header.get("alg"))
    if header.get("typ") != "JWT":
        raise GrantError("invalid_grant", "Invalid JWT: typ must be \"JWT\", got %r"
                         % header.get("typ"))
    pem = settings.get("gcp_public_key")
    if not pem:
        raise GrantError("invalid_grant", BAD_SIGNATURE, "the stand-in has no public key "
                         "(start it with --gcp-public-key or set gcp_public_key)")
    kid = settings.get("gcp_key_id") or make_service_account.public_key_id(pem)
    if header.get("kid") != kid:
        raise GrantError("invalid_grant", BAD_SIGNATURE, "header kid %r is not the "
                         "expected key id %r" % (header.get("kid"), kid))
    try:
        load_public_key(pem).verify(signature, (parts[0] + "." + parts[1]).encode("ascii"),
                                    padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise GrantError("invalid_grant", BAD_SIGNATURE, "RS256 signature does not verify "
                         "with the configured public key")
    email = settings.get("gcp_client_email")
    if claims.get("iss") != email:
        raise GrantError("invalid_grant", "Invalid grant: account not found",
                         "iss %r is not %r" % (claims.get("iss"), email))
    if claims.get("aud") not in audiences:
        raise GrantError("invalid_grant", "Invalid JWT: Failed audience check. The right "
                         "audience is %s" % audiences[0],
                         "aud %r is none of %s" % (claims.get("aud"), ", ".join(audiences)))
    scope = claims.get("scope")
    if not isinstance(scope, str) or CLOUD_PLATFORM not in scope.split():
        raise GrantError("invalid_scope", "Invalid OAuth scope or ID token audience "
                         "provided.", "scope %r lacks %s" % (scope, CLOUD_PLATFORM))
    iat, exp = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (iat, exp)):
        raise GrantError("invalid_grant", BAD_TIME, "iat and exp must be numbers")
    if abs(now - iat) > MAX_IAT_SKEW_S:
        raise GrantError("invalid_grant", BAD_TIME, "iat is %+d s from now (limit %d s)"
                         % (iat - now, MAX_IAT_SKEW_S))
    if exp <= iat or exp - iat > MAX_LIFETIME_S or exp <= now:
        raise GrantError("invalid_grant", BAD_TIME, "exp - iat = %d s (must be 1..%d and "
                         "exp in the future)" % (exp - iat, MAX_LIFETIME_S))
    return claims


def token_audiences(call):
    host = call.header("Host")
    return list(GOOGLE_TOKEN_URIS) + (["http://%s/token" % host] if host else [])


def _token(call):
    form = parse_qs(call.body.decode("utf-8", "replace"), keep_blank_values=True)

    def fail(status, error, description, detail=None):
        call.auth = "wrong"
        call.auth_detail = detail or description
        call.state.count("token_rejections")
        call.state.log("token grant rejected: %s" % call.auth_detail)
        return ApiError(Response.json(status, {"error": error,
                                               "error_description": description}))
    grant = (form.get("grant_type") or [None])[0]
    if grant is None:
        raise fail(400, "invalid_request", "Missing required parameter: grant_type")
    if grant != JWT_GRANT:
        raise fail(400, "unsupported_grant_type", "Invalid grant_type: %s" % grant)
    assertion = (form.get("assertion") or [None])[0]
    if not assertion:
        call.auth = "missing"
        raise fail(400, "invalid_request", "Missing required parameter: assertion")
    settings = call.state.config()
    try:
        verify_assertion(assertion, settings, token_audiences(call))
    except GrantError as e:
        raise fail(400, e.error, e.description, e.detail)
    ttl = settings["gcp_token_ttl"]
    expires_in = settings["gcp_token_expires_in"]
    token = "ya29.standin-" + secrets.token_urlsafe(24)
    with call.state.lock:
        tokens = call.state.store.setdefault("vertex_tokens", {})
        now = time.time()
        for old in [t for t, exp in tokens.items() if exp < now - 3600]:
            del tokens[old]
        tokens[token] = now + ttl
    call.auth = "ok"
    call.state.count("token_grants")
    return Response.json(200, {"access_token": token,
                               "expires_in": ttl if expires_in is None else expires_in,
                               "token_type": "Bearer"},
                         [("Cache-Control", "no-cache, no-store, max-age=0, "
                                            "must-revalidate"), ("Pragma", "no-cache")])


# --------------------------------------------------------------------------
# Vertex AI
# --------------------------------------------------------------------------

VERTEX_API = "google.cloud.aiplatform.v1"
VERTEX = "aiplatform.googleapis.com"


def _vertex_auth(call):
    token = call.bearer_token()
    if not token:
        call.auth = "missing"
        raise ApiError(unauthenticated("CREDENTIALS_MISSING"))
    with call.state.lock:
        expiry = call.state.store.get("vertex_tokens", {}).get(token)
    if expiry is None:
        call.auth = "wrong"
        raise ApiError(unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED"))
    if expiry <= time.time():
        call.auth = "expired"
        raise ApiError(unauthenticated("ACCESS_TOKEN_EXPIRED"))
    call.auth = "ok"


def _vertex_gemini(call):
    _vertex_auth(call)
    return generate(call, call.params["model"], VERTEX_API, VERTEX, True)


EMBED_INSTANCE = msg("TextEmbeddingInstance", content=S, task_type=TASK_TYPE, title=S)
EMBED_PARAMETERS = msg("TextEmbeddingParameters", auto_truncate=B,
                       output_dimensionality=I32)
PREDICT_EMBED = msg("PredictRequest", instances=rep(EMBED_INSTANCE),
                    parameters=EMBED_PARAMETERS)


def _vertex_embeddings(call):
    _vertex_auth(call)
    model = call.params["model"]
    body = parse_json_body(call)
    # Vertex embedding instances use snake_case names (task_type); both spellings
    # are read, as by Google's parser.
    Parser(VERTEX_API, call.state.strict_params).check(body, PREDICT_EMBED)
    instances = body.get("instances") or []
    if not instances:
        raise bad_request("Invalid request: \"instances\" must be a non-empty array.",
                          "instances")
    limit = 1 if "gemini-embedding" in model else MAX_VERTEX_INSTANCES
    if len(instances) > limit:
        raise bad_request("Unable to submit request because the model supports up to "
                          "%d instances per request, but %d were sent." % (
                              limit, len(instances)), "instances")
    for i, inst in enumerate(instances):
        if not isinstance(inst.get("content"), str):
            raise bad_request("* instances[%d].content: content is required\n" % i,
                              "instances[%d].content" % i)
    params = body.get("parameters") or {}
    dims = _embed_dims(model, get(params, "output_dimensionality"),
                       "parameters.output_dimensionality")
    texts = [inst["content"] for inst in instances]
    requested = sum(answers.count_tokens(faults.strip_markers(t)) for t in texts)
    if requested > MAX_VERTEX_EMBED_TOKENS:
        raise bad_request("Unable to submit request because the input token count is "
                          "%d but the model supports up to %d. Reduce the input token "
                          "count and try again." % (requested, MAX_VERTEX_EMBED_TOKENS),
                          "instances")
    plans = [faults.parse(t) for t in texts]
    plan = faults.parse_all(texts)
    llm.apply_faults(call, plan, fault_maker(VERTEX, model), _error_body,
                     call.header("Authorization"))
    clean = [faults.strip_markers(t) for t in texts]

    def build(pad):
        predictions = [] if plan.empty else [{"embeddings": {
            "values": None if p.null_content else answers.embedding_json(t, dims),
            "statistics": {"token_count": answers.count_tokens(t), "truncated": False}}}
            for p, t in zip(plans, clean)]
        obj = {"predictions": predictions,
               "metadata": {"billableCharacterCount": sum(len(t) for t in clean)}}
        if plan.big:
            obj["padding"] = pad
        return dump_json(obj)
    return llm.finish(plan, build, _headers(call))


def _vertex_claude(call):
    _vertex_auth(call)
    model = call.params["model"]
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ApiError(anthropic_error(400, "There was an error parsing the body: %s" % e))
    try:
        system, msgs, limit, thinking = llm.parse_claude(body, "vertex",
                                                         call.state.strict_params)
        if body.get("stream"):
            raise llm.Invalid(("stream",), "value", detail=(
                "streaming is not supported by the stand-in; use :rawPredict without "
                "\"stream\""))
        tool = structured.claude_tool(body)
    except llm.Invalid as e:
        raise ApiError(anthropic_error(400, llm.anthropic_message(e)))
    except structured.ToolError as e:
        raise ApiError(anthropic_error(400, str(e)))
    reply = llm.claude_reply(system, msgs, limit)
    plan = faults.parse_all(t for r, t in msgs if r == "user")
    llm.apply_faults(call, plan, fault_maker(VERTEX, model), _error_body,
                     call.header("Authorization"))
    build = llm.claude_message(reply, model.split("@")[0], plan, thinking,
                               dump_json(body.get("messages")), tool)
    return llm.finish(plan, build, _headers(call))


def _vertex_bad_input(message):
    return google_error(400, message)


def _vertex_predict(call):
    _vertex_auth(call)
    endpoint = call.params["endpoint"]
    body = parse_json_body(call)
    if call.state.strict_params:
        for key in body:
            if key not in ("instances", "parameters"):
                raise bad_request("Invalid JSON payload received. Unknown name \"%s\": "
                                  "Cannot find field." % key)
    if not isinstance(body.get("instances"), list):
        raise bad_request("Invalid request: \"instances\" must be an array.", "instances")
    p, l = call.params["project"], call.params["location"]
    extra = {"deployedModelId": "1", "model": "projects/%s/locations/%s/models/1" % (p, l),
             "modelDisplayName": endpoint, "modelVersionId": "1"}
    return predictive.respond(
        call, endpoint, fault_maker(VERTEX, endpoint), _error_body, _vertex_bad_input,
        _headers(call), body=dump_json({"instances": body["instances"]}),
        content_type="application/json", extra_fields=extra)


def _vertex_raw_predict(call):
    _vertex_auth(call)
    endpoint = call.params["endpoint"]
    return predictive.respond(call, endpoint, fault_maker(VERTEX, endpoint), _error_body,
                              _vertex_bad_input, _headers(call))


_VERTEX_BASE = (r"^/(?:v1|v1beta1)/projects/(?P<project>[^/]+)/locations/"
                r"(?P<location>[^/]+)/")

ROUTES = [
    Route("googleai.generate", "POST",
          r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):generateContent$",
          _googleai_generate, priority=20),
    Route("googleai.embed", "POST",
          r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):embedContent$",
          _googleai_embed, priority=20),
    Route("googleai.batch_embed", "POST",
          r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):batchEmbedContents$",
          _googleai_batch_embed, priority=20),
    Route("vertex.token", "POST", r"^/token$", _token, priority=20),
    Route("vertex.gemini", "POST",
          _VERTEX_BASE + r"publishers/google/models/(?P<model>[^/:]+):generateContent$",
          _vertex_gemini, priority=20),
    Route("vertex.embeddings", "POST",
          _VERTEX_BASE + r"publishers/google/models/(?P<model>[^/:]+):predict$",
          _vertex_embeddings, priority=20),
    Route("vertex.claude", "POST",
          _VERTEX_BASE + r"publishers/anthropic/models/(?P<model>[^/:]+):rawPredict$",
          _vertex_claude, priority=20),
    Route("vertex.predict", "POST",
          _VERTEX_BASE + r"endpoints/(?P<endpoint>[^/:]+):predict$",
          _vertex_predict, priority=20),
    Route("vertex.raw_predict", "POST",
          _VERTEX_BASE + r"endpoints/(?P<endpoint>[^/:]+):rawPredict$",
          _vertex_raw_predict, priority=20),
]
