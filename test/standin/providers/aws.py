"""AWS: Bedrock runtime InvokeModel and SageMaker runtime InvokeEndpoint,
both behind real Signature Version 4 checks.

Routes (POST only; an optional trailing "/" is accepted):
  /model/{modelId}/invoke          Bedrock, SigV4 service "bedrock"
  /endpoints/{name}/invocations    SageMaker, SigV4 service "sagemaker"

Credentials are key entries whose value is an object
{"access_key_id", "secret_access_key", "session_token"?} (or an array of
them); any key name holding one is accepted, so tests can add more with
POST /_control/config.  The signature is recomputed with botocore over
exactly what arrived: method, the path as sent on the wire (still
percent-encoded, so "%3A" is canonicalised as "%253A", as AWS does for every
service but S3), the raw query, the signed headers and the raw body.

Bedrock picks the model's native schema from the model id (see FAMILIES) and
is as strict as Bedrock: unknown fields or wrong types are a 400
ValidationException "Malformed input request: ...".  SageMaker hands the
body to the predictive model (predictive.py) or, for endpoint names starting
with "llm-", answers it as an LLM request.  See README.md for the details.
"""

import datetime
import hashlib
import hmac
import json
import re
from urllib.parse import unquote

import answers
import faults
import llm
import structured
import predictive
from common import ApiError, Response, dump_json
from llm import Field
from providers import Route

from botocore.auth import SigV4Auth          # python3-botocore
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

DEFAULT_KEYS = {
    "aws": {"access_key_id": "AKIAMLPREDICTTEST01",
            "secret_access_key": "mlpredict+test/Secret/Key0123456789abcdefGH"},
    "aws_session": {"access_key_id": "ASIAMLPREDICTTEST02",
                    "secret_access_key": "mlpredict+session/Secret/Key9876543210zyxwvu",
                    "session_token": "IQoJb3JpZ2luX2VjEMLPREDICT//session+token/TEST=="},
}
COUNTERS = ("sigv4_rejections",)

ACCOUNT = "123456789012"
MAX_SKEW_S = 15 * 60
CORAL_SERVICE = ":http://internal.amazon.com/coral/com.amazon.coral.service/"
CORAL_BEDROCK = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
SIG_MISMATCH = ("The request signature we calculated does not match the signature "
                "you provided. Check your AWS Secret Access Key and signing method. "
                "Consult the service documentation for details.")
BAD_TOKEN = "The security token included in the request is invalid."


def aws_error(status, type_, message, suffix="", headers=None):
    resp = Response.json(status, {"message": message}, headers)
    resp.add_header("x-amzn-ErrorType", type_ + suffix)
    resp.add_header("x-amzn-RequestId", "standin-error")
    return resp


# --------------------------------------------------------------------------
# Signature Version 4
# --------------------------------------------------------------------------

class SigError(Exception):
    """Why a request's signature was refused."""

    def __init__(self, type_, message, detail=None, auth="wrong"):
        Exception.__init__(self, message)
        self.type = type_
        self.message = message
        self.detail = detail or message
        self.auth = auth


class _Verifier(SigV4Auth):
    """botocore's signer, but signing exactly the headers it is given
    (botocore leaves out user-agent, expect and x-amzn-trace-id)."""

    def headers_to_sign(self, request):
        out = HTTPHeaders()
        for name, value in request.headers.items():
            out[name.lower()] = value
        return out


def find_credential(keys, access_key_id):
    """The credential object whose access_key_id matches, else None."""
    for value in keys.values():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict) and v.get("access_key_id") == access_key_id:
                return v
    return None


_AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)
_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")


def expected_signature(method, path, raw_query, headers, signed, body, credential,
                       region, service, amz_date):
    """(signature, canonical request, string to sign) as botocore computes them."""
    url = "http://standin" + path + ("?" + raw_query if raw_query else "")
    request = AWSRequest(method=method, url=url, data=body)
    for name in signed:
        for value in headers.get_all(name) or []:
            request.headers[name] = value
    request.context["timestamp"] = amz_date
    signer = _Verifier(Credentials(credential["access_key_id"],
                                   credential["secret_access_key"],
                                   credential.get("session_token")), service, region)
    canonical = signer.canonical_request(request)
    to_sign = signer.string_to_sign(request, canonical)
    return signer.signature(to_sign, request), canonical, to_sign


