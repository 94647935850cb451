/*-------------------------------------------------------------------------
 *
 * triton.c
 *	  The TRITON format (alias KSERVE-V2): the KServe v2 / Open Inference
 *	  Protocol, with Triton's binary tensor extension.
 *
 * Request: {"inputs": [<tensor>, ...]} with one tensor per INPUT column,
 * in order: {"name": <column>, "datatype": <type>, "shape": <shape>,
 * "data": [<values>]}.  Datatypes follow the column type (of an array's
 * elements): BOOLEAN BOOL, SMALLINT/TINYINT INT16, INT INT32, BIGINT
 * INT64, FLOAT FP32, DOUBLE FP64, DECIMAL FP64 (sent as its exact decimal
 * text), STRING and BYTES BYTES; other types are rejected by CREATE
 * MODEL.  A scalar has shape [1]; an array its dimensions, with "data"
 * flat in row-major order (NULL elements cannot be sent).
 *
 * BYTES tensors always travel in binary form: the tensor gets
 * "parameters": {"binary_data_size": N} instead of "data", and its
 * elements follow the JSON text, each as a 4-byte little-endian length
 * and the bytes (strings in UTF-8), tensors in input order.  Such a body
 * is sent as application/octet-stream with the header
 * Inference-Header-Content-Length: <bytes of JSON>; the sagemaker provider
 * turns that header into its Content-Type variant.  When any OUTPUT column
 * is a STRING or BYTES, the request asks for "parameters":
 * {"binary_data_output": true}.  Model parameters join that top-level
 * "parameters" object.
 *
 * Answer: the "outputs" tensors (if missing, an "error" member is
 * raised).  OUTPUT columns take the tensor of the same name (exact, then
 * case-insensitive); when some column has none, tensors are taken by
 * position if there are as many as columns.  A tensor's values come from
 * "data" (flat or nested, row-major) or, for a tensor with
 * "parameters": {"binary_data_size": N}, from its N bytes after the JSON
 * header, whose size the Inference-Header-Content-Length response header
 * (or SageMaker's json-header-size Content-Type parameter) gives.  A
 * non-array column needs exactly one value; an ARRAY column is shaped by
 * "shape", leading dimensions of 1 (the batch) dropped down to the
 * declared number of dimensions.  Values are converted as JSON values are
 * (json_decode.c); binary BYTES elements become text (UTF-8) or, for a
 * BYTES column, bytea.
 *
 * Every size the answer states about itself (the JSON header size,
 * binary_data_size, BYTES lengths, the shape) is checked by tensor_shape.c
 * before anything is allocated or read by it: a shape must hold exactly
 * the values given, and neither they nor the arrays an empty tensor's
 * shape would build may exceed mlpredict.max_output_elements.
 *
 * IDENTIFICATION
 *	  src/format/triton.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "format/format.h"
#include "format/tensor_shape.h"
#include "types/base64.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/params.h"
#include "wire/target.h"

#define HEADER_LENGTH_NAME "Inference-Header-Content-Length"
/* the longest BYTES element whose base64 text still fits one allocation */
#define BASE64_MAX_BYTES	((MaxAllocSize - 1) / 4 * 3)

/* One output tensor of a response. */
typedef struct Tensor
{
	char	   *name;
	char	   *datatype;
	int			ndims;			/* -1 when there is no shape */
	int			dims[MAXDIM];
	bool		has_data;
	JsonbValue	data;			/* "data", when has_data */
	const unsigned char *bin;	/* binary data, or NULL */
	int			binlen;
} Tensor;

/* ---------------------------------------------------------------------
 * Types
 * ---------------------------------------------------------------------
 */

/*
 * element_base
 *		The base type of a column's values: of its elements for an array.
 */
static Oid
element_base(const MlColumn *col)
{
	Oid			base = getBaseType(col->typid);
	Oid			elem = get_element_type(base);

	return OidIsValid(elem) ? getBaseType(elem) : base;
}

/*
 * tensor_datatype
 *		The KServe v2 datatype for values of base type base, or NULL.
 */
