"""Structured outputs: each provider's schema rules, and answers built from the schema.

- OpenAI / Azure OpenAI: response_format {"type": "json_schema", "json_schema":
  {"name", "strict": true, "schema"}}; strict mode's rules are checked (every
  object lists all its properties in "required" and says "additionalProperties":
  false; types from the JSON Schema set, nullable as ["t", "null"]) with
  OpenAI's wording ("Invalid schema for response_format 'x': In context=(...),
  ..."); {"type": "json_object"} is accepted too.
- Gemini / Vertex: generationConfig.responseMimeType "application/json" with
  responseSchema, the OpenAPI subset (Type names, "nullable", "required",
  "propertyOrdering"; no additionalProperties, no type arrays), with Google's
  proto-parser wording.
- Claude (Anthropic, Bedrock, Vertex): tools [{name, description, input_schema}]
  and tool_choice {"type": "tool", "name"}; the answer is a tool_use block.

The answer follows the schema and is a function of the prompt: strings are the
chat reply (answers.chat_reply), integers the number of words, numbers the
length / 4, booleans whether the word count is even, arrays one element per
word (at most 3).  So a wrong schema gives a wrong answer.  Markers in the user
text shape a bad answer (stripped before answering):
  [[not-json]]       the text is not JSON (for Claude: a text block, no tool call)
  [[wrong-type]]     the first non-string property holds a string
  [[missing-field]]  the last property is left out
  [[null-field]]     the first property is null
"""

import json
import re

import answers
import faults

MARKER_RE = re.compile(r"\s*\[\[(not-json|wrong-type|missing-field|null-field)\]\]")

JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")
GEMINI_TYPES = ("STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL")
GEMINI_SCHEMA_FIELDS = frozenset("""
    type format title description nullable enum maxItems minItems properties
    required minProperties maxProperties minLength maxLength pattern example
    anyOf propertyOrdering default items minimum maximum
""".split())


class SchemaError(Exception):
    """A schema the provider refuses; message is the provider's text."""


def split_markers(text):
    """(text without structured markers, set of marker names)."""
    if not isinstance(text, str) or "[[" not in text:
        return text or "", set()
    flags = set(m.group(1) for m in MARKER_RE.finditer(text))
    return MARKER_RE.sub("", text).strip(), flags


# --------------------------------------------------------------------------
# OpenAI strict mode
# --------------------------------------------------------------------------

def _openai_context(path):
    return "(" + ", ".join("'%s'" % p for p in path) + ("," if len(path) == 1 else "") + ")"


def check_openai_schema(name, schema, path=()):
    """Raise SchemaError unless schema follows strict mode's rules."""
    where = "Invalid schema for response_format '%s': In context=%s, " % (
        name, _openai_context(path))
    if not isinstance(schema, dict):
        raise SchemaError(where + "schema must be a JSON Schema of 'type: \"object\"', got '%s'."
                          % type(schema).__name__)
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    for t in types:
        if t not in JSON_TYPES:
            raise SchemaError(where + "'%s' is not valid under any of the given schemas." % (t,))
    if not path and types != ["object"]:
        raise SchemaError(where + "schema must be a JSON Schema of 'type: \"object\"', got "
                          "'type: \"%s\"'." % types[0])
    if "object" in types:
        props = schema.get("properties")
        if not isinstance(props, dict):
            raise SchemaError(where + "'properties' is required to be supplied.")
        if schema.get("additionalProperties") is not False:
            raise SchemaError(where + "'additionalProperties' is required to be supplied "
                              "and to be false.")
        required = schema.get("required")
        missing = [p for p in props if not isinstance(required, list) or p not in required]
        if missing:
            raise SchemaError(where + "'required' is required to be supplied and to be an "
                              "array including every key in properties. Missing '%s'."
                              % missing[0])
        for key, sub in props.items():
            check_openai_schema(name, sub, path + ("properties", key))
    if "array" in types:
        if "items" not in schema:
            raise SchemaError(where + "'items' is required to be supplied.")
        check_openai_schema(name, schema["items"], path + ("items",))


# --------------------------------------------------------------------------
# Gemini's OpenAPI subset
# --------------------------------------------------------------------------

def check_gemini_schema(schema, path="generation_config.response_schema"):
    """Raise SchemaError (Google's text) unless schema is a valid Schema message."""
    if not isinstance(schema, dict):
        raise SchemaError("Invalid value at '%s' (type.googleapis.com/google.ai."
                          "generativelanguage.v1beta.Schema), %s" % (path, json.dumps(schema)))
    for key in schema:
        if key not in GEMINI_SCHEMA_FIELDS:
            raise SchemaError("Invalid JSON payload received. Unknown name \"%s\" at '%s': "
                              "Cannot find field." % (key, path))
    t = schema.get("type")
    if isinstance(t, list):
        raise SchemaError("Invalid JSON payload received. Proto field is not repeating, "
                          "cannot start list.")
    if t is None or str(t).upper() not in GEMINI_TYPES:
        raise SchemaError("Invalid value at '%s.type' (type.googleapis.com/google.ai."
                          "generativelanguage.v1beta.Type), %s" % (path, json.dumps(t)))
    t = t.upper()
    if t == "OBJECT":
        props = schema.get("properties") or {}
        if not props:
            raise SchemaError("* GenerateContentRequest.%s.properties: should be non-empty "
                              "for OBJECT type\n" % path)
        for req in schema.get("required", []):
            if req not in props:
                raise SchemaError("* GenerateContentRequest.%s.required[0]: property is not "
                                  "defined\n" % path)
        for key, sub in props.items():
            check_gemini_schema(sub, "%s.properties[%s].value" % (path, key))
    if t == "ARRAY":
        if "items" not in schema:
            raise SchemaError("* GenerateContentRequest.%s.items: missing field.\n" % path)
        check_gemini_schema(schema["items"], path + ".items")


