"""Pieces shared by the LLM routes of several providers.

- Answer markers: "[[thinking]]" (the answer comes with reasoning and a tool
  call mixed into its content, so clients must pick out the text parts) and
  "[[blocked]]" (Gemini: the prompt is refused).  Like the fault markers they
  are removed before the answer is computed.
- Reply: the deterministic answer (answers.chat_reply) of a system prompt and
  user messages, with token counts and max-token truncation.
- A small field validator (Field / check_fields / Invalid) with formatters for
  the error wording of Bedrock ("Malformed input request: #: ...") and of
  Anthropic ("field: Extra inputs are not permitted").
- Claude: Messages API and legacy text-completion bodies (used by Bedrock,
  Anthropic and Vertex AI) and their answers.
- Fault helpers: apply the markers of faults.py, then finish the answer.
"""

import re

import answers
import faults
import structured
from common import ApiError, Response, dump_json

ANSWER_MARKER_RE = re.compile(r"\s*\[\[(thinking|blocked)\]\]")
THOUGHT = "secret reasoning"


def clean_prompt(text):
    """(text without fault and answer markers, set of answer-marker names)."""
    if not isinstance(text, str):
        return "", set()
    flags = set(m.group(1) for m in ANSWER_MARKER_RE.finditer(text))
    if flags:
        text = ANSWER_MARKER_RE.sub("", text).strip()
    return faults.strip_markers(text), flags


def split_answer(text):
    """Two pieces whose concatenation (no separator) is text."""
    middle = len(text) // 2
    return text[:middle], text[middle:]


class Reply:
    """The answer to (system, user texts), computed once.

    user_texts -- the user messages' texts with markers; the last is answered
    other_texts -- further prompt texts that count as input tokens only
    limit       -- max output tokens (words) or None
    """

    def __init__(self, system, user_texts, limit=None, other_texts=()):
        system = system or ""
        self.system, self.limit = system, limit
        cleaned, flags = [], set()
        for t in user_texts:
            c, f = clean_prompt(t)
            cleaned.append(c)
            flags |= f
        self.user = cleaned[-1] if cleaned else ""
        self.text, self.cut = answers.truncate_words(
            answers.chat_reply(system, self.user), limit)
        self.thinking = "thinking" in flags
        self.blocked = "blocked" in flags
        self.input_tokens = (answers.count_tokens(system) +
                             sum(answers.count_tokens(c) for c in cleaned) +
                             sum(answers.count_tokens(t) for t in other_texts))
        self.output_tokens = answers.count_tokens(self.text)

    def parts(self):
        return split_answer(self.text)


# --------------------------------------------------------------------------
# Prompt templates of completion-style models
# --------------------------------------------------------------------------

_LLAMA3_RE = re.compile(
    r"<\|start_header_id\|>(\w+)<\|end_header_id\|>\s*(.*?)(?:<\|eot_id\|>|$)", re.S)
_INST_RE = re.compile(r"\[INST\](.*?)\[/INST\]", re.S)
_SYS_RE = re.compile(r"<<SYS>>(.*?)<</SYS>>", re.S)
_USER_BOT_RE = re.compile(r"^(.*?)\bUser:\s*(.*?)\s*\nBot:\s*$", re.S)


def split_prompt(prompt):
    """(system, user) from a raw completion prompt.

    Understands the Llama 3 header template, [INST] ... [/INST] (Llama 2 and
    Mistral, with an optional <<SYS>> block), "\\n\\nHuman: ...
    \\n\\nAssistant:" and Titan's "User: ...\\nBot:" (text before "User:" is
    the system prompt); any other prompt is the user text as it is.
    """
    if "<|start_header_id|>" in prompt:
        system, user = [], []
        for role, text in _LLAMA3_RE.findall(prompt):
            if role == "system":
                system.append(text.strip())
            elif role == "user":
                user.append(text.strip())
        if user:
            return "\n".join(system), user[-1]
    insts = _INST_RE.findall(prompt)
    if insts:
        last = insts[-1]
        system = ""
        m = _SYS_RE.search(insts[0])
        if m:
            system = m.group(1).strip()
            if len(insts) == 1:
                last = _SYS_RE.sub("", last)
        return system, last.strip()
    if "\n\nHuman:" in prompt:
        head, _, rest = prompt.partition("\n\nHuman:")
        user = rest.rsplit("\n\nHuman:", 1)[-1]
        user = user.split("\n\nAssistant:", 1)[0]
        return head.strip(), user.strip()
    m = _USER_BOT_RE.match(prompt)
    if m:
        return m.group(1).strip(), m.group(2)
    return "", prompt


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