static const char *
tensor_datatype(Oid base)
{
	switch (base)
	{
		case BOOLOID:
			return "BOOL";
		case INT2OID:
			return "INT16";
		case INT4OID:
			return "INT32";
		case INT8OID:
			return "INT64";
		case FLOAT4OID:
			return "FP32";
		case FLOAT8OID:
		case NUMERICOID:
			return "FP64";
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case BYTEAOID:
			return "BYTES";
		default:
			return NULL;
	}
}

/*
 * is_bytes
 *		Does the column travel as a BYTES tensor?
 */
static bool
is_bytes(const MlColumn *col)
{
	const char *datatype = tensor_datatype(element_base(col));

	return datatype && strcmp(datatype, "BYTES") == 0;
}

/*
 * triton_check_schema
 *		Every column must have a tensor datatype.
 */
static void
triton_check_schema(List *input, List *output, const char *which)
{
	bool		is_input = strcmp(which, "input") == 0;
	ListCell   *lc;

	foreach(lc, is_input ? input : output)
	{
		MlColumn   *col = lfirst(lc);

		if (tensor_datatype(element_base(col)) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("format TRITON cannot carry %s column \"%s\" of type %s",
							is_input ? "INPUT" : "OUTPUT", col->name, col->decl),
					 errhint("Tensors hold BOOLEAN, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, STRING and BYTES values and ARRAYs of them; declare a ROW's fields as separate columns.")));
	}
}

/* ---------------------------------------------------------------------
 * Request
 * ---------------------------------------------------------------------
 */

/*
 * append_shape
 *		"shape": [...] of a value with ndims dimensions dims (a scalar: [1]).
 */
static void
append_shape(StringInfo json, int ndims, const int *dims)
{
	int			i;

	appendStringInfoString(json, "\"shape\": [");
	for (i = 0; i < ndims; i++)
		appendStringInfo(json, "%s%d", i ? ", " : "", dims[i]);
	if (ndims == 0)
		appendStringInfoChar(json, '0');
	appendStringInfoChar(json, ']');
}

/*
 * append_bytes_element
 *		Append one BYTES element to bin: its length, then its bytes.
 */
static void
append_bytes_element(StringInfo bin, Datum value, Oid base)
{
	StringInfoData bytes;

	initStringInfo(&bytes);
	if (base == BYTEAOID)
	{
		bytea	   *b = DatumGetByteaPP(value);

		appendBinaryStringInfo(&bytes, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	}
	else
		MlAppendUtf8(&bytes, value);
	MlAppendLE(bin, (uint32) bytes.len, 4);
	appendBinaryStringInfo(bin, bytes.data, bytes.len);
	pfree(bytes.data);
}

/*
 * append_tensor
 *		Append the tensor of one input value to json; BYTES elements go to
 *		bin.
 */
static void
append_tensor(StringInfo json, StringInfo bin, MlColumn *col, Datum value)
{
	Oid			elemtype = get_element_type(getBaseType(col->typid));
	Oid			base = element_base(col);
	bool		bytes = is_bytes(col);
	Datum	   *elems = &value;
	bool	   *elemnulls = NULL;
	int			n = 1;
	int			ndims = 1;
	int			one = 1;
	int		   *dims = &one;
	int			start = bin->len;
	int			i;

	if (OidIsValid(elemtype))
	{
		ArrayType  *arr = DatumGetArrayTypeP(value);
		int16		elmlen;
		bool		elmbyval;
		char		elmalign;

		get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
		deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign,
						  &elems, &elemnulls, &n);
		ndims = ARR_NDIM(arr);
		dims = ARR_DIMS(arr);
	}
	appendStringInfoString(json, "{\"name\": ");
	escape_json(json, col->name);
	appendStringInfo(json, ", \"datatype\": \"%s\", ", tensor_datatype(base));
	append_shape(json, ndims, dims);
	appendStringInfoString(json, bytes ? "" : ", \"data\": [");
	for (i = 0; i < n; i++)
	{
		if (elemnulls && elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("format TRITON cannot send the NULL element %d of INPUT column \"%s\"",
							i + 1, col->name),
					 errdetail("Tensors have no NULL values.")));
		if (bytes)
			append_bytes_element(bin, elems[i], base);
		else
		{
			appendStringInfoString(json, i ? ", " : "");
			MlDatumToJson(json, elems[i], false,
						  OidIsValid(elemtype) ? elemtype : col->typid);
		}
	}
	if (bytes)
		appendStringInfo(json, ", \"parameters\": {\"binary_data_size\": %d}}",
						 bin->len - start);
	else
		appendStringInfoString(json, "]}");
}

