"""Anthropic API: Messages (and the legacy text completions).

Routes (POST):
  /v1/messages   headers "x-api-key: <anthropic key>" and
                 "anthropic-version: 2023-06-01" (2023-01-01 is accepted too)
  /v1/complete   legacy text completions, same headers

Bodies are checked like the real API (pydantic wording:
"temperature: Input should be less than or equal to 1"); unknown fields get
"<field>: Extra inputs are not permitted" unless strict_params is off.
Errors use {"type":"error","error":{"type","message"},"request_id"}.
"""

import json
import time

import answers
import faults
import llm
import structured
from common import ApiError, Response, dump_json
from providers import Route

DEFAULT_KEYS = {"anthropic": "sk-ant-api03-mlpredict-test-key"}
VERSIONS = ("2023-06-01", "2023-01-01")

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
               403: "permission_error", 404: "not_found_error",
               413: "request_too_large", 429: "rate_limit_error",
               500: "api_error", 529: "overloaded_error"}
FAULT_MESSAGES = {400: "Injected invalid request.", 401: "invalid x-api-key",
                  403: "Your API key does not have permission to use the specified "
                       "resource.",
                  404: "Not found.", 413: "Request exceeds the maximum allowed size.",
                  500: "Internal server error", 529: "Overloaded"}


def anthropic_error(status, message, type_=None, headers=None, details=None):
    error = {"type": type_ or ERROR_TYPES.get(status, "api_error" if status >= 500
                                               else "invalid_request_error"),
             "message": message}
    if details:
        error["details"] = details
    return Response.json(status, {"type": "error", "error": error,
                                  "request_id": "req_standin_error"}, headers)


def _reset_time(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def ratelimit_headers(exhausted=False, retry_after="1"):
    try:
        wait = max(1, int(float(retry_after)))
    except ValueError:
        wait = 1
    reset = _reset_time(wait if exhausted else 1)
    out = []
    for kind, limit in (("requests", "4000"), ("tokens", "400000"),
                        ("input-tokens", "400000"), ("output-tokens", "80000")):
        out += [("anthropic-ratelimit-%s-limit" % kind, limit),
                ("anthropic-ratelimit-%s-remaining" % kind,
                 "0" if exhausted and kind == "requests" else limit),
                ("anthropic-ratelimit-%s-reset" % kind, reset)]
    return out


def fault_error(status, kind, retry_after):
    """The error for a fault marker, Anthropic's way (shared with nobody)."""
    if kind == "quota":
        return anthropic_error(429, (
            "You have reached your specified workspace API usage limits. You will "
            "regain access on the first day of next month."), "rate_limit_error",
            details={"error_code": "enforced_spend_limit_reached"})
    if status == 429:
        retry_after = retry_after or "1"
        resp = anthropic_error(429, (
            "This request would exceed the rate limit for your organization of 4,000 "
            "requests per minute. For details, refer to: "
            "https://docs.claude.com/en/api/rate-limits."), "rate_limit_error",
            ratelimit_headers(True, retry_after))
        resp.add_header("retry-after", retry_after)
        return resp
    resp = anthropic_error(status, FAULT_MESSAGES.get(status, "Injected error %d." % status))
    if retry_after:
        resp.add_header("retry-after", retry_after)
    return resp


def _error_body(status, message):
    return anthropic_error(status, message)


def invalid(message):
    return ApiError(anthropic_error(400, message))


def parse_body(call):
    try:
        body = json.loads(call.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise invalid("There was an error parsing the body: %s" % e)
    if not isinstance(body, dict):
        raise invalid("body: Input should be a valid dictionary")
    return body


def _authenticate(call):
    if not call.check_key("anthropic", call.header("x-api-key")):
        raise ApiError(anthropic_error(401, "invalid x-api-key", "authentication_error"))
    version = call.header("anthropic-version")
    if version is None:
        raise invalid("anthropic-version: header is required")
    if version not in VERSIONS:
        raise invalid("anthropic-version: invalid version '%s'" % version)


def _headers(call):
    return [("request-id", "req_standin_%06d" % call.request_no),
            ("anthropic-organization-id", "org-standin")] + ratelimit_headers()


def _messages(call):
    _authenticate(call)
    body = parse_body(call)
    try:
        system, msgs, limit, thinking = llm.parse_claude(body, "anthropic",
                                                         call.state.strict_params)
        if body.get("stream"):
            raise llm.Invalid(("stream",), "value", detail=(
                "streaming is not supported by the stand-in; send \"stream\": false"))
        tool = structured.claude_tool(body)
    except llm.Invalid as e:
        raise invalid(llm.anthropic_message(e))
    except structured.ToolError as e:
        raise invalid(str(e))
    reply = llm.claude_reply(system, msgs, limit)
    plan = faults.parse_all(t for r, t in msgs if r == "user")
    llm.apply_faults(call, plan, fault_error, _error_body, call.header("x-api-key"))
    build = llm.claude_message(reply, body["model"], plan, thinking,
                               dump_json(body.get("messages")), tool)
    return llm.finish(plan, build, _headers(call))


COMPLETE_FIELDS = dict(llm.CLAUDE_COMPLETION_FIELDS,
                       model=llm.Field("string", required=True, min_len=1),
                       metadata=llm.Field("object"), stream=llm.Field("boolean"))


def _complete(call):
    _authenticate(call)
    body = parse_body(call)
    try:
        system, user, limit = llm.parse_claude_completion(body, COMPLETE_FIELDS,
                                                          call.state.strict_params)
    except llm.Invalid as e:
        raise invalid(llm.anthropic_message(e))
    reply = llm.Reply(system, [user], limit)
    plan = faults.parse(user)
    llm.apply_faults(call, plan, fault_error, _error_body, call.header("x-api-key"))

    def build(pad):
        return dump_json({
            "type": "completion", "id": "compl_" + answers.stable_id(body["model"], user),
            "completion": llm.padded_text(plan, "" if plan.empty else reply.text, pad),
            "stop_reason": "max_tokens" if reply.cut else "stop_sequence",
            "model": body["model"]})
    return llm.finish(plan, build, _headers(call))


ROUTES = [
    Route("anthropic.messages", "POST", r"^/v1/messages$", _messages, priority=20),
    Route("anthropic.complete", "POST", r"^/v1/complete$", _complete, priority=20),
]