class Invalid(Exception):
    """A body problem at path (tuple of names / indexes).

    kind: required | extra | type | range | enum | length | value
    """

    def __init__(self, path, kind, expected=None, value=None, detail=None):
        Exception.__init__(self, "%s %s" % (path, kind))
        self.path = tuple(path)
        self.kind = kind
        self.expected = expected      # type name(s), bound, enum list, length
        self.value = value
        self.detail = detail


class Field:
    """type_: string|integer|number|boolean|object|array|any, or a tuple."""

    def __init__(self, type_, required=False, lo=None, hi=None, enum=None,
                 min_len=None, max_len=None, items=None, fields=None):
        self.types = type_ if isinstance(type_, tuple) else (type_,)
        self.required = required
        self.lo, self.hi, self.enum = lo, hi, enum
        self.min_len, self.max_len = min_len, max_len
        self.items = items            # Field for array elements
        self.fields = fields          # {name: Field} for object values (strict)


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _type_ok(v, t):
    actual = json_type(v)
    return t == "any" or actual == t or (t == "number" and actual == "integer")


def check_value(v, f, path, strict=True):
    if not any(_type_ok(v, t) for t in f.types):
        raise Invalid(path, "type", f.types, v)
    if f.enum is not None and v not in f.enum:
        raise Invalid(path, "enum", f.enum, v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if f.lo is not None and v < f.lo:
            raise Invalid(path, "range", ("min", f.lo), v)
        if f.hi is not None and v > f.hi:
            raise Invalid(path, "range", ("max", f.hi), v)
    if isinstance(v, (str, list)):
        if f.min_len is not None and len(v) < f.min_len:
            raise Invalid(path, "length", ("min", f.min_len), v)
        if f.max_len is not None and len(v) > f.max_len:
            raise Invalid(path, "length", ("max", f.max_len), v)
    if isinstance(v, list) and f.items is not None:
        for i, item in enumerate(v):
            check_value(item, f.items, path + (i,), strict)
    if isinstance(v, dict) and f.fields is not None:
        check_fields(v, f.fields, path, strict)


def check_fields(obj, spec, path=(), strict=True):
    """Check a JSON object against {name: Field}; raises Invalid."""
    if not isinstance(obj, dict):
        raise Invalid(path, "type", ("object",), obj)
    for name, f in spec.items():
        if f.required and name not in obj:
            raise Invalid(path + (name,), "required")
    if strict:
        for name in obj:
            if name not in spec:
                raise Invalid(path + (name,), "extra")
    for name, value in obj.items():
        if name in spec:
            check_value(value, spec[name], path + (name,), strict)


# Bedrock's JSON-schema wording ("Malformed input request: #/x: ...").
_BEDROCK_TYPES = {"string": "String", "integer": "Integer", "number": "Number",
                  "boolean": "Boolean", "object": "JSONObject", "array": "JSONArray",
                  "null": "Null", "any": "Any"}


def bedrock_message(e):
    """Bedrock's text for an Invalid (without the 'Malformed input request' frame)."""
    where = "#" + "".join("/%s" % p for p in e.path)
    parent = "#" + "".join("/%s" % p for p in e.path[:-1])
    if e.kind == "required":
        return "%s: required key [%s] not found" % (parent, e.path[-1])
    if e.kind == "extra":
        return "%s: extraneous key [%s] is not permitted" % (parent, e.path[-1])
    if e.kind == "type":
        return "%s: expected type: %s, found: %s" % (
            where, " or ".join(_BEDROCK_TYPES[t] for t in e.expected),
            _BEDROCK_TYPES[json_type(e.value)])
    if e.kind == "range":
        side, bound = e.expected
        return "%s: %s is not %s or equal to %s" % (
            where, e.value, "greater" if side == "min" else "less", bound)
    if e.kind == "enum":
        return "%s: %s is not a valid enum value" % (where, json_dumps_short(e.value))
    if e.kind == "length":
        side, bound = e.expected
        if isinstance(e.value, list):
            return "%s: expected %s item count: %d, found: %d" % (
                where, "minimum" if side == "min" else "maximum", bound, len(e.value))
        return "%s: expected %sLength: %d, actual: %d" % (
            where, side, bound, len(e.value))
    return "%s: %s" % (where, e.detail)


def bedrock_malformed(e):
    return "Malformed input request: %s, please reformat your input and try again." % (
        bedrock_message(e))


# Anthropic's (pydantic) wording ("messages.0.content: Field required").
_PYD_TYPES = {"string": "a valid string", "integer": "a valid integer",
              "number": "a valid number", "boolean": "a valid boolean",
              "object": "a valid dictionary", "array": "a valid list", "any": "a value"}


def anthropic_message(e):
    where = ".".join(str(p) for p in e.path) or "body"
    if e.kind == "required":
        return "%s: Field required" % where
    if e.kind == "extra":
        return "%s: Extra inputs are not permitted" % where
    if e.kind == "type":
        return "%s: Input should be %s" % (where, _PYD_TYPES[e.expected[0]])
    if e.kind == "range":
        side, bound = e.expected
        return "%s: Input should be %s than or equal to %s" % (
            where, "greater" if side == "min" else "less", bound)
    if e.kind == "enum":
        return "%s: Input should be %s" % (
            where, " or ".join("'%s'" % x for x in e.expected))
    if e.kind == "length":
        side, bound = e.expected
        if isinstance(e.value, list):
            return "%s: List should have at %s %d item%s after validation, not %d" % (
                where, "least" if side == "min" else "most", bound,
                "" if bound == 1 else "s", len(e.value))
        return "%s: String should have at %s %d character%s" % (
            where, "least" if side == "min" else "most", bound, "" if bound == 1 else "s")
    return "%s: %s" % (where, e.detail)


def json_dumps_short(v):
    return dump_json(v).decode("utf-8")[:80]


# --------------------------------------------------------------------------
# Claude: Messages API and legacy text completions
# --------------------------------------------------------------------------

CLAUDE_VERSIONS = {"bedrock": "bedrock-2023-05-31", "vertex": "vertex-2023-10-16"}

_CLAUDE_COMMON = {
    "max_tokens": Field("integer", required=True, lo=1),
    "messages": Field("array", required=True, min_len=1, items=Field("object")),
    "system": Field(("string", "array")),
    "temperature": Field("number", lo=0, hi=1),
    "top_p": Field("number", lo=0, hi=1),
    "top_k": Field("integer", lo=0),
    "stop_sequences": Field("array", items=Field("string")),
    "metadata": Field("object"),
    "tools": Field("array"),
    "tool_choice": Field("object"),
    "thinking": Field("object"),
}


def claude_spec(variant):
    """The Messages fields: variant anthropic (api.anthropic.com), bedrock, vertex."""
    spec = dict(_CLAUDE_COMMON)
    if variant == "anthropic":
        spec.update({"model": Field("string", required=True, min_len=1),
                     "stream": Field("boolean"), "service_tier": Field("string"),
                     "container": Field(("string", "object")),
                     "mcp_servers": Field("array")})
    else:
        spec["anthropic_version"] = Field("string", required=True,
                                          enum=[CLAUDE_VERSIONS[variant]])
        if variant == "bedrock":
            spec["anthropic_beta"] = Field("array", items=Field("string"))
        else:
            spec["stream"] = Field("boolean")
    return spec


def _block_text(block, path):
    if not isinstance(block, dict):
        raise Invalid(path, "type", ("object",), block)
    btype = block.get("type")
    if not isinstance(btype, str):
        raise Invalid(path + ("type",), "required")
    if btype == "text":
        if "text" not in block:
            raise Invalid(path + ("text",), "required")
        if not isinstance(block["text"], str):
            raise Invalid(path + ("text",), "type", ("string",), block["text"])
        return block["text"]
    return None


def parse_claude(body, variant, strict=True):
    """(system text, [(role, text)], max_tokens, thinking_enabled) of a
    Messages body; raises Invalid."""
    check_fields(body, claude_spec(variant), (), strict)
    msgs = []
    for i, m in enumerate(body["messages"]):
        path = ("messages", i)
        check_fields(m, {"role": Field("string", required=True,
                                       enum=["user", "assistant"]),
                         "content": Field(("string", "array"), required=True)},
                     path, strict)
        content = m["content"]
        if isinstance(content, str):
            text = content
        else:
            texts = [_block_text(b, path + ("content", j)) for j, b in enumerate(content)]
            text = "\n".join(t for t in texts if t is not None)
        msgs.append((m["role"], text))
    system = body.get("system", "")
    if system == "":
        if "system" in body:
            raise Invalid(("system",), "value", detail="text content blocks must be non-empty")
    if isinstance(system, list):
        system = "\n".join(t for t in (_block_text(b, ("system", j))
                                       for j, b in enumerate(system)) if t is not None)
    thinking = body.get("thinking")
    enabled = False
    if thinking is not None:
        check_fields(thinking, {"type": Field("string", required=True,
                                              enum=["enabled", "disabled"]),
                                "budget_tokens": Field("integer", lo=1024)},
                     ("thinking",), strict)
        enabled = thinking["type"] == "enabled"
        if enabled:
            if "budget_tokens" not in thinking:
                raise Invalid(("thinking", "budget_tokens"), "required")
            if body["max_tokens"] <= thinking["budget_tokens"]:
                raise Invalid(("max_tokens",), "value", detail=(
                    "`max_tokens` must be greater than `thinking.budget_tokens`"))
    return system, msgs, body["max_tokens"], enabled


def claude_reply(system, msgs, max_tokens):
    users = [t for r, t in msgs if r == "user"]
    return Reply(system, users, max_tokens,
                 other_texts=[t for r, t in msgs if r != "user"])


def claude_tool_content(reply, tool):
    """(content blocks, stop_reason) answering a forced tool call: the tool's
    input follows its input_schema (structured.py)."""
    obj, _ = structured.answer(tool["input_schema"], reply.system, reply.user)
    if obj is None:
        return [{"type": "text", "text": "I can't fill that in."}], "end_turn"
    text = structured.json.dumps(obj)
    if reply.limit is not None and answers.count_tokens(text) > reply.limit:
        return [{"type": "tool_use", "id": "toolu_standin", "name": tool["name"],
                 "input": {}}], "max_tokens"
    return [{"type": "tool_use", "id": "toolu_" + answers.stable_id(text),
             "name": tool["name"], "input": obj}], "tool_use"


def claude_message(reply, model, plan, thinking=False, id_seed="", tool=None):
    """A Messages API answer object builder: build(pad) -> bytes.  tool: the
    tool tool_choice forces (structured.claude_tool), or None."""
    stop = "max_tokens" if reply.cut else "end_turn"
    if tool is not None:
        tool_content, stop = claude_tool_content(reply, tool)

    def build(pad):
        text = None if plan.null_content else reply.text + pad
        if tool is not None:
            content = [] if plan.empty else tool_content
        elif plan.empty:
            content = []
        elif reply.thinking and text is not None:
            one, two = split_answer(reply.text)
            content = [{"type": "thinking", "thinking": THOUGHT, "signature": "x"},
                       {"type": "text", "text": one},
                       {"type": "tool_use", "id": "toolu_standin", "name": "lookup",
                        "input": {"query": reply.user}},
                       {"type": "text", "text": two + pad}]
        else:
            content = [{"type": "text", "text": text}]
            if thinking or reply.thinking:
                content.insert(0, {"type": "thinking", "thinking": THOUGHT,
                                   "signature": "x"})
        obj = {"id": "msg_" + answers.stable_id(model, id_seed), "type": "message",
               "role": "assistant", "model": model, "content": content,
               "stop_reason": stop, "stop_sequence": None,
               "usage": {"input_tokens": reply.input_tokens,
                         "output_tokens": reply.output_tokens}}
        return dump_json(obj)
    return build


def parse_claude_completion(body, spec, strict=True):
    """(system, user, max_tokens_to_sample) of a legacy completion body."""
    check_fields(body, spec, (), strict)
    prompt = body["prompt"]
    if not prompt.startswith("\n\nHuman:"):
        raise Invalid(("prompt",), "value", detail=(
            'prompt must start with "\\n\\nHuman:" turn'))
    if "\n\nAssistant:" not in prompt:
        raise Invalid(("prompt",), "value", detail=(
            'prompt must contain "\\n\\nAssistant:" turn'))
    system, user = split_prompt(prompt)
    return system, user, body["max_tokens_to_sample"]


CLAUDE_COMPLETION_FIELDS = {
    "prompt": Field("string", required=True),
    "max_tokens_to_sample": Field("integer", required=True, lo=1),
    "temperature": Field("number", lo=0, hi=1),
    "top_p": Field("number", lo=0, hi=1),
    "top_k": Field("integer", lo=0),
    "stop_sequences": Field("array", items=Field("string")),
}


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------

def apply_faults(call, plan, make_error, error_body, sent=None):
    """Sleep, then raise ApiError for drop / errors / echo-auth / bad-json.

    make_error(status, kind, retry_after) -> Response (faults.apply_early);
    error_body(status, message) -> Response (for echo-auth).
    """
    early = faults.apply_early(plan, call.state.fail_counters, make_error)
    if early is not None:
        raise ApiError(early)
    if plan.echo_auth:
        raise ApiError(faults.echo_auth_response(call, error_body, sent))
    if plan.bad_json:
        raise ApiError(faults.bad_json_response())


def answer_fault(plan):
    """Names of the answer-shaping markers that fired (for the log/header)."""
    names = [name for name, on in (("empty", plan.empty),
                                   ("null-content", plan.null_content),
                                   ("big", plan.big)) if on]
    return ",".join(names) or None


def finish(plan, build, headers=None, status=200, content_type="application/json"):
    """Response from build(pad) -> bytes, padded for [[big:N]]."""
    body = faults.pad_to(build, plan.big) if plan.big else build("")
    return Response(status, body, headers, content_type=content_type,
                    fault=answer_fault(plan))


def padded_text(plan, text, pad):
    """The answer text as an answer-shaping plan wants it."""
    return None if plan.null_content else text + pad