/*
 * wants_binary_output
 *		Is any OUTPUT column a STRING or BYTES?
 */
static bool
wants_binary_output(MlTarget *target)
{
	ListCell   *lc;

	foreach(lc, target->model->output)
		if (is_bytes(lfirst(lc)))
			return true;
	return false;
}

/*
 * append_parameters
 *		The request's top-level "parameters", if it has any.
 */
static void
append_parameters(StringInfo json, MlTarget *target)
{
	bool		binary = wants_binary_output(target);
	bool		first = true;

	if (!binary && !MlParamsAny(target->params, NULL))
		return;
	appendStringInfoString(json, ", \"parameters\": {");
	if (binary)
	{
		appendStringInfoString(json, "\"binary_data_output\": true");
		first = false;
	}
	MlAppendParams(json, target->params, NULL, &first);
	appendStringInfoChar(json, '}');
}

/*
 * triton_encode
 *		The inference request: JSON, or JSON and binary tensor data.
 */
static void
triton_encode(MlTarget *target, Datum *values, bool *nulls,
			  MlRequestBody *body)
{
	StringInfoData json;
	StringInfoData bin;
	bool		binary = false;
	ListCell   *lc;
	char	   *utf8;
	int			len;

	initStringInfo(&json);
	initStringInfo(&bin);
	appendStringInfoString(&json, "{\"inputs\": [");
	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("format TRITON cannot send NULL for INPUT column \"%s\"",
							col->name)));
		appendStringInfoString(&json, i ? ", " : "");
		append_tensor(&json, &bin, col, values[i]);
		binary |= is_bytes(col);
	}
	appendStringInfoChar(&json, ']');
	append_parameters(&json, target);
	appendStringInfoChar(&json, '}');
	if (!binary)
	{
		appendBinaryStringInfo(&body->data, json.data, json.len);
		return;
	}
	/* the JSON header is converted here, as the body is not as a whole */
	utf8 = pg_server_to_any(json.data, json.len, PG_UTF8);
	len = strlen(utf8);
	appendBinaryStringInfo(&body->data, utf8, len);
	appendBinaryStringInfo(&body->data, bin.data, bin.len);
	body->server_encoding = false;
	body->content_type = "application/octet-stream";
	MlRequestBodyAddHeader(body, HEADER_LENGTH_NAME, psprintf("%d", len));
}

/* ---------------------------------------------------------------------
 * Answer: the tensors
 * ---------------------------------------------------------------------
 */

/*
 * report_malformed
 *		Raise the error for a response that breaks the protocol.
 */
pg_noreturn static void report_malformed(MlTarget *target,
										 const char *detail);

static void
report_malformed(MlTarget *target, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" is not a valid inference response",
					target->display_name),
			 errdetail("%s", detail),
			 errhint("Check the model's output format.")));
}

/*
 * json_header_size
 *		Bytes of JSON before binary tensor data, from the
 *		Inference-Header-Content-Length header or SageMaker's
 *		json-header-size Content-Type parameter; -1 when neither is there.
 */
static int
json_header_size(MlTarget *target, MlResponseBody *response)
{
	const char *text = NULL;
	const char *param;
	ListCell   *lc;
	size_t		n;

	foreach(lc, response->headers)
	{
		HttpHeader *h = lfirst(lc);

		if (pg_strcasecmp(h->name, HEADER_LENGTH_NAME) == 0)
			text = h->value;
	}
	if (text == NULL && response->content_type &&
		(param = strstr(response->content_type, "json-header-size=")) != NULL)
		text = param + strlen("json-header-size=");
	if (text == NULL)
		return -1;
	if (!TensorParseHeaderSize(text, (size_t) response->len, &n))
		report_malformed(target,
						 psprintf("The JSON header size \"%s\" does not fit the %d-byte body.",
								  text, response->len));
	return (int) n;
}