# --------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------

def _types(schema):
    t = schema.get("type")
    types = t if isinstance(t, list) else [t]
    return [str(x).lower() for x in types if str(x).lower() != "null"]


def _value(schema, system, user, item=False):
    kind = (_types(schema) or ["string"])[0]
    words = user.split()
    if kind == "object":
        return {k: _value(v, system, user) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [_value(schema.get("items") or {}, system, w, True) for w in words[:3]]
    if kind == "integer":
        return len(words)
    if kind == "number":
        return len(user) / 4
    if kind == "boolean":
        return len(words) % 2 == 0
    desc = schema.get("description") or ""
    if "YYYY-MM-DD" in desc:
        return "2026-12-%02d" % (1 + len(words) % 28)
    if "HH:MM:SS" in desc:
        return "12:%02d:00" % (len(words) % 60)
    if "ISO 8601" in desc:
        return "2026-12-07T12:%02d:00Z" % (len(words) % 60)
    return user if item else answers.chat_reply(system, user)


def answer(schema, system, user_with_markers):
    """(answer object or None for not-json, marker flags) for a schema."""
    user, flags = split_markers(faults.strip_markers(user_with_markers or ""))
    obj = _value(schema, system, user)
    if not isinstance(obj, dict):
        return obj, flags
    props = schema.get("properties") or {}
    if "wrong-type" in flags:
        for k, v in props.items():
            if (_types(v) or ["string"])[0] != "string":
                obj[k] = "not a %s" % _types(v)[0]
                break
    if "missing-field" in flags and obj:
        obj.pop(list(obj)[-1])
    if "null-field" in flags and obj:
        obj[list(obj)[0]] = None
    return (None if "not-json" in flags else obj), flags


def answer_text(schema, system, user_with_markers):
    """The JSON text of the answer (a non-JSON sentence for [[not-json]])."""
    if not schema:
        return json_object_answer(system, user_with_markers)
    obj, _ = answer(schema, system, user_with_markers)
    if obj is None:
        return "Sure! Here is the answer you asked for."
    return json.dumps(obj, ensure_ascii=False)


def cut_text(text, limit):
    """(text cut to limit words, cut?) as the token limit would cut it."""
    return answers.truncate_words(text, limit)


def openai_schema(body, messages):
    """The schema response_format asks for: a dict, {} for json_object, or None
    for plain text; raises SchemaError (OpenAI's text, param response_format)."""
    rf = body.get("response_format")
    if rf is None:
        return None
    kind = rf.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        if not any("json" in (t or "").lower() for _, t in messages):
            raise SchemaError("'messages' must contain the word 'json' in some form, to use "
                              "'response_format' of type 'json_object'.")
        return {}
    if kind != "json_schema":
        raise SchemaError("Invalid value: '%s'. Supported values are: 'json_object', "
                          "'json_schema', and 'text'." % (kind,))
    js = rf.get("json_schema")
    if not isinstance(js, dict):
        raise SchemaError("Missing required parameter: 'response_format.json_schema'.")
    name = js.get("name")
    if not isinstance(name, str) or not re.match(r"^[a-zA-Z0-9_-]{1,64}$", name):
        raise SchemaError("Invalid 'response_format.json_schema.name': string does not "
                          "match pattern. Expected a string that matches the pattern "
                          "'^[a-zA-Z0-9_-]+$'.")
    schema = js.get("schema")
    if js.get("strict") is True:
        check_openai_schema(name, schema)
    return schema if isinstance(schema, dict) else {}


def json_object_answer(system, user):
    """What a json_object-mode answer holds (no schema to follow)."""
    user, _ = split_markers(faults.strip_markers(user or ""))
    return json.dumps({"answer": answers.chat_reply(system, user),
                       "words": len(user.split())})


def claude_tool(body):
    """The input_schema of the tool tool_choice forces, or None without tools.

    Raises llm-style ValueError(path, message) for a tool_choice naming no tool."""
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if not tools:
        return None
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or "input_schema" not in tool:
            raise ToolError("tools.%d.custom.input_schema: Field required" % i)
        schema = tool["input_schema"]
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise ToolError("tools.%d.custom.input_schema.type: Input should be 'object'" % i)
        if not re.match(r"^[a-zA-Z0-9_-]{1,64}$", str(tool.get("name", ""))):
            raise ToolError("tools.%d.custom.name: String should match pattern "
                            "'^[a-zA-Z0-9_-]{1,64}$'" % i)
    if not isinstance(choice, dict) or choice.get("type") != "tool":
        return None
    if (body.get("thinking") or {}).get("type") == "enabled":
        raise ToolError("Thinking may not be enabled when tool_choice forces tool use.")
    for tool in tools:
        if tool.get("name") == choice.get("name"):
            return tool
    raise ToolError("tool_choice: tool '%s' not found in provided tools" % choice.get("name"))


class ToolError(Exception):
    """A tools / tool_choice problem, in Anthropic's wording."""
