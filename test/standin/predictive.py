"""The deterministic predictive ("tabular") model and the request/answer
shapes of the model servers that host such models.

Used by SageMaker (providers/aws.py), Azure ML (providers/azureml.py),
Vertex AI endpoints (providers/google.py) and the plain inference servers
(providers/inference.py: KServe v2 / Triton, TF Serving / KServe v1, MLflow).
Nothing here knows about auth or a provider's error shape: a request that
cannot be read raises BadInput, and the route turns it into its own 400.

The model.  For each input row, s = the sum of its values in order, where a
number counts as itself, a boolean as 0/1, a string as its length in
characters, bytes (a {"b64": ...} value, a binary BYTES tensor) as their
length, an array as the sum of its elements and an object as the sum of its
values (recursively), null as 0.  Then

    label   = 1 if s >= 100 else 0
    score   = s / 2                  (always a float)
    cluster = int(s) mod 3           (int() truncates; the result is 0, 1 or 2)

The model NAME picks what is returned (case-insensitive, first match wins):
    "echo"                      the input row unchanged
    "multi"                     label, score, cluster (in that order)
    "cluster"                   cluster
    "label", "default", "class" label
    anything else               score
and two modifiers: "nested" puts multi outputs one level deeper
([[l, s, c]] / {"result": {...}}), "wrapped" wraps each scalar output in a
one-element array ([65.0]).

Fault markers (faults.py) may sit in any string of the body; they are
removed from the strings before s is computed.
"""

import base64
import csv
import io
import json
import math
import struct

import faults
from common import dump_json

OUTPUT_NAMES = ("label", "score", "cluster")
OUTPUT_TYPES = {"label": "INT64", "score": "FP64", "cluster": "INT64"}

# KServe v2 datatypes with a fixed width: struct format, little-endian.
V2_FORMATS = {"BOOL": "?", "UINT8": "B", "UINT16": "H", "UINT32": "I", "UINT64": "Q",
              "INT8": "b", "INT16": "h", "INT32": "i", "INT64": "q",
              "FP16": "e", "FP32": "f", "FP64": "d"}

SAGEMAKER_TRITON = "application/vnd.sagemaker-triton.binary+json"


class BadInput(Exception):
    """The body cannot be read as any supported shape (answer 400)."""


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------

def value_sum(v):
    if v is None:
        return 0
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        return len(v)
    if isinstance(v, (bytes, bytearray)):
        return len(v)
    if isinstance(v, list):
        return sum(value_sum(x) for x in v)
    if isinstance(v, dict):
        if set(v) == {"b64"} and isinstance(v["b64"], str):
            return len(b64decode(v["b64"]))
        return sum(value_sum(x) for x in v.values())
    raise BadInput("unsupported value %r" % (v,))