/*
 * member_text
 *		The string member name of object, or NULL.
 */
static char *
member_text(const JsonbValue *object, const char *pointer)
{
	JsonbValue	v;

	if (!MlJsonPointerValue(object, pointer, &v) || v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/*
 * member_int
 *		The non-negative integer member at pointer of object, -1 if absent,
 *		-2 if it is not a non-negative integer.
 */
static int64
member_int(const JsonbValue *object, const char *pointer)
{
	JsonbValue	v;
	char	   *text;
	char	   *end;
	int64		n;

	if (!MlJsonPointerValue(object, pointer, &v))
		return -1;
	if (v.type != jbvNumeric)
		return -2;
	text = MlJsonValueToText(&v);
	errno = 0;
	n = strtoi64(text, &end, 10);
	return (*end != '\0' || errno != 0 || n < 0 || n > PG_INT32_MAX) ? -2 : n;
}

/*
 * read_shape
 *		The tensor's "shape", if any.
 */
static void
read_shape(MlTarget *target, const JsonbValue *object, Tensor *t)
{
	JsonbValue	shape;
	int			n;
	int			i;

	t->ndims = -1;
	if (!MlJsonPointerValue(object, "/shape", &shape))
		return;
	n = MlJsonArrayLength(&shape);
	if (n < 0 || n > MAXDIM)
		report_malformed(target,
						 psprintf("The shape of output tensor \"%s\" is not an array of at most %d dimensions.",
								  t->name, MAXDIM));
	for (i = 0; i < n; i++)
	{
		int64		d = member_int(&shape, psprintf("/%d", i));

		if (d < 0)
			report_malformed(target,
							 psprintf("The shape of output tensor \"%s\" has an invalid dimension.",
									  t->name));
		t->dims[i] = (int) d;
	}
	t->ndims = n;
}

/*
 * read_tensor
 *		One element of "outputs"; binary data is taken from *bin, which
 *		advances.
 */
static void
read_tensor(MlTarget *target, const JsonbValue *object, int index,
			const unsigned char *bin, int binlen, size_t *binused, Tensor *t)
{
	int64		size;
	size_t		offset;

	if (!MlJsonIsObject(object))
		report_malformed(target, psprintf("Output %d is not an object.", index));
	t->name = member_text(object, "/name");
	if (t->name == NULL)
		t->name = psprintf("#%d", index);
	t->datatype = member_text(object, "/datatype");
	if (t->datatype == NULL)
		t->datatype = "";
	read_shape(target, object, t);
	size = member_int(object, "/parameters/binary_data_size");
	if (size == -2)
		report_malformed(target,
						 psprintf("Output tensor \"%s\" has an invalid binary_data_size.",
								  t->name));
	if (size >= 0)
	{
		if (bin == NULL)
			report_malformed(target,
							 psprintf("Output tensor \"%s\" is binary, but the response has no %s header.",
									  t->name, HEADER_LENGTH_NAME));
		if (TensorTakeBinary(size, (size_t) binlen, binused, &offset) != TENSOR_OK)
			report_malformed(target,
							 psprintf("Output tensor \"%s\" has %d bytes of binary data, but only %d bytes are left.",
									  t->name, (int) size,
									  binlen - (int) *binused));
		t->bin = bin + offset;
		t->binlen = (int) size;
		return;
	}
	t->has_data = MlJsonPointerValue(object, "/data", &t->data);
	if (!t->has_data)
		report_malformed(target,
						 psprintf("Output tensor \"%s\" has neither data nor binary_data_size.",
								  t->name));
}

/*
 * read_tensors
 *		The response's output tensors.
 */
static Tensor *
read_tensors(MlTarget *target, MlResponseBody *response, int *ntensors)
{
	int			header = json_header_size(target, response);
	const unsigned char *bin = NULL;
	int			binlen = 0;
	size_t		binused = 0;
	Jsonb	   *doc;
	JsonbValue	outputs;
	JsonbValue	object;
	Tensor	   *tensors;
	int			n;
	int			i;

	if (header >= 0)
	{
		response->json = MlParseJson(response->data, header, target->display_name);
		bin = (const unsigned char *) response->data + header;
		binlen = response->len - header;
	}
	doc = MlResponseJson(target, response);
	if (!MlJsonPointer(doc, "/outputs", &outputs))
	{
		MlRaiseRemoteError(target, doc);
		MlJsonRequire(target, doc, "/outputs", &outputs);
	}
	n = MlJsonArrayLength(&outputs);
	if (n < 0)
		report_malformed(target, "\"outputs\" is not an array.");
	tensors = palloc0(sizeof(Tensor) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		MlJsonArrayElement(&outputs, i, &object);
		read_tensor(target, &object, i, bin, binlen, &binused, &tensors[i]);
	}
	*ntensors = n;
	return tensors;
}

/* ---------------------------------------------------------------------
 * Answer: tensor values
 * ---------------------------------------------------------------------
 */

/*
 * set_number
 *		Make v the JSON number whose text is text.
 */
static void
set_number(JsonbValue *v, const char *text)
{
	v->type = jbvNumeric;
	v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														 CStringGetDatum(text),
														 ObjectIdGetDatum(InvalidOid),
														 Int32GetDatum(-1)));
}