def check_signature(method, path, raw_query, headers, body, service, keys, now=None):
    """Verify an AWS4-HMAC-SHA256 Authorization header.

    headers -- an object with get(name) and get_all(name) (http.client's)
    keys    -- the configured keys ({name: value})
    Returns (credential object, region); raises SigError.
    """
    auth = headers.get("Authorization")
    if not auth:
        raise SigError("MissingAuthenticationTokenException",
                       "Missing Authentication Token", auth="missing")
    m = _AUTH_RE.match(auth.strip())
    if not m:
        raise SigError("IncompleteSignatureException",
                       "Authorization header must use the AWS4-HMAC-SHA256 algorithm.")
    parts = {}
    for item in m.group(1).split(","):
        name, _, value = item.strip().partition("=")
        parts[name.strip()] = value.strip()
    missing = [p for p in ("Credential", "SignedHeaders", "Signature") if not parts.get(p)]
    if missing:
        raise SigError("IncompleteSignatureException", " ".join(
            "Authorization header requires '%s' parameter." % p for p in missing))
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        raise SigError("IncompleteSignatureException",
                       "Credential should be scoped to a valid region. ")
    access_key_id, scope_date, region, scope_service, terminator = scope
    if terminator != "aws4_request":
        raise SigError("InvalidSignatureException",
                       "Credential should be scoped with a valid terminator: "
                       "'aws4_request', not '%s'. " % terminator)
    credential = find_credential(keys, access_key_id)
    if credential is None:
        raise SigError("UnrecognizedClientException", BAD_TOKEN,
                       "unknown access key id %s" % access_key_id)
    if scope_service != service:
        raise SigError("InvalidSignatureException",
                       "Credential should be scoped to correct service: '%s'. " % service)
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed:
        raise SigError("InvalidSignatureException",
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                       "Authorization.")
    amz_date = headers.get("X-Amz-Date")
    if not amz_date:
        raise SigError("IncompleteSignatureException",
                       "Authorization header requires existence of either a "
                       "'X-Amz-Date' or a 'Date' header. ")
    if "x-amz-date" not in signed:
        raise SigError("InvalidSignatureException",
                       "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
    try:
        if not _DATE_RE.match(amz_date):
            raise ValueError
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        raise SigError("IncompleteSignatureException",
                       "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                       "http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
    if scope_date != amz_date[:8]:
        raise SigError("InvalidSignatureException",
                       "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                       "version of date from HTTP: '%s' != '%s', from '%s'." % (
                           scope_date, amz_date[:8], amz_date))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y%m%dT%H%M%SZ"
    skew = (now - when).total_seconds()
    if skew > MAX_SKEW_S:
        raise SigError("InvalidSignatureException",
                       "Signature expired: %s is now earlier than %s (%s - 15 min.)" % (
                           amz_date, (now - datetime.timedelta(seconds=MAX_SKEW_S)
                                      ).strftime(fmt), now.strftime(fmt)))
    if -skew > MAX_SKEW_S:
        raise SigError("InvalidSignatureException",
                       "Signature not yet current: %s is still later than %s (%s + 15 "
                       "min.)" % (amz_date, (now + datetime.timedelta(
                           seconds=MAX_SKEW_S)).strftime(fmt), now.strftime(fmt)))
    token = headers.get("X-Amz-Security-Token")
    session = credential.get("session_token")
    if token is not None or session:
        if token is None:
            raise SigError("UnrecognizedClientException", BAD_TOKEN,
                           "temporary credentials need X-Amz-Security-Token")
        if not session or not hmac.compare_digest(token.encode(), session.encode()):
            raise SigError("UnrecognizedClientException", BAD_TOKEN,
                           "X-Amz-Security-Token does not belong to this access key")
        if "x-amz-security-token" not in signed:
            raise SigError("InvalidSignatureException", SIG_MISMATCH,
                           "X-Amz-Security-Token is sent but not signed")
    for name in signed:
        if name != name.lower() or not headers.get_all(name):
            raise SigError("InvalidSignatureException", SIG_MISMATCH,
                           "signed header %r is not in the request (or not lower-case)"
                           % name)
    content_sha = headers.get("X-Amz-Content-SHA256")
    if content_sha is not None and content_sha != hashlib.sha256(body).hexdigest():
        raise SigError("InvalidSignatureException", SIG_MISMATCH,
                       "X-Amz-Content-SHA256 is not the SHA-256 of the body")
    signature, canonical, to_sign = expected_signature(
        "POST" if method is None else method, path, raw_query, headers, signed, body,
        credential, region, service, amz_date)
    if not hmac.compare_digest(signature.encode(), parts["Signature"].encode()):
        raise SigError("InvalidSignatureException", SIG_MISMATCH,
                       "canonical request:\n%s\n\nstring to sign:\n%s\n\nexpected "
                       "signature %s" % (canonical, to_sign, signature))
    return credential, region


def authenticate(call, service):
    """check_signature for a Call; answers 403 on failure.  Returns the region."""
    try:
        _, region = check_signature(call.method, call.path, call.raw_query, call.headers,
                                    call.body, service, call.state.config()["keys"])
    except SigError as e:
        call.auth = e.auth
        call.auth_detail = "%s: %s" % (e.type, e.detail)
        call.state.count("sigv4_rejections")
        call.state.log("sigv4 rejected %s %s: %s" % (call.method, call.path,
                                                      call.auth_detail))
        raise ApiError(aws_error(403, e.type, e.message, CORAL_SERVICE))
    call.auth = "ok"
    return region


# --------------------------------------------------------------------------
# Bedrock
# --------------------------------------------------------------------------

REGION_PREFIXES = ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.")
LEGACY_CLAUDE = ("anthropic.claude-v2", "anthropic.claude-instant-v1")


def base_model_id(model_id):
    """The foundation-model id of a model id, inference-profile id or ARN."""
    base = model_id
    if base.startswith("arn:"):
        base = base.rsplit("/", 1)[-1]
    for prefix in REGION_PREFIXES:
        if base.startswith(prefix):
            return base[len(prefix):]
    return base


def bedrock_family(base):
    if base.startswith("amazon.titan-embed-text-v2"):
        return "titan_embed_v2"
    if base.startswith(("amazon.titan-embed-text-v1", "amazon.titan-embed-g1-text")):
        return "titan_embed_v1"
    if base.startswith(("amazon.titan-text-", "amazon.titan-tg1")):
        return "titan_text"
    if base.startswith("anthropic."):
        for legacy in LEGACY_CLAUDE:
            if base == legacy or base.startswith(legacy + ":"):
                return "claude_completion"
        return "claude_messages"
    if base.startswith("ai21."):
        return "ai21"
    if base.startswith("cohere.command-r"):
        return "cohere_chat"
    if base.startswith("cohere.command"):
        return "cohere_generate"
    if base.startswith("cohere.embed"):
        return "cohere_embed"
    if base.startswith("meta."):
        return "meta"
    if base.startswith("mistral."):
        return "mistral"
    return None


_BEDROCK_FAULTS = {
    400: ("ValidationException", "Injected validation error."),
    403: ("AccessDeniedException",
          "You don't have access to the model with the specified model ID."),
    404: ("ResourceNotFoundException", "Could not resolve the foundation model from "
                                       "the provided model identifier."),
    408: ("ModelTimeoutException", "Model has timed out in processing the request. "
                                   "Try your request again."),
    424: ("ModelErrorException", "The model returned an error. Try your request again."),
    500: ("InternalServerException", "The server encountered an internal error while "
                                     "processing the request."),
    503: ("ServiceUnavailableException", "Bedrock is unable to process your request."),
}


def bedrock_fault(status, kind, retry_after):
    if kind == "quota":
        resp = aws_error(400, "ServiceQuotaExceededException", (
            "Your request exceeded the service quota for your account. You can view "
            "your quotas at https://console.aws.amazon.com/servicequotas/home. You can "
            "resubmit your request later."), CORAL_BEDROCK)
    elif status == 429:
        resp = aws_error(429, "ThrottlingException",
                         "Too many requests, please wait before trying again.",
                         CORAL_BEDROCK)
    else:
        type_, message = _BEDROCK_FAULTS.get(status, (
            "InternalServerException" if status >= 500 else "ValidationException",
            "Injected error %d." % status))
        resp = aws_error(status, type_, message, CORAL_BEDROCK)
    if retry_after:
        resp.add_header("Retry-After", retry_after)
    return resp


def bedrock_invalid(message):
    return ApiError(aws_error(400, "ValidationException", message, CORAL_BEDROCK))


def _bedrock_error_body(status, message):
    return aws_error(status, "ValidationException", message, CORAL_BEDROCK)


def _bedrock_headers(call, input_tokens, output_tokens):
    return [("x-amzn-RequestId", "standin-%06d" % call.request_no),
            ("X-Amzn-Bedrock-Invocation-Latency", str(call.elapsed_ms())),
            ("X-Amzn-Bedrock-Input-Token-Count", str(input_tokens)),
            ("X-Amzn-Bedrock-Output-Token-Count", str(output_tokens))]


def _check(call, body, spec):
    try:
        llm.check_fields(body, spec, (), call.state.strict_params)
    except llm.Invalid as e:
        raise bedrock_invalid(llm.bedrock_malformed(e))


def _text_model(call, plan_texts, reply, build):
    """Apply faults (from plan_texts), then answer build(pad) -> obj."""
    plan = faults.parse_all(plan_texts)
    llm.apply_faults(call, plan, bedrock_fault, _bedrock_error_body)
    headers = _bedrock_headers(call, reply.input_tokens, reply.output_tokens)
    return llm.finish(plan, lambda pad: dump_json(build(plan, pad)), headers)


TITAN_TEXT_FIELDS = {
    "inputText": Field("string", required=True),
    "textGenerationConfig": Field("object", fields={
        "temperature": Field("number", lo=0, hi=1),
        "topP": Field("number", lo=0, hi=1),
        "maxTokenCount": Field("integer", lo=1),
        "stopSequences": Field("array", items=Field("string"))}),
}


def _titan_text(call, body, model):
    _check(call, body, TITAN_TEXT_FIELDS)
    limit = (body.get("textGenerationConfig") or {}).get("maxTokenCount")
    system, user = llm.split_prompt(body["inputText"])
    reply = llm.Reply(system, [user], limit)

    def build(plan, pad):
        results = [] if plan.empty else [{
            "tokenCount": reply.output_tokens,
            "outputText": llm.padded_text(plan, reply.text, pad),
            "completionReason": "LENGTH" if reply.cut else "FINISH"}]
        return {"inputTextTokenCount": reply.input_tokens, "results": results}
    return _text_model(call, [user], reply, build)


def _titan_embed(call, body, model, v2):
    spec = {"inputText": Field("string", required=True, min_len=1)}
    if v2:
        spec.update({"dimensions": Field("integer", enum=[256, 512, 1024]),
                     "normalize": Field("boolean"),
                     "embeddingTypes": Field("array", min_len=1, items=Field(
                         "string", enum=["float", "binary"]))})
    _check(call, body, spec)
    raw = body["inputText"]
    plan = faults.parse(raw)
    llm.apply_faults(call, plan, bedrock_fault, _bedrock_error_body)
    text = faults.strip_markers(raw)
    tokens = answers.count_tokens(text)
    dims = body.get("dimensions", 1024) if v2 else 1536
    vector = answers.embedding(text, dims)
    serialised = answers.embedding_json(text, dims)
    if v2 and body.get("normalize") is False:
        vector = [round(x * 2.5, 6) for x in vector]
        serialised = vector
    if plan.null_content:
        vector = serialised = None
    elif plan.empty:
        vector = serialised = []

    def build(pad):
        obj = {"embedding": serialised, "inputTextTokenCount": tokens}
        if v2:
            types = body.get("embeddingTypes") or ["float"]
            obj["embeddingsByType"] = {}
            if "float" in types:
                obj["embeddingsByType"]["float"] = serialised
            if "binary" in types:
                obj["embeddingsByType"]["binary"] = None if vector is None else \
                    [1 if x > 0 else 0 for x in vector]
        if plan.big:
            obj["padding"] = pad
        return dump_json(obj)
    return llm.finish(plan, build, _bedrock_headers(call, tokens, 0))


def _claude_completion(call, body, model):
    spec = dict(llm.CLAUDE_COMPLETION_FIELDS, anthropic_version=Field("string"))
    try:
        system, user, limit = llm.parse_claude_completion(body, spec,
                                                         call.state.strict_params)
    except llm.Invalid as e:
        raise bedrock_invalid(llm.bedrock_malformed(e))
    reply = llm.Reply(system, [user], limit)

    def build(plan, pad):
        return {"type": "completion",
                "completion": llm.padded_text(plan, "" if plan.empty else reply.text, pad),
                "stop_reason": "max_tokens" if reply.cut else "stop_sequence",
                "stop": None if reply.cut else "\n\nHuman:"}
    return _text_model(call, [user], reply, build)


def claude_model_name(base):
    """"anthropic.claude-3-haiku-20240307-v1:0" -> "claude-3-haiku-20240307"."""
    name = base.split(".", 1)[-1]
    return re.sub(r"-v\d+(:\d+)?$", "", name)


def _claude_messages(call, body, model):
    try:
        system, msgs, limit, thinking = llm.parse_claude(body, "bedrock",
                                                         call.state.strict_params)
        tool = structured.claude_tool(body)
    except llm.Invalid as e:
        raise bedrock_invalid(llm.bedrock_malformed(e))
    except structured.ToolError as e:
        raise bedrock_invalid(str(e))
    reply = llm.claude_reply(system, msgs, limit)
    plan = faults.parse_all(t for r, t in msgs if r == "user")
    llm.apply_faults(call, plan, bedrock_fault, _bedrock_error_body)
    build = llm.claude_message(reply, claude_model_name(model), plan, thinking,
                               dump_json(body.get("messages")), tool)
    return llm.finish(plan, build, _bedrock_headers(call, reply.input_tokens,
                                                    reply.output_tokens))


AI21_FIELDS = {
    "prompt": Field("string", required=True),
    "temperature": Field("number", lo=0, hi=1),
    "topP": Field("number", lo=0, hi=1),
    "maxTokens": Field("integer", lo=1),
    "minTokens": Field("integer", lo=0),
    "stopSequences": Field("array", items=Field("string")),
    "numResults": Field("integer", lo=1, hi=16),
    "countPenalty": Field("object"),
    "presencePenalty": Field("object"),
    "frequencyPenalty": Field("object"),
}


def _ai21(call, body, model):
    _check(call, body, AI21_FIELDS)
    system, user = llm.split_prompt(body["prompt"])
    reply = llm.Reply(system, [user], body.get("maxTokens"))

    def build(plan, pad):
        completions = [] if plan.empty else [{
            "data": {"text": llm.padded_text(plan, reply.text, pad), "tokens": []},
            "finishReason": {"reason": "length" if reply.cut else "endoftext"}}
            for _ in range(body.get("numResults", 1))]
        return {"id": 1234, "prompt": {"text": body["prompt"], "tokens": []},
                "completions": completions}
    return _text_model(call, [user], reply, build)


COHERE_CHAT_FIELDS = {
    "message": Field("string", required=True),
    "preamble": Field("string"),
    "chat_history": Field("array", items=Field("object")),
    "temperature": Field("number", lo=0, hi=1),
    "p": Field("number", lo=0, hi=1),
    "k": Field("integer", lo=0, hi=500),
    "max_tokens": Field("integer", lo=1),
    "stop_sequences": Field("array", max_len=4, items=Field("string")),
    "seed": Field("integer"),
    "return_prompt": Field("boolean"),
    "documents": Field("array"),
    "search_queries_only": Field("boolean"),
    "prompt_truncation": Field("string", enum=["OFF", "AUTO_PRESERVE_ORDER"]),
    "frequency_penalty": Field("number", lo=0, hi=1),
    "presence_penalty": Field("number", lo=0, hi=1),
    "raw_prompting": Field("boolean"),
    "tools": Field("array"),
    "tool_results": Field("array"),
    "force_single_step": Field("boolean"),
}


def _cohere_chat(call, body, model):
    _check(call, body, COHERE_CHAT_FIELDS)
    history = [h.get("message") for h in body.get("chat_history") or []
               if isinstance(h.get("message"), str)]
    reply = llm.Reply(body.get("preamble"), [body["message"]], body.get("max_tokens"),
                      other_texts=history)
    rid = answers.stable_id(model, body["message"])

    def build(plan, pad):
        text = "" if plan.empty else llm.padded_text(plan, reply.text, pad)
        return {"response_id": rid, "text": text, "generation_id": rid[::-1],
                "chat_history": list(body.get("chat_history") or []) + [
                    {"role": "USER", "message": body["message"]},
                    {"role": "CHATBOT", "message": text}],
                "finish_reason": "MAX_TOKENS" if reply.cut else "COMPLETE"}
    return _text_model(call, [body["message"]], reply, build)


COHERE_GENERATE_FIELDS = {
    "prompt": Field("string", required=True),
    "temperature": Field("number", lo=0, hi=5),
    "p": Field("number", lo=0, hi=1),
    "k": Field("integer", lo=0, hi=500),
    "max_tokens": Field("integer", lo=1),
    "stop_sequences": Field("array", items=Field("string")),
    "return_likelihoods": Field("string", enum=["GENERATION", "ALL", "NONE"]),
    "stream": Field("boolean", enum=[False]),
    "num_generations": Field("integer", lo=1, hi=5),
    "logit_bias": Field("object"),
    "truncate": Field("string", enum=["NONE", "START", "END"]),
}


def _cohere_generate(call, body, model):
    _check(call, body, COHERE_GENERATE_FIELDS)
    system, user = llm.split_prompt(body["prompt"])
    reply = llm.Reply(system, [user], body.get("max_tokens"))
    gid = answers.stable_id(model, body["prompt"])

    def build(plan, pad):
        generations = [] if plan.empty else [{
            "id": "%s-%d" % (gid, i), "index": i,
            "text": llm.padded_text(plan, reply.text, pad),
            "finish_reason": "MAX_TOKENS" if reply.cut else "COMPLETE"}
            for i in range(body.get("num_generations", 1))]
        return {"id": gid, "prompt": body["prompt"], "generations": generations}
    return _text_model(call, [user], reply, build)


COHERE_EMBED_FIELDS = {
    "texts": Field("array", required=True, max_len=96,
                   items=Field("string", max_len=2048)),
    "input_type": Field("string", required=True, enum=[
        "search_document", "search_query", "classification", "clustering"]),
    "truncate": Field("string", enum=["NONE", "START", "END"]),
    "embedding_types": Field("array", min_len=1, items=Field(
        "string", enum=["float", "int8", "uint8", "binary", "ubinary"])),
    "output_dimension": Field("integer", enum=[256, 512, 1024, 1536]),
}


def _packed_bits(vector, signed):
    out = []
    for i in range(0, len(vector), 8):
        byte = 0
        for x in vector[i:i + 8]:
            byte = (byte << 1) | (1 if x > 0 else 0)
        out.append(byte - 128 if signed else byte)
    return out


def _cohere_embed(call, body, model):
    _check(call, body, COHERE_EMBED_FIELDS)
    texts = body["texts"]
    plans = [faults.parse(t) for t in texts]
    plan = faults.parse_all(texts)
    llm.apply_faults(call, plan, bedrock_fault, _bedrock_error_body)
    clean = [faults.strip_markers(t) for t in texts]
    dims = body.get("output_dimension") or (384 if "light" in model else 1024)
    vectors = [None if p.null_content else answers.embedding(t, dims)
               for p, t in zip(plans, clean)]
    floats = [None if p.null_content else answers.embedding_json(t, dims)
              for p, t in zip(plans, clean)]
    if plan.empty:
        vectors = floats = []
    tokens = sum(answers.count_tokens(t) for t in clean)
    types = body.get("embedding_types")

    def encode(kind, v):
        if v is None or kind == "float":
            return v
        if kind == "int8":
            return [int(round(x * 127)) for x in v]
        if kind == "uint8":
            return [int(round(x * 127)) + 128 for x in v]
        return _packed_bits(v, kind == "binary")

    def build(pad):
        if types:
            embeddings = {kind: floats if kind == "float" else
                          [encode(kind, v) for v in vectors] for kind in types}
            response_type = "embeddings_by_type"
        else:
            embeddings, response_type = floats, "embeddings_floats"
        obj = {"id": answers.stable_id(model, dump_json(texts)),
               "response_type": response_type, "texts": clean,
               "embeddings": embeddings}
        if plan.big:
            obj["padding"] = pad
        return dump_json(obj)
    return llm.finish(plan, build, _bedrock_headers(call, tokens, 0))


META_FIELDS = {
    "prompt": Field("string", required=True),
    "temperature": Field("number", lo=0, hi=1),
    "top_p": Field("number", lo=0, hi=1),
    "max_gen_len": Field("integer", lo=1, hi=2048),
    "images": Field("array", items=Field("string")),
}


def _meta(call, body, model):
    _check(call, body, META_FIELDS)
    system, user = llm.split_prompt(body["prompt"])
    reply = llm.Reply(system, [user], body.get("max_gen_len"))

    def build(plan, pad):
        return {"generation": llm.padded_text(plan, "" if plan.empty else reply.text, pad),
                "prompt_token_count": reply.input_tokens,
                "generation_token_count": reply.output_tokens,
                "stop_reason": "length" if reply.cut else "stop"}
    return _text_model(call, [user], reply, build)


MISTRAL_FIELDS = {
    "prompt": Field("string", required=True),
    "max_tokens": Field("integer", lo=1),
    "temperature": Field("number", lo=0, hi=1),
    "top_p": Field("number", lo=0, hi=1),
    "top_k": Field("integer", lo=0, hi=200),
    "stop": Field("array", max_len=10, items=Field("string")),
}


def _mistral(call, body, model):
    _check(call, body, MISTRAL_FIELDS)
    system, user = llm.split_prompt(body["prompt"])
    reply = llm.Reply(system, [user], body.get("max_tokens"))

    def build(plan, pad):
        outputs = [] if plan.empty else [{
            "text": llm.padded_text(plan, reply.text, pad),
            "stop_reason": "length" if reply.cut else "stop"}]
        return {"outputs": outputs}
    return _text_model(call, [user], reply, build)


FAMILIES = {
    "titan_embed_v1": lambda c, b, m: _titan_embed(c, b, m, False),
    "titan_embed_v2": lambda c, b, m: _titan_embed(c, b, m, True),
    "titan_text": _titan_text,
    "claude_completion": _claude_completion,
    "claude_messages": _claude_messages,
    "ai21": _ai21,
    "cohere_chat": _cohere_chat,
    "cohere_generate": _cohere_generate,
    "cohere_embed": _cohere_embed,
    "meta": _meta,
    "mistral": _mistral,
}


def _json_body(call, invalid):
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid("Malformed input request: expected a JSON object, please "
                      "reformat your input and try again.")
    if not isinstance(body, dict):
        raise invalid("Malformed input request: #: expected type: JSONObject, found: "
                      "%s, please reformat your input and try again." % (
                          llm._BEDROCK_TYPES[llm.json_type(body)]))
    return body


def _bedrock_invoke(call):
    authenticate(call, "bedrock")
    model_id = unquote(call.params["model"])
    base = base_model_id(model_id)
    family = bedrock_family(base)
    if family is None:
        raise ApiError(aws_error(404, "ResourceNotFoundException", (
            "Could not resolve the foundation model from the provided model "
            "identifier."), CORAL_BEDROCK))
    body = _json_body(call, bedrock_invalid)
    return FAMILIES[family](call, body, base)


# --------------------------------------------------------------------------
# SageMaker
# --------------------------------------------------------------------------

def _sagemaker_model_error(name, region, original_status, message):
    group = "/aws/sagemaker/Endpoints/%s" % name
    resp = Response.json(424, {
        "ErrorCode": "CLIENT_ERROR_FROM_MODEL" if original_status < 500 else
                     "SERVER_ERROR_FROM_MODEL",
        "LogStreamArn": "arn:aws:logs:%s:%s:log-group:%s" % (region, ACCOUNT, group),
        "OriginalMessage": message,
        "OriginalStatusCode": original_status,
        "Message": "Received %s error (%d) from primary with message \"%s\". See "
                   "https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#"
                   "logEventViewer:group=%s in account %s for more information." % (
                       "client" if original_status < 500 else "server",
                       original_status, message, region, region, group, ACCOUNT)})
    resp.add_header("x-amzn-ErrorType", "ModelError")
    resp.add_header("x-amzn-RequestId", "standin-error")
    return resp


_SAGEMAKER_FAULTS = {
    400: ("ValidationError", "Injected validation error."),
    403: ("AccessDeniedException", "User is not authorized to perform: "
                                    "sagemaker:InvokeEndpoint"),
    500: ("InternalFailure", "An internal failure occurred."),
    503: ("ServiceUnavailable", "The service is unavailable. Try again later."),
}


def _sagemaker_fault(name, region):
    def make(status, kind, retry_after):
        if kind == "quota":
            resp = aws_error(400, "ServiceQuotaExceededException",
                             "You have exceeded a service quota for this account.")
        elif status == 429:
            resp = aws_error(429, "ThrottlingException", "Rate exceeded")
        elif status == 424:
            resp = _sagemaker_model_error(name, region, 500, "injected model failure")
        else:
            type_, message = _SAGEMAKER_FAULTS.get(status, (
                "InternalFailure" if status >= 500 else "ValidationError",
                "Injected error %d." % status))
            resp = aws_error(status, type_, message)
        if retry_after:
            resp.add_header("Retry-After", retry_after)
        return resp
    return make


def _sagemaker_error_body(status, message):
    return aws_error(status, "ValidationError", message)


def _sagemaker_llm(call, name, region, headers):
    """An "llm-" endpoint: the body is one of the usual LLM JSON shapes."""
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    shape = None
    if isinstance(body, dict):
        for key in ("inputs", "messages", "inputText", "prompt", "message",
                    "text_inputs"):
            if key in body:
                shape = key
                break
    if shape is None:
        raise ApiError(_sagemaker_model_error(name, region, 400, (
            "unsupported request: expected a JSON object with inputs, messages, "
            "inputText, prompt, message or text_inputs")))
    params = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    system, users, limit = "", [], None
    if shape == "inputs":
        users = body["inputs"] if isinstance(body["inputs"], list) else [body["inputs"]]
        limit = params.get("max_new_tokens")
    elif shape == "messages":
        msgs = [m for m in body["messages"] if isinstance(m, dict)]
        system = "\n".join(str(m.get("content")) for m in msgs
                           if m.get("role") in ("system", "developer"))
        users = [m.get("content") for m in msgs if m.get("role") == "user"]
        limit = body.get("max_tokens") or body.get("max_new_tokens")
    elif shape == "text_inputs":
        users = body["text_inputs"] if isinstance(body["text_inputs"], list) else \
            [body["text_inputs"]]
    else:
        users = [body[shape]]
        limit = body.get("max_tokens") or body.get("max_gen_len")
    users = [u if isinstance(u, str) else json.dumps(u) for u in users]
    if not isinstance(limit, int) or isinstance(limit, bool):
        limit = None
    plan = faults.parse_all(users)
    llm.apply_faults(call, plan, _sagemaker_fault(name, region), _sagemaker_error_body)

    if shape == "text_inputs":
        vectors = [answers.embedding(faults.strip_markers(u), 1024) for u in users]

        def build(pad):
            obj = {"embedding": [] if plan.empty else
                   [None if plan.null_content else v for v in vectors]}
            if plan.big:
                obj["padding"] = pad
            return dump_json(obj)
        return llm.finish(plan, build, headers)

    if shape == "inputs" and len(users) > 1:
        replies = [llm.Reply(system, [u], limit) for u in users]
    else:
        replies = [llm.Reply(system, users or [""], limit)]
    reply = replies[0]

    def build(pad):
        text = "" if plan.empty else llm.padded_text(plan, reply.text, pad)
        if shape == "inputs":
            obj = [] if plan.empty else [
                {"generated_text": llm.padded_text(plan, r.text, pad if i == 0 else "")}
                for i, r in enumerate(replies)]
        elif shape == "messages":
            obj = {"id": "chatcmpl-" + answers.stable_id(name, dump_json(body)),
                   "object": "chat.completion", "created": 1700000000, "model": name,
                   "choices": [] if plan.empty else [{
                       "index": 0, "message": {"role": "assistant", "content": text},
                       "finish_reason": "length" if reply.cut else "stop"}],
                   "usage": {"prompt_tokens": reply.input_tokens,
                             "completion_tokens": reply.output_tokens,
                             "total_tokens": reply.input_tokens + reply.output_tokens}}
        elif shape == "inputText":
            obj = {"inputTextTokenCount": reply.input_tokens, "results": [] if plan.empty
                   else [{"tokenCount": reply.output_tokens, "outputText": text,
                          "completionReason": "LENGTH" if reply.cut else "FINISH"}]}
        elif shape == "message":
            obj = {"text": text}
        else:
            obj = {"generation": text, "stop_reason": "length" if reply.cut else "stop"}
        return dump_json(obj)
    return llm.finish(plan, build, headers)


def _sagemaker_invoke(call):
    region = authenticate(call, "sagemaker")
    name = unquote(call.params["endpoint"])
    lname = name.lower()
    headers = [("x-amzn-RequestId", "standin-%06d" % call.request_no),
               ("x-Amzn-Invoked-Production-Variant",
                call.header("X-Amzn-SageMaker-Target-Variant") or "AllTraffic")]
    attributes = call.header("X-Amzn-SageMaker-Custom-Attributes")
    if attributes is not None:
        headers.append(("X-Amzn-SageMaker-Custom-Attributes", attributes))
    if "missing" in lname:
        raise ApiError(aws_error(400, "ValidationError", "Endpoint %s of account %s not "
                                                        "found." % (name, ACCOUNT)))
    if "broken" in lname:
        raise ApiError(_sagemaker_model_error(name, region, 400, "model exploded"))
    if lname.startswith("llm-"):
        return _sagemaker_llm(call, name, region, headers)
    return predictive.respond(
        call, name, _sagemaker_fault(name, region), _sagemaker_error_body,
        lambda message: _sagemaker_model_error(name, region, 400, message), headers)


ROUTES = [
    Route("bedrock.invoke", "POST", r"^/model/(?P<model>[^/]+)/invoke/?$",
          _bedrock_invoke, priority=20),
    Route("sagemaker.invoke", "POST", r"^/endpoints/(?P<endpoint>[^/]+)/invocations/?$",
          _sagemaker_invoke, priority=20),
]