def b64decode(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise BadInput("invalid base64 value %r" % text[:40])


def outputs(row):
    """{"label", "score", "cluster"} for one row."""
    s = value_sum(row)
    try:
        cluster = int(s) % 3
    except (OverflowError, ValueError):
        raise BadInput("row sum %r is not a finite number" % (s,))
    return {"label": 1 if s >= 100 else 0, "score": s / 2.0, "cluster": cluster}


class Model:
    """What a model name asks for (see the module docstring)."""

    def __init__(self, name):
        n = (name or "").lower()
        self.name = name or ""
        self.echo = "echo" in n
        if "multi" in n:
            self.names = OUTPUT_NAMES
        elif "cluster" in n:
            self.names = ("cluster",)
        elif "label" in n or "default" in n or "class" in n:
            self.names = ("label",)
        else:
            self.names = ("score",)
        self.nested = "nested" in n
        self.wrapped = "wrapped" in n

    @property
    def multi(self):
        return len(self.names) > 1

    def _scalar(self, v):
        return [v] if self.wrapped else v

    def values(self, row, null=False):
        """The selected outputs of a row, in order (None each when null)."""
        o = outputs(row)
        return [None if null else o[n] for n in self.names]

    def positional(self, row, null=False):
        """One row as a scalar (one output) or a list (several)."""
        vals = [self._scalar(v) for v in self.values(row, null)]
        if not self.multi:
            return vals[0]
        return [vals] if self.nested else vals

    def listed(self, row, null=False):
        """One row as a list of the selected outputs (JSON-ARRAY answers)."""
        vals = [self._scalar(v) for v in self.values(row, null)]
        return [vals] if self.nested and self.multi else vals

    def as_object(self, row, null=False):
        obj = {n: self._scalar(v) for n, v in zip(self.names, self.values(row, null))}
        return {"result": obj} if self.nested and self.multi else obj

    def prediction(self, row, null=False):
        """One row in a predictions/outputs list: scalar or object."""
        if not self.multi:
            return self._scalar(self.values(row, null)[0])
        return self.as_object(row, null)


# --------------------------------------------------------------------------
# Reading a request
# --------------------------------------------------------------------------

class Request:
    """A parsed predictive request.

    kind   -- csv, split, records, instances, outputs, v2, object, array,
              text, bytes
    rows   -- the rows (markers removed from strings)
    texts  -- every string of the body, for faults.parse_all
    """

    def __init__(self, kind, rows=None, texts=None, **extra):
        self.kind = kind
        self.rows = rows or []
        self.texts = texts or []
        self.extra = extra


def media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _param(content_type, name):
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return None


def collect_strings(value, out):
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            collect_strings(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            collect_strings(v, out)
    return out


def clean(value):
    """value with fault markers removed from every string."""
    if isinstance(value, str):
        return faults.strip_markers(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


def _number(field):
    """A CSV field: int or float when it looks like one, "" -> None, else text."""
    if field == "":
        return None
    try:
        return int(field)
    except ValueError:
        pass
    try:
        value = float(field)
        if math.isfinite(value):
            return value
    except ValueError:
        pass
    return field


def parse(content_type, body, headers=None):
    """A Request from the Content-Type, the body bytes and the request headers
    (an object with .get(name), for Inference-Header-Content-Length)."""
    mtype = media_type(content_type)
    header_len = headers.get("Inference-Header-Content-Length") if headers else None
    if mtype == SAGEMAKER_TRITON:
        header_len = _param(content_type, "json-header-size")
        if header_len is None:
            raise BadInput("%s needs a json-header-size parameter" % SAGEMAKER_TRITON)
    if header_len is not None:
        try:
            n = int(header_len)
            if not 0 < n <= len(body):
                raise ValueError
        except ValueError:
            raise BadInput("bad inference header length %r (body is %d bytes)" % (
                header_len, len(body)))
        return _parse_v2(_json(body[:n]), body[n:], sagemaker=mtype == SAGEMAKER_TRITON)
    if mtype == "text/csv":
        return _parse_csv(_text(body))
    if mtype == "text/plain":
        text = _text(body)
        return Request("text", [text], [text], text=faults.strip_markers(text))
    json_type = not mtype or mtype == "application/json" or mtype.endswith("+json")
    if not json_type and mtype != "application/octet-stream":
        # Model servers read JSON whatever the label (curl -d sends a form type).
        try:
            return parse_json(json.loads(body.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            pass
    if not json_type:
        # application/octet-stream, and any other body that is not JSON: echoed.
        return Request("bytes", [body], [body.decode("utf-8", "replace")],
                       content_type=content_type or "application/octet-stream")
    return parse_json(_json(body))


def _text(body):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the body is not valid UTF-8")


def _json(body):
    try:
        return json.loads(_text(body))
    except ValueError as e:
        raise BadInput("the body is not valid JSON: %s" % e)


def _parse_csv(text):
    rows = []
    for record in csv.reader(io.StringIO(text)):
        if record:
            rows.append(record)
    texts = [f for r in rows for f in r]
    return Request("csv", [[_number(faults.strip_markers(f)) for f in r] for r in rows],
                   texts)


def _split_rows(obj, where):
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), list):
        raise BadInput("%s must be an object with a \"data\" array" % where)
    columns = obj.get("columns")
    if columns is not None and not isinstance(columns, list):
        raise BadInput("%s.columns must be an array" % where)
    rows = []
    for i, row in enumerate(obj["data"]):
        if not isinstance(row, list):
            row = [row]
        if columns is not None and len(row) != len(columns):
            raise BadInput("%s.data[%d] has %d values for %d columns" % (
                where, i, len(row), len(columns)))
        rows.append(row)
    return rows


def _is_split(value):
    return isinstance(value, dict) and "data" in value and (
        "columns" in value or "index" in value)


def _is_v2_tensor(t):
    return isinstance(t, dict) and "name" in t and "datatype" in t and (
        "data" in t or "binary_data_size" in (t.get("parameters") or {}))


def parse_json(body):
    texts = collect_strings(body, [])
    if isinstance(body, dict):
        if "dataframe_split" in body:
            return Request("split", clean(_split_rows(body["dataframe_split"],
                                                      "dataframe_split")), texts)
        if "input_data" in body and _is_split(body["input_data"]):
            return Request("split", clean(_split_rows(body["input_data"], "input_data")),
                           texts)
        if "dataframe_records" in body:
            records = body["dataframe_records"]
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise BadInput("dataframe_records must be an array of objects")
            return Request("records", clean(records), texts)
        if "instances" in body:
            instances = body["instances"]
            if not isinstance(instances, list):
                raise BadInput("instances must be an array")
            return Request("instances", clean(instances), texts)
        if "inputs" in body:
            inputs = body["inputs"]
            if isinstance(inputs, list) and inputs and all(_is_v2_tensor(t) for t in inputs):
                return _parse_v2(body, b"")
            return Request("outputs", [clean(inputs)], texts)
        if "input_data" in body:
            return Request("outputs", [clean(body["input_data"])], texts)
        return Request("object", [clean(body)], texts)
    if isinstance(body, list):
        return Request("array", [clean(body)], texts)
    return Request("scalar", [clean(body)], texts)


def _flatten(data):
    if isinstance(data, list):
        out = []
        for d in data:
            out.extend(_flatten(d))
        return out
    return [data]


def _decode_binary(datatype, raw, name):
    if datatype == "BYTES":
        items, pos = [], 0
        while pos < len(raw):
            if pos + 4 > len(raw):
                raise BadInput("input '%s': truncated BYTES element length" % name)
            (n,) = struct.unpack_from("<I", raw, pos)
            pos += 4
            if pos + n > len(raw):
                raise BadInput("input '%s': BYTES element longer than the data" % name)
            chunk = raw[pos:pos + n]
            pos += n
            try:
                items.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                items.append(chunk)
        return items
    fmt = V2_FORMATS.get(datatype)
    if fmt is None:
        raise BadInput("input '%s': unsupported datatype '%s'" % (name, datatype))
    width = struct.calcsize(fmt)
    if len(raw) % width:
        raise BadInput("input '%s': %d bytes is not a whole number of %s values" % (
            name, len(raw), datatype))
    return list(struct.unpack("<%d%s" % (len(raw) // width, fmt), raw))


def encode_binary(datatype, data):
    """Raw little-endian bytes of a tensor's data (BYTES: 4-byte length + bytes)."""
    flat = _flatten(data)
    if datatype == "BYTES":
        out = []
        for item in flat:
            b = item if isinstance(item, (bytes, bytearray)) else str(item).encode("utf-8")
            out.append(struct.pack("<I", len(b)) + b)
        return b"".join(out)
    fmt = V2_FORMATS[datatype]
    return struct.pack("<%d%s" % (len(flat), fmt), *flat)


def _parse_v2(header, blob, sagemaker=False):
    if not isinstance(header, dict) or not isinstance(header.get("inputs"), list):
        raise BadInput("the inference request needs an \"inputs\" array")
    tensors, texts, pos = [], [], 0
    for i, t in enumerate(header["inputs"]):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or \
                not isinstance(t.get("datatype"), str):
            raise BadInput("inputs[%d] needs a name and a datatype" % i)
        name, datatype = t["name"], t["datatype"].upper()
        params = t.get("parameters") or {}
        size = params.get("binary_data_size")
        if size is not None:
            if not isinstance(size, int) or size < 0 or pos + size > len(blob):
                raise BadInput("input '%s': binary_data_size %r exceeds the binary "
                               "data (%d bytes left)" % (name, size, len(blob) - pos))
            data = _decode_binary(datatype, blob[pos:pos + size], name)
            pos += size
        elif "data" in t:
            data = t["data"]
            if datatype != "BYTES" and datatype not in V2_FORMATS:
                raise BadInput("input '%s': unsupported datatype '%s'" % (name, datatype))
        else:
            raise BadInput("input '%s' has neither data nor binary_data_size" % name)
        collect_strings(data, texts)
        tensors.append({"name": name, "datatype": datatype, "shape": t.get("shape"),
                        "data": clean(data)})
    if pos != len(blob):
        raise BadInput("%d bytes of binary data were not claimed by any input" % (
            len(blob) - pos))
    requested = header.get("outputs")
    if requested is not None and not isinstance(requested, list):
        raise BadInput("outputs must be an array")
    params = header.get("parameters") or {}
    return Request("v2", [[t["data"] for t in tensors]], texts, tensors=tensors,
                   requested=requested, id=header.get("id"),
                   binary=bool(params.get("binary_data_output")), sagemaker=sagemaker)


# --------------------------------------------------------------------------
# Building the answer
# --------------------------------------------------------------------------

class Answer:
    """What the route sends: content type, body bytes, extra headers."""

    def __init__(self, content_type, body, headers=None):
        self.content_type = content_type
        self.body = body
        self.headers = headers or []


def _json_answer(obj, plan):
    body = dump_json(obj)
    if plan is not None and plan.big:
        if isinstance(obj, dict):
            body = faults.pad_to(lambda pad: dump_json(dict(obj, padding=pad)), plan.big)
        elif plan.big > len(body):
            body += b" " * (plan.big - len(body))      # trailing blanks: still JSON
    return Answer("application/json", body)


def _csv_line(values):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(
        ["" if v is None else v.decode("latin-1") if isinstance(v, bytes) else
         json.dumps(v) if isinstance(v, (list, dict)) else
         ("true" if v else "false") if isinstance(v, bool) else v for v in values])
    return out.getvalue()


def answer(req, model, plan=None, model_version="1", extra_fields=None,
           wrap_split=False):
    """The Answer of model (a Model) for req (a Request); plan is the request's
    faults.FaultPlan (empty / null-content / big shape the answer).
    extra_fields are added to a JSON-object answer (Vertex's deployedModelId...).
    wrap_split answers a pandas split frame {"predictions": [...]}, as MLflow's
    scoring server does, instead of Azure ML's bare array."""
    empty = bool(plan and plan.empty)
    null = bool(plan and plan.null_content)
    rows = [] if empty else req.rows
    kind = req.kind

    if kind == "text":
        text = "" if empty else req.extra["text"]
        body = ("echo: " + text).encode("utf-8")
        if plan is not None and plan.big and plan.big > len(body):
            body += b"x" * (plan.big - len(body))
        return Answer("text/plain; charset=utf-8", body)
    if kind == "bytes":
        return Answer(req.extra["content_type"], b"" if empty else req.rows[0])
    if kind == "csv":
        if model.echo:
            text = "".join(_csv_line(r) for r in rows)
        else:
            text = "".join(_csv_line(model.values(r, null)) for r in rows)
        body = text.encode("utf-8")
        if plan is not None and plan.big and plan.big > len(body):
            body += b"\n" * (plan.big - len(body))
        return Answer("text/csv; charset=utf-8", body)
    if kind == "v2":
        return _v2_answer(req, model, empty, null, model_version, plan)

    if kind == "split":
        obj = list(rows) if model.echo else [model.positional(r, null) for r in rows]
        if wrap_split:
            obj = {"predictions": obj}
    elif kind in ("records", "instances"):
        obj = {"predictions": list(rows) if model.echo else
               [model.prediction(r, null) for r in rows]}
    elif kind == "outputs":
        obj = {"outputs": [] if empty else req.rows[0] if model.echo else
               model.prediction(req.rows[0], null)}
    elif kind == "object":
        obj = {} if empty else req.rows[0] if model.echo else \
            model.as_object(req.rows[0], null)
    elif kind == "array":
        obj = [] if empty else req.rows[0] if model.echo else \
            model.listed(req.rows[0], null)
    else:                                            # a bare JSON scalar
        obj = None if empty else req.rows[0] if model.echo else \
            model.prediction(req.rows[0], null)
    if extra_fields and isinstance(obj, dict):
        obj = dict(obj, **extra_fields)
    return _json_answer(obj, plan)


def _v2_answer(req, model, empty, null, model_version, plan):
    if model.echo:
        tensors = [{"name": t["name"], "datatype": t["datatype"],
                    "shape": t["shape"] if t["shape"] is not None else
                    [len(_flatten(t["data"]))], "data": t["data"]}
                   for t in req.extra["tensors"]]
    else:
        values = model.values(req.rows[0], null)
        tensors = [{"name": n, "datatype": OUTPUT_TYPES[n], "shape": [1], "data": [v]}
                   for n, v in zip(model.names, values)]
    if empty:
        tensors = []
    binary_all = req.extra["binary"]
    wanted = {}
    requested = req.extra["requested"]
    if requested is not None:
        by_name = {t["name"]: t for t in tensors}
        chosen = []
        for i, r in enumerate(requested):
            name = r.get("name") if isinstance(r, dict) else None
            if name not in by_name and not empty:
                raise BadInput("unexpected inference output '%s' for model '%s'" % (
                    name, model.name))
            if name in by_name:
                chosen.append(by_name[name])
                wanted[name] = (r.get("parameters") or {}).get("binary_data")
        tensors = chosen
    blobs = []
    outs = []
    for t in tensors:
        binary = wanted.get(t["name"])
        if binary is None:
            binary = binary_all
        out = {"name": t["name"], "datatype": t["datatype"], "shape": t["shape"]}
        if binary and not null:
            raw = encode_binary(t["datatype"], t["data"])
            out["parameters"] = {"binary_data_size": len(raw)}
            blobs.append(raw)
        else:
            data = t["data"]
            if t["datatype"] == "BYTES":
                data = [d.decode("latin-1") if isinstance(d, bytes) else d
                        for d in _flatten(data)]
            out["data"] = data
        outs.append(out)
    obj = {"model_name": model.name, "model_version": model_version, "outputs": outs}
    if req.extra["id"] is not None:
        obj["id"] = req.extra["id"]
    if not blobs:
        return _json_answer(obj, plan)
    header = dump_json(obj)
    body = header + b"".join(blobs)
    if req.extra["sagemaker"]:
        return Answer("%s;json-header-size=%d" % (SAGEMAKER_TRITON, len(header)), body)
    return Answer("application/octet-stream", body,
                  [("Inference-Header-Content-Length", str(len(header)))])


# --------------------------------------------------------------------------
# One call, start to finish
# --------------------------------------------------------------------------

def respond(call, model_name, make_error, error_body, bad_input, headers=(),
            body=None, content_type=None, model_version="1", sent=None,
            extra_fields=None, wrap_split=False):
    """Answer a predictive request on a route.

    make_error(status, kind, retry_after) and error_body(status, message) build
    the route's error Responses for the fault markers (see llm.apply_faults);
    bad_input(message) builds the Response for a body that cannot be read.
    body / content_type default to the request's own.
    """
    import llm                                   # llm imports nothing from here
    from common import ApiError, Response
    if content_type is None:
        content_type = call.header("Content-Type")
    if body is None:
        body = call.body
    try:
        req = parse(content_type, body, call.headers)
    except BadInput as e:
        raise ApiError(bad_input(str(e)))
    plan = faults.parse_all(req.texts)
    llm.apply_faults(call, plan, make_error, error_body, sent)
    try:
        ans = answer(req, Model(model_name), plan, model_version, extra_fields,
                     wrap_split)
    except BadInput as e:
        raise ApiError(bad_input(str(e)))
    return Response(200, ans.body, list(headers) + ans.headers,
                    content_type=ans.content_type, fault=llm.answer_fault(plan))