/*
 * set_string
 *		Make v a JSON string: for a bytea column the base64 of the bytes,
 *		else the bytes as UTF-8 text.
 */
static void
set_string(JsonbValue *v, const unsigned char *p, int len, bool base64)
{
	char	   *s;

	if (base64)
	{
		StringInfoData enc;

		initStringInfo(&enc);
		MlAppendBase64(&enc, p, len);
		s = enc.data;
	}
	else
	{
		/*
		 * All len bytes, NULs included (which the conversion rejects):
		 * pnstrdup would stop at a NUL and leave the conversion reading
		 * past its copy.
		 */
		s = palloc(len + 1);
		memcpy(s, p, len);
		s[len] = '\0';
		s = pg_any_to_server(s, len, PG_UTF8);
	}
	v->type = jbvString;
	v->val.string.val = s;
	v->val.string.len = strlen(s);
}

/*
 * fixed_value
 *		One element of a fixed-width binary tensor as a JSON value; false
 *		for a datatype this format does not read.
 */
static bool
fixed_value(const char *datatype, const unsigned char *p, int width,
			JsonbValue *v)
{
	uint64		u = MlReadLE(p, width);
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];
	uint32		u32 = (uint32) u;
	float4		f4;
	float8		f8;

	if (strcmp(datatype, "BOOL") == 0)
	{
		v->type = jbvBool;
		v->val.boolean = (u != 0);
		return true;
	}
	if (datatype[0] == 'U')
		snprintf(num, sizeof(num), UINT64_FORMAT, u);
	else if (datatype[0] == 'I')
	{
		/* sign-extend */
		if (width < 8 && (u >> (8 * width - 1)) & 1)
			u |= ~UINT64CONST(0) << (8 * width);
		snprintf(num, sizeof(num), INT64_FORMAT, (int64) u);
	}
	else if (strcmp(datatype, "FP32") == 0)
	{
		memcpy(&f4, &u32, sizeof(f4));
		float_to_shortest_decimal_buf(f4, num);
	}
	else if (strcmp(datatype, "FP64") == 0)
	{
		memcpy(&f8, &u, sizeof(f8));
		double_to_shortest_decimal_buf(f8, num);
	}
	else
		return false;
	set_number(v, num);
	return true;
}

/*
 * datatype_width
 *		Bytes per element of a fixed-width datatype; 0 for BYTES and
 *		unknown ones.
 */
static int
datatype_width(const char *datatype)
{
	static const struct
	{
		const char *name;
		int			width;
	}			widths[] = {
		{"BOOL", 1}, {"INT8", 1}, {"UINT8", 1}, {"INT16", 2}, {"UINT16", 2},
		{"INT32", 4}, {"UINT32", 4}, {"FP32", 4}, {"INT64", 8},
		{"UINT64", 8}, {"FP64", 8}
	};
	int			i;

	for (i = 0; i < lengthof(widths); i++)
		if (strcmp(widths[i].name, datatype) == 0)
			return widths[i].width;
	return 0;
}

/*
 * binary_count
 *		How many elements a binary tensor of this element width (0: BYTES)
 *		holds: checked by TensorCountBinary, which stops counting beyond
 *		mlpredict.max_output_elements.
 */
static int
binary_count(MlTarget *target, Tensor *t, int width)
{
	int64		n;
	TensorStatus status;

	status = TensorCountBinary(t->bin, (size_t) t->binlen, width,
							   mlpredict_max_output_elements, &n, NULL);
	if (status == TENSOR_NOT_MULTIPLE)
		report_malformed(target,
						 psprintf("Binary output tensor \"%s\" has %d bytes, not a multiple of %d for %s.",
								  t->name, t->binlen, width, t->datatype));
	if (status == TENSOR_TRUNCATED)
		report_malformed(target,
						 psprintf("Binary output tensor \"%s\" has a BYTES element that runs past its %d bytes.",
								  t->name, t->binlen));
	if (status == TENSOR_TOO_LARGE && width > 0)
		MlCheckOutputElements(t->binlen / width, target->display_name);
	if (status != TENSOR_OK)
		ereport(ERROR,
				errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("answer of model \"%s\" has an array of more than %d elements",
					   target->display_name, mlpredict_max_output_elements),
				errdetail("Binary output tensor \"%s\" holds more BYTES elements than mlpredict.max_output_elements allows.",
						  t->name),
				errhint("A superuser can raise mlpredict.max_output_elements."));
	return (int) n;
}

/*
 * binary_values
 *		The elements of a binary tensor as JSON values; more than
 *		mlpredict.max_output_elements are refused before they are made.
 */
static JsonbValue *
binary_values(MlTarget *target, Tensor *t, bool base64, int *count)
{
	int			width = datatype_width(t->datatype);
	JsonbValue *values;
	int			n;
	size_t		pos = 0;
	const unsigned char *elem;
	size_t		elemlen;

	if (width == 0 && strcmp(t->datatype, "BYTES") != 0)
		report_malformed(target,
						 psprintf("Binary output tensor \"%s\" has datatype \"%s\", which mlpredict cannot read.",
								  t->name, t->datatype));
	n = binary_count(target, t, width);
	values = palloc(sizeof(JsonbValue) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		if (width > 0)
		{
			(void) fixed_value(t->datatype, t->bin + (size_t) i * width, width,
							   &values[i]);
			continue;
		}
		/* binary_count has walked these very elements */
		if (!TensorNextBytes(t->bin, (size_t) t->binlen, &pos, &elem, &elemlen))
			elog(ERROR, "binary tensor \"%s\" changed while it was read", t->name);
		if (base64 && elemlen > BASE64_MAX_BYTES)
			ereport(ERROR,
					errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("binary output tensor \"%s\" of model \"%s\" has a BYTES element of %zu bytes, more than a bytea column can take here",
						   t->name, target->display_name, elemlen),
					errdetail("Its base64 form would exceed the largest allocation."),
					errhint("Elements of BYTES tensors for bytea columns may have at most %d bytes.",
							(int) BASE64_MAX_BYTES));
		if (!base64 && memchr(elem, '\0', elemlen) != NULL)
			ereport(ERROR,
					errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					errmsg("binary output tensor \"%s\" of model \"%s\" has a BYTES element with a NUL byte, which text cannot hold",
						   t->name, target->display_name),
					errhint("Declare the OUTPUT column as BYTES to receive the raw bytes."));
		set_string(&values[i], elem, (int) elemlen, base64);
	}
	*count = n;
	return values;
}

/*
 * count_leaves
 *		The number of non-array values in a (nested) JSON data array.
 */
static int64
count_leaves(const JsonbValue *v)
{
	int			len = MlJsonArrayLength(v);
	int64		n = 0;
	JsonbValue	elem;

	check_stack_depth();
	if (len < 0)
		return 1;
	for (int i = 0; i < len; i++)
	{
		MlJsonArrayElement(v, i, &elem);
		n += count_leaves(&elem);
	}
	return n;
}

/*
 * flatten
 *		Append the leaves of a (nested) JSON data array to values; beyond
 *		mlpredict.max_output_elements of them is an error, raised before
 *		more room is made.
 */
static void
flatten(MlTarget *target, Tensor *t, const JsonbValue *v, JsonbValue **values,
		int *count, int *size)
{
	int			len = MlJsonArrayLength(v);
	JsonbValue	elem;
	int			i;

	check_stack_depth();
	if (len < 0)
	{
		if (MlJsonIsObject(v))
			report_malformed(target,
							 psprintf("The data of output tensor \"%s\" holds an object.",
									  t->name));
		if (*count == *size)
		{
			if (*count >= mlpredict_max_output_elements)
				MlCheckOutputElements(count_leaves(&t->data),
									  target->display_name);
			*size *= 2;
			*values = repalloc(*values, sizeof(JsonbValue) * *size);
		}
		(*values)[(*count)++] = *v;
		return;
	}
	for (i = 0; i < len; i++)
	{
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		MlJsonArrayElement(v, i, &elem);
		flatten(target, t, &elem, values, count, size);
	}
}

/*
 * tensor_values
 *		The tensor's elements, flat in row-major order, as JSON values.
 */
static JsonbValue *
tensor_values(MlTarget *target, Tensor *t, bool base64, int *count)
{
	JsonbValue *values;
	int			size = 16;

	if (t->bin)
		return binary_values(target, t, base64, count);
	values = palloc(sizeof(JsonbValue) * size);
	*count = 0;
	flatten(target, t, &t->data, &values, count, &size);
	return values;
}

/*
 * nest
 *		The count flat values from *pos on as nested JSON arrays of dims,
 *		a shape TensorCheckShape has found to hold exactly count values.
 */
static JsonbValue
nest(JsonbValue *flat, int count, const int *dims, int ndims, int level,
	 int *pos)
{
	JsonbValue	v;
	int			i;

	CHECK_FOR_INTERRUPTS();
	v.type = jbvArray;
	v.val.array.rawScalar = false;
	v.val.array.nElems = dims[level];
	v.val.array.elems = palloc(sizeof(JsonbValue) * Max(dims[level], 1));
	for (i = 0; i < dims[level]; i++)
	{
		if (level + 1 < ndims)
		{
			v.val.array.elems[i] = nest(flat, count, dims, ndims, level + 1, pos);
			continue;
		}
		if (*pos >= count)
			elog(ERROR, "tensor shape holds more than its %d values", count);
		v.val.array.elems[i] = flat[(*pos)++];
	}
	return v;
}

/*
 * shape_text
 *		"[2, 3]" for an error detail.
 */
static char *
shape_text(const Tensor *t)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < t->ndims; i++)
		appendStringInfo(&buf, "%s%d", i ? ", " : "", t->dims[i]);
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * check_shape
 *		The tensor's shape must hold its count values, and even an empty
 *		tensor no more arrays than mlpredict.max_output_elements.
 */
static void
check_shape(MlTarget *target, const Tensor *t, int count)
{
	int64		dims[MAXDIM];

	/* more values than allowed is the limit's error, as for other arrays */
	MlCheckOutputElements(count, target->display_name);
	for (int i = 0; i < t->ndims; i++)
		dims[i] = t->dims[i];
	switch (TensorCheckShape(dims, t->ndims, count,
							 mlpredict_max_output_elements))
	{
		case TENSOR_OK:
			return;
		case TENSOR_MISMATCH:
			report_malformed(target,
							 psprintf("Output tensor \"%s\" has %d values, which does not match its shape.",
									  t->name, count));
		default:
			report_malformed(target,
							 psprintf("The shape %s of output tensor \"%s\" makes more than %d elements or arrays (mlpredict.max_output_elements), but the tensor has %d values.",
									  shape_text(t), t->name,
									  mlpredict_max_output_elements, count));
	}
}

/*
 * array_value
 *		The values shaped for an ARRAY column: by the tensor's shape, less
 *		leading dimensions of 1 beyond the declared dimensions.
 */
static JsonbValue
array_value(MlTarget *target, Tensor *t, MlColumn *col, JsonbValue *flat,
			int count)
{
	int			declared = Max(MlColumnDimensions(col), 1);
	int			dims[MAXDIM];
	int			ndims = 1;
	int			first = 0;
	int			pos = 0;

	dims[0] = count;
	if (t->ndims > 0)
	{
		check_shape(target, t, count);
		while (t->ndims - first > declared && t->dims[first] == 1)
			first++;
		ndims = t->ndims - first;
		memcpy(dims, t->dims + first, sizeof(int) * ndims);
	}
	return nest(flat, count, dims, ndims, 0, &pos);
}

/*
 * tensor_to_column
 *		Fill OUTPUT column i from tensor t.
 */
static void
tensor_to_column(MlTarget *target, Tensor *t, int i, Datum *values,
				 bool *nulls)
{
	MlColumn   *col = list_nth(target->model->output, i);
	int			count;
	JsonbValue *flat = tensor_values(target, t, element_base(col) == BYTEAOID,
									 &count);
	JsonbValue	value;

	if (MlColumnTakesArray(col))
		value = array_value(target, t, col, flat, count);
	else if (count == 1)
		value = flat[0];
	else
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("output tensor \"%s\" of model \"%s\" has %d values, but OUTPUT column \"%s\" is %s",
						t->name, target->display_name, count, col->name,
						col->decl),
				 errhint("Declare the column as an ARRAY.")));
	MlDecodeOutputColumn(target, i, &value, values, nulls);
}

/*
 * find_tensor
 *		Index of the tensor named name (exact, then case-insensitive), or -1.
 */
static int
find_tensor(Tensor *tensors, int n, const char *name)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(tensors[i].name, name) == 0)
			return i;
	for (i = 0; i < n; i++)
		if (pg_strcasecmp(tensors[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * tensor_names
 *		"a, b, c" for an error detail.
 */
static char *
tensor_names(Tensor *tensors, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\"", i ? ", " : "", tensors[i].name);
	return buf.data;
}

/*
 * triton_decode
 *		Match tensors to OUTPUT columns and convert them.
 */
static void
triton_decode(MlTarget *target, MlResponseBody *response, Datum *values,
			  bool *nulls)
{
	int			ntensors;
	Tensor	   *tensors = read_tensors(target, response, &ntensors);
	int		   *match = palloc(sizeof(int) * target->noutputs);
	const char *missing = NULL;
	ListCell   *lc;
	int			i;

	foreach(lc, target->model->output)
	{
		MlColumn   *col = lfirst(lc);

		i = foreach_current_index(lc);
		match[i] = find_tensor(tensors, ntensors, col->name);
		if (match[i] < 0 && missing == NULL)
			missing = col->name;
	}
	if (missing && ntensors != target->noutputs)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("output tensor \"%s\" not found in response of model \"%s\"",
						missing, target->display_name),
				 ntensors == 0 ? errdetail("The response has no output tensors.") :
				 errdetail_plural("The response has %d output tensor: %s.",
								  "The response has %d output tensors: %s.",
								  ntensors, ntensors,
								  MlMaskSecrets(target, tensor_names(tensors, ntensors))),
				 errhint("Name the OUTPUT columns after the model's output tensors, or declare one column per tensor.")));
	for (i = 0; i < target->noutputs; i++)
		tensor_to_column(target, &tensors[missing ? i : match[i]], i,
						 values, nulls);
}

static const char *const triton_aliases[] = {"KSERVE-V2", NULL};

const MlFormat MlFormatTriton = {
	"TRITON", triton_aliases, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	triton_check_schema, triton_encode, triton_decode
};
