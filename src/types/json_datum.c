/*-------------------------------------------------------------------------
 *
 * json_datum.c
 *	  Conversions between SQL values and JSON, following Confluent's rules
 *	  for model input serialization and output parsing.
 *
 * This file owns:
 *	- serializing one SQL value as JSON text for a request body
 *	  (MlDatumToJson);
 *	- parsing a provider response into jsonb (MlParseJson);
 *	- walking parsed responses: RFC 6901 pointers and field lookup;
 *	- converting one JSON value into a SQL value of a given type
 *	  (MlJsonToDatum), including arrays, composites and domains.
 *
 * A type is classified once per call into a TypeConv, which caches the
 * I/O functions and element or attribute information, so converting a
 * 1536-element embedding costs one catalog lookup, not one per element.
 *
 * Note that jsonb keeps object keys sorted by length and then bytewise,
 * not in document order; "first match" in field searches follows that
 * stored order.
 *
 * IDENTIFICATION
 *	  src/types/json_datum.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/int.h"
#include "common/jsonapi.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "types/json_datum.h"

/* longest part of a response value quoted in an error message */
#define VALUE_EXCERPT_LEN	100
/* longest part of a response body quoted in an error message */
#define BODY_EXCERPT_LEN	200

/* How a SQL type maps to JSON. */
typedef enum JsonCategory
{
	JC_STRING,					/* text, varchar, bpchar, name, "char" */
	JC_BOOL,
	JC_INT2,
	JC_INT4,
	JC_INT8,
	JC_FLOAT4,
	JC_FLOAT8,
	JC_NUMERIC,
	JC_BYTEA,
	JC_JSON,
	JC_JSONB,
	JC_DATETIME,				/* date, time, timetz, timestamp(tz) */
	JC_ARRAY,
	JC_COMPOSITE,
	JC_OTHER					/* through the type's text I/O functions */
} JsonCategory;

/* One classified type, with what converting its values needs. */
typedef struct TypeConv
{
	Oid			typid;			/* type as requested, maybe a domain */
	Oid			basetype;		/* typid with domains stripped */
	int32		typmod;			/* typmod that applies to basetype */
	JsonCategory cat;
	char		typtype;		/* of basetype */
	bool		is_domain;
	void	   *domain_extra;	/* domain_check()'s cache */
	bool		have_iofunc;
	FmgrInfo	iofunc;			/* input or output function of basetype */
	Oid			typioparam;
	/* JC_ARRAY */
	struct TypeConv *elem;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	/* JC_COMPOSITE: one entry per attribute, filled lazily */
	Oid			attrs_typid;
	int			nattrs;
	struct TypeConv **attrs;
} TypeConv;

/* Outcome of parsing integer text. */
typedef enum IntParse
{
	INT_OK,
	INT_SYNTAX,
	INT_FRACTION,
	INT_OVERFLOW
} IntParse;

static TypeConv *type_conv_create(Oid typid, int32 typmod, bool for_input);
static void datum_to_json(StringInfo buf, Datum value, bool isnull,
						  TypeConv *tc);
static Datum json_to_datum(const JsonbValue *in, TypeConv *tc, int ndims,
						   const char *column, bool *isnull);

/* ---------------------------------------------------------------------
 * Type classification
 * ---------------------------------------------------------------------
 */

/*
 * categorize
 *		Decide how values of a (non-domain) type are mapped to JSON.
 */
static JsonCategory
categorize(Oid basetype, char typtype)
{
	switch (basetype)
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
		case CHAROID:
			return JC_STRING;
		case BOOLOID:
			return JC_BOOL;
		case INT2OID:
			return JC_INT2;
		case INT4OID:
			return JC_INT4;
		case INT8OID:
			return JC_INT8;
		case FLOAT4OID:
			return JC_FLOAT4;
		case FLOAT8OID:
			return JC_FLOAT8;
		case NUMERICOID:
			return JC_NUMERIC;
		case BYTEAOID:
			return JC_BYTEA;
		case JSONOID:
			return JC_JSON;
		case JSONBOID:
			return JC_JSONB;
		case DATEOID:
		case TIMEOID:
		case TIMETZOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return JC_DATETIME;
		case RECORDOID:
			return JC_COMPOSITE;
		default:
			break;
	}
	if (OidIsValid(get_element_type(basetype)))
		return JC_ARRAY;
	if (typtype == TYPTYPE_COMPOSITE)
		return JC_COMPOSITE;
	return JC_OTHER;
}

/*
 * type_conv_create
 *		Classify typid (with typmod) for conversion in one direction:
 *		for_input means JSON -> SQL, otherwise SQL -> JSON.  The result and
 *		everything it caches live in CurrentMemoryContext.
 */
static TypeConv *
type_conv_create(Oid typid, int32 typmod, bool for_input)
{
	TypeConv   *tc = palloc0(sizeof(TypeConv));
	int32		basetypmod = typmod;

	tc->typid = typid;
	tc->basetype = getBaseTypeAndTypmod(typid, &basetypmod);
	tc->typmod = basetypmod;
	tc->is_domain = (tc->basetype != typid);
	tc->typtype = get_typtype(tc->basetype);
	tc->cat = categorize(tc->basetype, tc->typtype);

	if (tc->cat == JC_ARRAY)
	{
		Oid			elemtype = get_element_type(tc->basetype);

		get_typlenbyvalalign(elemtype, &tc->elmlen, &tc->elmbyval,
							 &tc->elmalign);
		/* an array's typmod applies to its elements */
		tc->elem = type_conv_create(elemtype, tc->typmod, for_input);
	}

	if (for_input && (tc->cat == JC_STRING || tc->cat == JC_NUMERIC ||
					  tc->cat == JC_DATETIME || tc->cat == JC_OTHER ||
					  (tc->cat == JC_COMPOSITE && tc->basetype != RECORDOID)))
	{
		Oid			infunc;

		getTypeInputInfo(tc->basetype, &infunc, &tc->typioparam);
		fmgr_info(infunc, &tc->iofunc);
		tc->have_iofunc = true;
	}
	else if (!for_input && (tc->cat == JC_STRING || tc->cat == JC_OTHER))
	{
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(tc->basetype, &outfunc, &isvarlena);
		fmgr_info(outfunc, &tc->iofunc);
		tc->have_iofunc = true;
	}
	return tc;
}

/*
 * attr_convs
 *		The per-attribute TypeConv cache of a composite TypeConv, reset when
 *		the row type differs from the cached one.
 */
static TypeConv **
attr_convs(TypeConv *tc, Oid tuptype, int natts)
{
	if (tc->attrs == NULL || tc->attrs_typid != tuptype ||
		tc->nattrs != natts)
	{
		tc->attrs = palloc0(sizeof(TypeConv *) * Max(natts, 1));
		tc->attrs_typid = tuptype;
		tc->nattrs = natts;
	}
	return tc->attrs;
}

/* ---------------------------------------------------------------------
 * SQL value -> JSON text
 * ---------------------------------------------------------------------
 */

/*
 * report_unsendable
 *		Raise the error for a NaN or infinite number, which JSON cannot
 *		express.
 */
static void
report_unsendable(TypeConv *tc, const char *valtext)
{
	ereport(ERROR,
			errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			errmsg("cannot send %s value \"%s\" to a model",
				   format_type_be(tc->typid), valtext),
			errdetail("JSON numbers cannot represent NaN or infinity."));
}

/*
 * float_to_json
 *		Append a float4 or float8 as the shortest JSON number that reads
 *		back exactly, independent of extra_float_digits.
 */
static void
float_to_json(StringInfo buf, Datum value, TypeConv *tc)
{
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];
	double		d;

	d = (tc->cat == JC_FLOAT4) ? (double) DatumGetFloat4(value) :
		DatumGetFloat8(value);
	if (isnan(d))
		report_unsendable(tc, "NaN");
	else if (isinf(d))
		report_unsendable(tc, d > 0 ? "Infinity" : "-Infinity");
	else if (tc->cat == JC_FLOAT4)
		float_to_shortest_decimal_buf(DatumGetFloat4(value), num);
	else
		double_to_shortest_decimal_buf(d, num);
	appendStringInfoString(buf, num);
}

/*
 * numeric_to_json
 *		Append a numeric as a JSON number; its text form already is one
 *		except for NaN and the infinities.
 */
static void
numeric_to_json(StringInfo buf, Datum value, TypeConv *tc)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, value));

	if (strcmp(s, "NaN") == 0 || strchr(s, 'I') != NULL)
		report_unsendable(tc, s);
	appendStringInfoString(buf, s);
}

/*
 * bytea_to_json
 *		Append a bytea as a base64 JSON string without line breaks.
 */
static void
bytea_to_json(StringInfo buf, Datum value)
{
	bytea	   *b = DatumGetByteaPP(value);
	int			srclen = VARSIZE_ANY_EXHDR(b);
	int			enclen = pg_b64_enc_len(srclen);
	int			n;

	enlargeStringInfo(buf, enclen + 2);
	appendStringInfoChar(buf, '"');
	/* void pointers: the parameter types differ between major versions */
	n = pg_b64_encode((const void *) VARDATA_ANY(b), srclen,
					  (void *) (buf->data + buf->len), enclen);
	if (n < 0)
		elog(ERROR, "could not encode bytea value as base64");
	buf->len += n;
	buf->data[buf->len] = '\0';
	appendStringInfoChar(buf, '"');
}

/*
 * json_text_valid
 *		Does s hold valid JSON in the given encoding?  Never raises an error
 *		for bad input.
 */
static bool
json_text_valid(char *s, size_t len, int encoding)
{
	JsonLexContext *lex;
	JsonParseErrorType rc;

#if PG_VERSION_NUM >= 170000
	lex = makeJsonLexContextCstringLen(NULL, s, len, encoding, false);
	rc = pg_parse_json(lex, &nullSemAction);
	freeJsonLexContext(lex);
#else
	lex = makeJsonLexContextCstringLen(s, len, encoding, false);
	rc = pg_parse_json(lex, &nullSemAction);
	pfree(lex);
#endif
	return rc == JSON_SUCCESS;
}

/*
 * text_is_json_array
 *		True when s is the text of a valid JSON array, as pgvector's vector
 *		output "[1,2,3]" is.
 */
static bool
text_is_json_array(char *s)
{
	if (s[0] != '[')
		return false;
	return json_text_valid(s, strlen(s), GetDatabaseEncoding());
}

/*
 * array_level_to_json
 *		Append dimension dim of a deconstructed array, starting at element
 *		*idx, as a (nested) JSON array.
 */
static void
array_level_to_json(StringInfo buf, int dim, int ndim, const int *dims,
					Datum *elems, bool *nulls, int *idx, TypeConv *elem)
{
	appendStringInfoChar(buf, '[');
	for (int i = 0; i < dims[dim]; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		if (dim + 1 < ndim)
			array_level_to_json(buf, dim + 1, ndim, dims, elems, nulls, idx,
								elem);
		else
		{
			datum_to_json(buf, elems[*idx], nulls[*idx], elem);
			(*idx)++;
		}
	}
	appendStringInfoChar(buf, ']');
}

/*
 * array_to_json_value
 *		Append an array as a JSON array; dimensions become nesting levels.
 */
static void
array_to_json_value(StringInfo buf, Datum value, TypeConv *tc)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	int			ndim = ARR_NDIM(arr);
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			idx = 0;

	if (ndim == 0 || ArrayGetNItems(ndim, ARR_DIMS(arr)) == 0)
	{
		appendStringInfoString(buf, "[]");
		return;
	}
	deconstruct_array(arr, ARR_ELEMTYPE(arr), tc->elmlen, tc->elmbyval,
					  tc->elmalign, &elems, &nulls, &nelems);
	array_level_to_json(buf, 0, ndim, ARR_DIMS(arr), elems, nulls, &idx,
						tc->elem);
	pfree(elems);
	pfree(nulls);
}

/*
 * composite_to_json
 *		Append a row value as a JSON object keyed by attribute name.
 */
static void
composite_to_json(StringInfo buf, Datum value, TypeConv *tc)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	Oid			tuptype = HeapTupleHeaderGetTypeId(td);
	TupleDesc	tupdesc;
	HeapTupleData tuple;
	TypeConv  **attrs;
	Datum	   *values;
	bool	   *nulls;
	bool		first = true;

	tupdesc = lookup_rowtype_tupdesc(tuptype, HeapTupleHeaderGetTypMod(td));
	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;

	values = palloc(sizeof(Datum) * Max(tupdesc->natts, 1));
	nulls = palloc(sizeof(bool) * Max(tupdesc->natts, 1));
	heap_deform_tuple(&tuple, tupdesc, values, nulls);
	attrs = attr_convs(tc, tuptype, tupdesc->natts);

	appendStringInfoChar(buf, '{');
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		if (attrs[i] == NULL)
			attrs[i] = type_conv_create(att->atttypid, att->atttypmod, false);
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		escape_json(buf, NameStr(att->attname));
		appendStringInfoChar(buf, ':');
		datum_to_json(buf, values[i], nulls[i], attrs[i]);
	}
	appendStringInfoChar(buf, '}');
	ReleaseTupleDesc(tupdesc);
	pfree(values);
	pfree(nulls);
}

/*
 * other_to_json
 *		Append a value of a type without a JSON mapping as its text output,
 *		as a JSON string, or as-is when that text is a JSON array (vector).
 */
static void
other_to_json(StringInfo buf, Datum value, TypeConv *tc)
{
	char	   *s = OutputFunctionCall(&tc->iofunc, value);

	/* ranges such as numrange '[1,5]' must stay strings */
	if (tc->typtype == TYPTYPE_BASE && text_is_json_array(s))
		appendStringInfoString(buf, s);
	else
		escape_json(buf, s);
	pfree(s);
}

/*
 * datum_to_json
 *		Append the JSON encoding of one value of the classified type.
 */
static void
datum_to_json(StringInfo buf, Datum value, bool isnull, TypeConv *tc)
{
	if (isnull)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	check_stack_depth();

	switch (tc->cat)
	{
		case JC_STRING:
			escape_json(buf, OutputFunctionCall(&tc->iofunc, value));
			break;
		case JC_BOOL:
			appendStringInfoString(buf, DatumGetBool(value) ? "true" : "false");
			break;
		case JC_INT2:
			appendStringInfo(buf, "%d", (int) DatumGetInt16(value));
			break;
		case JC_INT4:
			appendStringInfo(buf, "%d", (int) DatumGetInt32(value));
			break;
		case JC_INT8:
			appendStringInfo(buf, INT64_FORMAT, DatumGetInt64(value));
			break;
		case JC_FLOAT4:
		case JC_FLOAT8:
			float_to_json(buf, value, tc);
			break;
		case JC_NUMERIC:
			numeric_to_json(buf, value, tc);
			break;
		case JC_BYTEA:
			bytea_to_json(buf, value);
			break;
		case JC_JSON:
			{
				text	   *t = DatumGetTextPP(value);

				appendBinaryStringInfo(buf, VARDATA_ANY(t),
									   VARSIZE_ANY_EXHDR(t));
				break;
			}
		case JC_JSONB:
			{
				Jsonb	   *jb = DatumGetJsonbP(value);

				(void) JsonbToCString(buf, &jb->root, VARSIZE(jb));
				break;
			}
		case JC_DATETIME:
			/* ISO 8601 whatever DateStyle says, as to_json() does */
			escape_json(buf, JsonEncodeDateTime(NULL, value, tc->basetype,
												NULL));
			break;
		case JC_ARRAY:
			array_to_json_value(buf, value, tc);
			break;
		case JC_COMPOSITE:
			composite_to_json(buf, value, tc);
			break;
		case JC_OTHER:
			other_to_json(buf, value, tc);
			break;
	}
}

/*
 * MlDatumToJson
 *		Append the JSON encoding of a SQL value of type typid to buf, the way
 *		model inputs are serialized into request bodies.  Text is appended in
 *		the server encoding.  Raises ERROR for NaN and infinite numbers.
 */
void
MlDatumToJson(StringInfo buf, Datum value, bool isnull, Oid typid)
{
	TypeConv   *tc;

	if (isnull)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	tc = type_conv_create(typid, -1, false);
	datum_to_json(buf, value, false, tc);
}

/* ---------------------------------------------------------------------
 * Parsing responses
 * ---------------------------------------------------------------------
 */

/*
 * body_excerpt
 *		A printable rendering of the first bytes of a response body for
 *		error messages: control characters and bytes that are not valid
 *		UTF-8 (or any non-ASCII byte when the server encoding is not UTF-8)
 *		are escaped, and "..." marks a cut.
 */
static char *
body_excerpt(const char *body, size_t len)
{
	StringInfoData out;
	const unsigned char *p = (const unsigned char *) body;
	size_t		limit = Min(len, BODY_EXCERPT_LEN);
	size_t		i = 0;
	bool		utf8 = (GetDatabaseEncoding() == PG_UTF8);

	initStringInfo(&out);
	while (i < limit)
	{
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f)
			appendStringInfoChar(&out, (char) c);
		else if (c == '\n')
			appendStringInfoString(&out, "\\n");
		else if (c == '\r')
			appendStringInfoString(&out, "\\r");
		else if (c == '\t')
			appendStringInfoString(&out, "\\t");
		else if (c >= 0x80 && utf8 && pg_utf_mblen(p + i) <= len - i &&
				 pg_utf8_islegal(p + i, pg_utf_mblen(p + i)))
		{
			int			l = pg_utf_mblen(p + i);

			appendBinaryStringInfo(&out, body + i, l);
			i += l;
			continue;
		}
		else
			appendStringInfo(&out, "\\x%02x", c);
		i++;
	}
	if (i < len)
		appendStringInfoString(&out, "...");
	return out.data;
}

/*
 * report_invalid_json
 *		Raise the error for a response that could not be parsed; edata is
 *		the error the parser raised.
 */
static void
report_invalid_json(const char *body, size_t len, const char *who,
					ErrorData *edata)
{
	char	   *reason;

	if (edata->detail)
		reason = edata->detail;
	else
	{
		/* turn the parser's primary message into a sentence */
		reason = psprintf("%s.", edata->message);
		reason[0] = pg_toupper((unsigned char) reason[0]);
	}

	ereport(ERROR,
			errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			errmsg("%s returned a response that is not valid JSON", who),
			len == 0 ?
			errdetail("%s The response body is empty.", reason) :
			len > BODY_EXCERPT_LEN ?
			errdetail("%s The response body starts with: %s", reason,
					  body_excerpt(body, len)) :
			errdetail("%s The response body is: %s", reason,
					  body_excerpt(body, len)),
			errhint("Check that the model's output format matches what the endpoint returns."));
}

/*
 * MlParseJson
 *		Parse a provider response body (UTF-8) into jsonb, converting it to
 *		the server encoding.  Data errors from the parser (bad syntax, bad
 *		encoding, unsupported escapes) become one error naming who; other
 *		errors (cancel, out of memory) propagate unchanged.  The result is
 *		allocated in CurrentMemoryContext.
 */
Jsonb *
MlParseJson(const char *body, size_t len, const char *who)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Jsonb	   *volatile result = NULL;
	ErrorData  *volatile edata = NULL;
	char	   *copy;

	/* jsonb_in wants a terminated string; embedded NULs fail validation */
	copy = palloc(len + 1);
	memcpy(copy, body, len);
	copy[len] = '\0';

	PG_TRY();
	{
		char	   *conv = pg_any_to_server(copy, (int) len, PG_UTF8);

		result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
													CStringGetDatum(conv)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
	}
	PG_END_TRY();

	if (result == NULL)
		report_invalid_json(body, len, who, edata);
	pfree(copy);
	return result;
}

/*
 * MlTryParseJson
 *		Parse a body that may not be JSON (an error page, say): NULL when it
 *		is not valid UTF-8 JSON, without raising an error.
 */
Jsonb *
MlTryParseJson(const char *body, size_t len)
{
	char	   *copy;

	if (body == NULL || len == 0 || memchr(body, '\0', len) != NULL)
		return NULL;
	copy = pnstrdup(body, len);
	if (!json_text_valid(copy, len, PG_UTF8) ||
		GetDatabaseEncoding() != PG_UTF8)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
}

/* ---------------------------------------------------------------------
 * Navigating JSON values
 * ---------------------------------------------------------------------
 */

/*
 * json_normalize
 *		Copy in to out, unpacking a raw scalar (the root of a scalar jsonb
 *		document) into the scalar itself.
 */
static void
json_normalize(const JsonbValue *in, JsonbValue *out)
{
	if (in->type == jbvBinary && JsonContainerIsScalar(in->val.binary.data))
	{
		if (!JsonbExtractScalar(in->val.binary.data, out))
			elog(ERROR, "could not extract scalar from jsonb container");
	}
	else if (in->type == jbvArray && in->val.array.rawScalar &&
			 in->val.array.nElems == 1)
		*out = in->val.array.elems[0];
	else
		*out = *in;
}

/* True if v (normalized) is a JSON array. */
static bool
json_is_array(const JsonbValue *v)
{
	return v->type == jbvArray ||
		(v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data));
}

/* True if v (normalized) is a JSON object. */
static bool
json_is_object(const JsonbValue *v)
{
	return v->type == jbvObject ||
		(v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data));
}

/* Number of elements (or pairs) of a normalized array or object. */
static int
json_size(const JsonbValue *v)
{
	if (v->type == jbvArray)
		return v->val.array.nElems;
	if (v->type == jbvObject)
		return v->val.object.nPairs;
	return JsonContainerSize(v->val.binary.data);
}

/*
 * json_array_get
 *		Element i of a normalized array, in O(1); false if out of range.
 */
static bool
json_array_get(const JsonbValue *arr, int i, JsonbValue *out)
{
	JsonbValue *v;

	if (i < 0 || i >= json_size(arr))
		return false;
	if (arr->type == jbvArray)
	{
		json_normalize(&arr->val.array.elems[i], out);
		return true;
	}
	v = getIthJsonbValueFromContainer(arr->val.binary.data, (uint32) i);
	if (v == NULL)
		return false;
	*out = *v;
	pfree(v);
	return true;
}

/*
 * json_children
 *		The element values of an array or the member values of an object, in
 *		stored order, with nested containers as jbvBinary.  When keys is not
 *		NULL and v is an object, *keys receives the matching keys.  The
 *		result is freshly allocated.
 */
static JsonbValue *
json_children(const JsonbValue *v, int *n, JsonbValue **keys)
{
	int			size = json_size(v);
	JsonbValue *items = palloc(sizeof(JsonbValue) * Max(size, 1));
	JsonbValue *names = NULL;
	int			count = 0;

	if (keys && json_is_object(v))
		names = palloc(sizeof(JsonbValue) * Max(size, 1));

	if (v->type == jbvArray)
	{
		for (int i = 0; i < size; i++)
			items[count++] = v->val.array.elems[i];
	}
	else if (v->type == jbvObject)
	{
		for (int i = 0; i < size; i++)
		{
			if (names)
				names[count] = v->val.object.pairs[i].key;
			items[count++] = v->val.object.pairs[i].value;
		}
	}
	else
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbIteratorToken tok;
		JsonbValue	jv;

		while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY && names)
				names[count] = jv;
			else if ((tok == WJB_VALUE || tok == WJB_ELEM) && count < size)
				items[count++] = jv;
		}
	}
	*n = count;
	if (keys)
		*keys = names;
	return items;
}

/*
 * object_lookup
 *		Member name of a normalized object: exact match, or with
 *		ignore_case an ASCII case-insensitive one (first in stored order).
 */
static bool
object_lookup(const JsonbValue *obj, const char *name, int namelen,
			  bool ignore_case, JsonbValue *out)
{
	JsonbValue *keys;
	JsonbValue *values;
	int			n;
	bool		found = false;

	if (!ignore_case && obj->type == jbvBinary)
		return getKeyJsonValueFromContainer(obj->val.binary.data, name,
											namelen, out) != NULL;

	values = json_children(obj, &n, &keys);
	for (int i = 0; i < n && !found; i++)
	{
		if (keys[i].val.string.len != namelen)
			continue;
		if (ignore_case ?
			pg_strncasecmp(keys[i].val.string.val, name, namelen) == 0 :
			memcmp(keys[i].val.string.val, name, namelen) == 0)
		{
			*out = values[i];
			found = true;
		}
	}
	pfree(values);
	pfree(keys);
	return found;
}

/*
 * pointer_step
 *		Follow one decoded pointer segment from cur; false if it leads
 *		nowhere.  Array indexes are decimal without leading zeros.
 */
static bool
pointer_step(const JsonbValue *cur, const char *seg, int seglen,
			 JsonbValue *out)
{
	JsonbValue	next;
	int64		index = 0;

	if (json_is_object(cur))
	{
		if (!object_lookup(cur, seg, seglen, false, &next))
			return false;
		json_normalize(&next, out);
		return true;
	}
	if (!json_is_array(cur) || seglen == 0 ||
		(seglen > 1 && seg[0] == '0'))
		return false;
	for (int i = 0; i < seglen; i++)
	{
		if (!isdigit((unsigned char) seg[i]))
			return false;
		index = index * 10 + (seg[i] - '0');
		if (index > PG_INT32_MAX)
			return false;
	}
	return json_array_get(cur, (int) index, out);
}

/*
 * decode_segment
 *		Undo RFC 6901 escaping (~1 is '/', ~0 is '~') of one segment into
 *		seg; false on any other use of '~'.
 */
static bool
decode_segment(const char *p, int len, StringInfo seg)
{
	resetStringInfo(seg);
	for (int i = 0; i < len; i++)
	{
		if (p[i] != '~')
			appendStringInfoChar(seg, p[i]);
		else if (i + 1 < len && (p[i + 1] == '0' || p[i + 1] == '1'))
		{
			appendStringInfoChar(seg, p[i + 1] == '0' ? '~' : '/');
			i++;
		}
		else
			return false;
	}
	return true;
}

/*
 * MlJsonPointerValue
 *		Follow an RFC 6901 JSON pointer from in.  "" is in itself; a missing
 *		leading '/' is assumed.  Returns false when the path does not exist
 *		(or the pointer is malformed).  Containers come back as jbvBinary
 *		pointing into the same document.
 */
bool
MlJsonPointerValue(const JsonbValue *in, const char *pointer, JsonbValue *out)
{
	JsonbValue	cur;
	StringInfoData seg;
	const char *p = pointer;

	json_normalize(in, &cur);
	if (p == NULL || *p == '\0')
	{
		*out = cur;
		return true;
	}
	if (*p == '/')
		p++;

	initStringInfo(&seg);
	for (;;)
	{
		const char *end = strchr(p, '/');
		int			seglen = end ? (int) (end - p) : (int) strlen(p);
		JsonbValue	next;

		if (!decode_segment(p, seglen, &seg) ||
			!pointer_step(&cur, seg.data, seg.len, &next))
		{
			pfree(seg.data);
			return false;
		}
		cur = next;
		if (end == NULL)
			break;
		p = end + 1;
	}
	pfree(seg.data);
	*out = cur;
	return true;
}

/*
 * MlJsonPointer
 *		MlJsonPointerValue starting from the root of doc.
 */
bool
MlJsonPointer(Jsonb *doc, const char *pointer, JsonbValue *out)
{
	JsonbValue	root;

	root.type = jbvBinary;
	root.val.binary.data = &doc->root;
	root.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	return MlJsonPointerValue(&root, pointer, out);
}

/*
 * find_field
 *		Search v for member name: in an object, an exact then a
 *		case-insensitive match; failing that, the nested objects and arrays
 *		below, depth-first.
 */
static bool
find_field(const JsonbValue *v, const char *name, int namelen,
		   JsonbValue *out)
{
	JsonbValue *children;
	int			n;
	bool		found = false;

	check_stack_depth();
	if (json_is_object(v))
	{
		if (object_lookup(v, name, namelen, false, out) ||
			object_lookup(v, name, namelen, true, out))
		{
			json_normalize(out, out);
			return true;
		}
	}
	else if (!json_is_array(v))
		return false;

	children = json_children(v, &n, NULL);
	for (int i = 0; i < n && !found; i++)
	{
		if (json_is_object(&children[i]) || json_is_array(&children[i]))
			found = find_field(&children[i], name, namelen, out);
	}
	pfree(children);
	return found;
}

/*
 * MlJsonFindField
 *		Confluent's field lookup for an output column: a member with exactly
 *		this name, else one matching case-insensitively, else the first
 *		match found searching nested objects and arrays depth-first.  Member
 *		order is jsonb's stored order (shorter keys first), not document
 *		order.  Returns false when there is no such member.
 */
bool
MlJsonFindField(const JsonbValue *object, const char *name, JsonbValue *out)
{
	JsonbValue	v;

	json_normalize(object, &v);
	return find_field(&v, name, strlen(name), out);
}

/*
 * MlJsonKindName
 *		Short name of a JSON value's kind, for messages.
 */
const char *
MlJsonKindName(const JsonbValue *value)
{
	JsonbValue	v;

	json_normalize(value, &v);
	switch (v.type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvArray:
			return "array";
		case jbvObject:
			return "object";
		case jbvBinary:
			return JsonContainerIsArray(v.val.binary.data) ? "array" : "object";
		default:
			return "string";	/* jbvDatetime only exists inside jsonpath */
	}
}

/*
 * MlJsonValueToText
 *		The JSON text of a value (scalar or container), palloc'd.
 */
char *
MlJsonValueToText(const JsonbValue *value)
{
	JsonbValue	v;
	StringInfoData buf;

	json_normalize(value, &v);
	switch (v.type)
	{
		case jbvNull:
			return pstrdup("null");
		case jbvBool:
			return pstrdup(v.val.boolean ? "true" : "false");
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v.val.numeric)));
		case jbvString:
			initStringInfo(&buf);
			escape_json(&buf, pnstrdup(v.val.string.val, v.val.string.len));
			return buf.data;
		case jbvBinary:
			return JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		case jbvArray:
		case jbvObject:
			{
				Jsonb	   *jb = JsonbValueToJsonb(&v);

				return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
			}
		default:
			elog(ERROR, "unexpected jsonb value type: %d", (int) v.type);
			return NULL;		/* keep compiler quiet */
	}
}

/* ---------------------------------------------------------------------
 * JSON value -> SQL value
 * ---------------------------------------------------------------------
 */

/*
 * errdetail_value
 *		errdetail() quoting a response value's JSON text, cut after
 *		VALUE_EXCERPT_LEN bytes.  For use inside ereport().
 */
static int
errdetail_value(const JsonbValue *v)
{
	char	   *s = MlJsonValueToText(v);
	int			len = strlen(s);

	if (len <= VALUE_EXCERPT_LEN)
		return errdetail("The response value is %s.", s);
	s[pg_mbcliplen(s, len, VALUE_EXCERPT_LEN)] = '\0';
	return errdetail("The response value starts with %s...", s);
}

/*
 * report_mismatch
 *		Raise the error for a JSON value of the wrong kind for the column.
 */
static void
report_mismatch(const JsonbValue *v, TypeConv *tc, const char *column)
{
	ereport(ERROR,
			errcode(ERRCODE_DATATYPE_MISMATCH),
			errmsg("model output column \"%s\" expects %s but the response has a JSON %s",
				   column, format_type_be(tc->typid), MlJsonKindName(v)),
			errdetail_value(v));
}

/*
 * report_out_of_range
 *		Raise the error for a number that does not fit the column's type.
 */
static void
report_out_of_range(const JsonbValue *v, TypeConv *tc, const char *column)
{
	ereport(ERROR,
			errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			errmsg("model output column \"%s\" value is out of range for type %s",
				   column, format_type_be(tc->typid)),
			errdetail_value(v));
}

/* Error context naming the column, for errors raised by core functions. */
static void
column_error_callback(void *arg)
{
	errcontext("model output column \"%s\"", (const char *) arg);
}

/*
 * push_column_context
 *		Install column_error_callback; the caller restores
 *		error_context_stack to cb->previous afterwards.
 */
static void
push_column_context(ErrorContextCallback *cb, const char *column)
{
	cb->callback = column_error_callback;
	cb->arg = unconstify(char *, column);
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

/*
 * call_input
 *		Run the type's input function (with its typmod) on str, with the
 *		column named in the context of any error it raises.
 */
static Datum
call_input(TypeConv *tc, char *str, const char *column)
{
	ErrorContextCallback cb;
	Datum		result;

	push_column_context(&cb, column);
	result = InputFunctionCall(&tc->iofunc, str, tc->typioparam, tc->typmod);
	error_context_stack = cb.previous;
	return result;
}

/*
 * parse_integer
 *		Parse decimal integer text, allowing surrounding whitespace, a sign
 *		and a fractional part of zeros ("5.0").
 */
static IntParse
parse_integer(const char *s, int64 *result)
{
	const char *p = s;
	bool		neg = false;
	bool		digits = false;
	bool		overflow = false;
	bool		fraction = false;
	int64		acc = 0;

	while (isspace((unsigned char) *p))
		p++;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	/* accumulate negatively so that the minimum int64 fits */
	for (; isdigit((unsigned char) *p); p++)
	{
		digits = true;
		if (!overflow &&
			(pg_mul_s64_overflow(acc, 10, &acc) ||
			 pg_sub_s64_overflow(acc, *p - '0', &acc)))
			overflow = true;
	}
	if (*p == '.')
	{
		for (p++; isdigit((unsigned char) *p); p++)
			fraction |= (*p != '0');
	}
	while (isspace((unsigned char) *p))
		p++;
	if (!digits || *p != '\0')
		return INT_SYNTAX;
	if (fraction)
		return INT_FRACTION;
	if (overflow || (!neg && acc == PG_INT64_MIN))
		return INT_OVERFLOW;
	*result = neg ? acc : -acc;
	return INT_OK;
}

/*
 * json_to_int
 *		A JSON number (or numeric string) that is integral and in range.
 */
static Datum
json_to_int(const JsonbValue *v, TypeConv *tc, const char *column)
{
	char	   *s;
	int64		n = 0;

	if (v->type == jbvNumeric)
		s = DatumGetCString(DirectFunctionCall1(numeric_out,
												NumericGetDatum(v->val.numeric)));
	else if (v->type == jbvString)
		s = pnstrdup(v->val.string.val, v->val.string.len);
	else
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}

	switch (parse_integer(s, &n))
	{
		case INT_OK:
			break;
		case INT_FRACTION:
			if (v->type == jbvNumeric)
				ereport(ERROR,
						errcode(ERRCODE_DATATYPE_MISMATCH),
						errmsg("model output column \"%s\" expects %s but the response has a JSON number with a fractional part",
							   column, format_type_be(tc->typid)),
						errdetail_value(v));
			report_mismatch(v, tc, column);
			break;
		case INT_SYNTAX:
			report_mismatch(v, tc, column);
			break;
		case INT_OVERFLOW:
			report_out_of_range(v, tc, column);
			break;
	}
	pfree(s);

	if (tc->cat == JC_INT2 && (n < PG_INT16_MIN || n > PG_INT16_MAX))
		report_out_of_range(v, tc, column);
	if (tc->cat == JC_INT4 && (n < PG_INT32_MIN || n > PG_INT32_MAX))
		report_out_of_range(v, tc, column);

	if (tc->cat == JC_INT2)
		return Int16GetDatum((int16) n);
	if (tc->cat == JC_INT4)
		return Int32GetDatum((int32) n);
	return Int64GetDatum(n);
}

/*
 * json_to_float
 *		A JSON number (or numeric string, including NaN and Infinity) as
 *		float4 or float8; overflow is an error, underflow rounds to zero.
 */
static Datum
json_to_float(const JsonbValue *v, TypeConv *tc, const char *column)
{
	char	   *s;
	char	   *end;
	double		d;
	float		f = 0;

	if (v->type == jbvNumeric)
		s = DatumGetCString(DirectFunctionCall1(numeric_out,
												NumericGetDatum(v->val.numeric)));
	else if (v->type == jbvString)
		s = pnstrdup(v->val.string.val, v->val.string.len);
	else
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}

	errno = 0;
	if (tc->cat == JC_FLOAT4)
		d = f = strtof(s, &end);
	else
		d = strtod(s, &end);
	while (isspace((unsigned char) *end))
		end++;
	if (end == s || *end != '\0')
		report_mismatch(v, tc, column);
	if (errno == ERANGE && isinf(d))
		report_out_of_range(v, tc, column);
	pfree(s);

	return tc->cat == JC_FLOAT4 ? Float4GetDatum(f) : Float8GetDatum(d);
}

/*
 * json_to_numeric
 *		A JSON number (or a string holding one) as numeric, with the
 *		column's typmod applied.
 */
static Datum
json_to_numeric(const JsonbValue *v, TypeConv *tc, const char *column)
{
	ErrorContextCallback cb;
	Datum		result;
	char	   *s;

	if (v->type == jbvString)
	{
		s = pnstrdup(v->val.string.val, v->val.string.len);
		if (v->val.string.len == 0 || !IsValidJsonNumber(s, v->val.string.len))
			report_mismatch(v, tc, column);
		return call_input(tc, s, column);
	}
	if (v->type != jbvNumeric)
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	/* numeric() copies the value out of the jsonb document */
	push_column_context(&cb, column);
	result = DirectFunctionCall2(numeric, NumericGetDatum(v->val.numeric),
								 Int32GetDatum(tc->typmod));
	error_context_stack = cb.previous;
	return result;
}

/*
 * json_to_bool
 *		A JSON boolean, or the string "true" or "false" in any case.
 */
static Datum
json_to_bool(const JsonbValue *v, TypeConv *tc, const char *column)
{
	if (v->type == jbvBool)
		return BoolGetDatum(v->val.boolean);
	if (v->type == jbvString && v->val.string.len == 4 &&
		pg_strncasecmp(v->val.string.val, "true", 4) == 0)
		return BoolGetDatum(true);
	if (v->type == jbvString && v->val.string.len == 5 &&
		pg_strncasecmp(v->val.string.val, "false", 5) == 0)
		return BoolGetDatum(false);
	report_mismatch(v, tc, column);
	return (Datum) 0;
}

/*
 * json_to_bytea
 *		A base64 JSON string, decoded.
 */
static Datum
json_to_bytea(const JsonbValue *v, TypeConv *tc, const char *column)
{
	int			len;
	int			maxlen;
	int			n;
	bytea	   *result;

	if (v->type != jbvString)
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	len = v->val.string.len;
	maxlen = pg_b64_dec_len(len);
	result = palloc(VARHDRSZ + maxlen);
	/* void pointers: the parameter types differ between major versions */
	n = pg_b64_decode((const void *) v->val.string.val, len,
					  (void *) VARDATA(result), maxlen);
	if (n < 0)
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("model output column \"%s\" expects base64-encoded %s but the response string is not valid base64",
					   column, format_type_be(tc->typid)),
				errdetail_value(v));
	SET_VARSIZE(result, VARHDRSZ + n);
	return PointerGetDatum(result);
}

/*
 * json_to_string
 *		A JSON string as text, varchar, bpchar, name or "char"; other
 *		kinds are errors, as in Confluent.
 */
static Datum
json_to_string(const JsonbValue *v, TypeConv *tc, const char *column)
{
	if (v->type != jbvString)
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	if (tc->basetype == TEXTOID)
		return PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
														v->val.string.len));
	return call_input(tc, pnstrdup(v->val.string.val, v->val.string.len),
					  column);
}

/*
 * json_to_composite
 *		A JSON object as a row: attributes are taken by name (exact, then
 *		case-insensitive); missing members are NULL.
 */
static Datum
json_to_composite(const JsonbValue *v, TypeConv *tc, const char *column)
{
	TupleDesc	tupdesc = lookup_rowtype_tupdesc(tc->basetype, -1);
	TypeConv  **attrs = attr_convs(tc, tc->basetype, tupdesc->natts);
	Datum	   *values = palloc(sizeof(Datum) * Max(tupdesc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(tupdesc->natts, 1));
	HeapTuple	tuple;

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		const char *name = NameStr(att->attname);
		int			namelen = strlen(name);
		JsonbValue	field;

		values[i] = (Datum) 0;
		nulls[i] = true;
		if (att->attisdropped)
			continue;
		if (!object_lookup(v, name, namelen, false, &field) &&
			!object_lookup(v, name, namelen, true, &field))
			field.type = jbvNull;
		if (attrs[i] == NULL)
			attrs[i] = type_conv_create(att->atttypid, att->atttypmod, true);
		values[i] = json_to_datum(&field, attrs[i], att->attndims,
								  psprintf("%s.%s", column, name), &nulls[i]);
	}
	tuple = heap_form_tuple(tupdesc, values, nulls);
	ReleaseTupleDesc(tupdesc);
	return HeapTupleGetDatum(tuple);
}

/*
 * report_not_rectangular
 *		Raise the error for nested JSON arrays of unequal lengths.
 */
static void
report_not_rectangular(const char *column)
{
	ereport(ERROR,
			errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			errmsg("model output column \"%s\" has a JSON array that is not rectangular",
				   column),
			errdetail("Multidimensional arrays must have sub-arrays with matching dimensions."));
}

/*
 * array_chain
 *		Walk the first-element chain of nested arrays from top, at most
 *		limit levels, recording each level's length in dims.  Returns the
 *		number of levels; *ends_empty tells whether the walk stopped at an
 *		empty array.
 */
static int
array_chain(const JsonbValue *top, int limit, int *dims, bool *ends_empty)
{
	JsonbValue	cur = *top;
	int			depth = 0;

	*ends_empty = false;
	while (depth < limit && json_is_array(&cur))
	{
		dims[depth++] = json_size(&cur);
		if (dims[depth - 1] == 0)
		{
			*ends_empty = true;
			break;
		}
		json_array_get(&cur, 0, &cur);
	}
	return depth;
}

/*
 * array_shape
 *		Decide the dimensions of the array built from top.  Element types
 *		whose values are never JSON arrays take every nesting level as a
 *		dimension; for the others (json, jsonb, types such as vector) the
 *		declared count (or 1) decides.  With a declared count, a response
 *		nested exactly one level deeper in a one-element wrapper has the
 *		wrapper stripped (top is replaced).  Returns the number of
 *		dimensions.
 */
static int
array_shape(JsonbValue *top, TypeConv *tc, int ndims_declared,
			const char *column, int *dims)
{
	JsonCategory ecat = tc->elem->cat;
	bool		nests = (ecat == JC_JSON || ecat == JC_JSONB ||
						 ecat == JC_OTHER);
	int			chain[MAXDIM + 2];
	int			depth;
	bool		ends_empty;

	if (nests)
	{
		depth = ndims_declared > 0 ? ndims_declared : 1;
		if (depth > MAXDIM)
			depth = MAXDIM + 1;
	}
	else
	{
		depth = array_chain(top, MAXDIM + 2, chain, &ends_empty);
		if (ndims_declared > 0 && depth == ndims_declared + 1 &&
			json_size(top) == 1)
		{
			JsonbValue	inner;

			json_array_get(top, 0, &inner);
			*top = inner;
			depth--;
		}
		if (ndims_declared > 0 && depth != ndims_declared &&
			!(ends_empty && depth < ndims_declared))
			ereport(ERROR,
					errcode(ERRCODE_DATATYPE_MISMATCH),
					errmsg("model output column \"%s\" expects a %d-dimensional %s but the response has a %d-dimensional JSON array",
						   column, ndims_declared, format_type_be(tc->typid),
						   depth));
		if (ndims_declared > 0)
			depth = ndims_declared;
	}
	if (depth > MAXDIM)
		ereport(ERROR,
				errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("model output column \"%s\" has a JSON array with more than %d dimensions",
					   column, MAXDIM));

	/* lengths along the first-element chain; deeper empty levels are 0 */
	memset(dims, 0, sizeof(int) * MAXDIM);
	(void) array_chain(top, depth, dims, &ends_empty);
	return depth;
}

/*
 * fill_array
 *		Convert the elements of the JSON array arr (at nesting level) into
 *		values/nulls in row-major order, checking every sub-array has the
 *		length dims says.
 */
static void
fill_array(const JsonbValue *arr, int level, int ndims, const int *dims,
		   TypeConv *tc, const char *column,
		   Datum *values, bool *nulls, int *count)
{
	JsonbValue *items;
	int			n;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	if (!json_is_array(arr))
		report_not_rectangular(column);
	items = json_children(arr, &n, NULL);
	if (n != dims[level])
		report_not_rectangular(column);

	for (int i = 0; i < n; i++)
	{
		if (level + 1 < ndims)
		{
			JsonbValue	sub;

			json_normalize(&items[i], &sub);
			fill_array(&sub, level + 1, ndims, dims, tc, column,
					   values, nulls, count);
		}
		else
		{
			values[*count] = json_to_datum(&items[i], tc->elem, 0, column,
										   &nulls[*count]);
			(*count)++;
		}
	}
	pfree(items);
}

/*
 * json_to_array
 *		A JSON array (possibly nested) as a PostgreSQL array of the target's
 *		element type.
 */
static Datum
json_to_array(const JsonbValue *v, TypeConv *tc, int ndims_declared,
			  const char *column)
{
	JsonbValue	top = *v;
	int			dims[MAXDIM];
	int			lbs[MAXDIM];
	int			ndims;
	int			nitems;
	int			count = 0;
	Datum	   *values;
	bool	   *nulls;

	if (!json_is_array(v))
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	ndims = array_shape(&top, tc, ndims_declared, column, dims);
	nitems = ArrayGetNItems(ndims, dims);
	values = palloc(sizeof(Datum) * Max(nitems, 1));
	nulls = palloc(sizeof(bool) * Max(nitems, 1));

	/* walk even when empty, so that [[], [1]] is still rejected */
	fill_array(&top, 0, ndims, dims, tc, column, values, nulls, &count);
	if (nitems == 0)
		return PointerGetDatum(construct_empty_array(tc->elem->typid));

	for (int i = 0; i < ndims; i++)
		lbs[i] = 1;
	return PointerGetDatum(construct_md_array(values, nulls, ndims, dims, lbs,
											  tc->elem->typid, tc->elmlen,
											  tc->elmbyval, tc->elmalign));
}

/*
 * convert_value
 *		Convert a normalized, non-null JSON value for the classified
 *		(non-domain) type.
 */
static Datum
convert_value(const JsonbValue *v, TypeConv *tc, int ndims,
			  const char *column)
{
	switch (tc->cat)
	{
		case JC_STRING:
			return json_to_string(v, tc, column);
		case JC_BOOL:
			return json_to_bool(v, tc, column);
		case JC_INT2:
		case JC_INT4:
		case JC_INT8:
			return json_to_int(v, tc, column);
		case JC_FLOAT4:
		case JC_FLOAT8:
			return json_to_float(v, tc, column);
		case JC_NUMERIC:
			return json_to_numeric(v, tc, column);
		case JC_BYTEA:
			return json_to_bytea(v, tc, column);
		case JC_JSON:
			return CStringGetTextDatum(MlJsonValueToText(v));
		case JC_JSONB:
			return JsonbPGetDatum(JsonbValueToJsonb(unconstify(JsonbValue *, v)));
		case JC_ARRAY:
			return json_to_array(v, tc, ndims, column);
		case JC_COMPOSITE:
			if (json_is_object(v) && tc->basetype != RECORDOID)
				return json_to_composite(v, tc, column);
			if (v->type == jbvString && tc->have_iofunc)
				return call_input(tc, pnstrdup(v->val.string.val,
											   v->val.string.len), column);
			break;
		case JC_DATETIME:
			if (v->type == jbvString)
				return call_input(tc, pnstrdup(v->val.string.val,
											   v->val.string.len), column);
			break;
		case JC_OTHER:
			if (v->type == jbvString)
				return call_input(tc, pnstrdup(v->val.string.val,
											   v->val.string.len), column);
			return call_input(tc, MlJsonValueToText(v), column);
	}
	report_mismatch(v, tc, column);
	return (Datum) 0;
}

/*
 * json_to_datum
 *		Convert one JSON value for a classified type: unwrap a one-element
 *		array for non-array targets, map JSON null to SQL NULL, convert, and
 *		check domain constraints.
 */
static Datum
json_to_datum(const JsonbValue *in, TypeConv *tc, int ndims,
			  const char *column, bool *isnull)
{
	JsonbValue	v;
	Datum		result = (Datum) 0;

	json_normalize(in, &v);
	if (tc->cat != JC_ARRAY && tc->cat != JC_JSON && tc->cat != JC_JSONB &&
		json_is_array(&v) && json_size(&v) == 1)
	{
		JsonbValue	first;

		json_array_get(&v, 0, &first);
		v = first;
	}

	*isnull = (v.type == jbvNull);
	if (!*isnull)
		result = convert_value(&v, tc, ndims, column);

	if (tc->is_domain)
	{
		ErrorContextCallback cb;

		push_column_context(&cb, column);
		domain_check(result, *isnull, tc->typid, &tc->domain_extra,
					 CurrentMemoryContext);
		error_context_stack = cb.previous;
	}
	return result;
}

/*
 * MlJsonToDatum
 *		Convert one JSON value into a SQL value of typid/typmod following
 *		Confluent's output rules (see the file header and json_datum.h).
 *		ndims_declared is the number of array levels the model declared
 *		(0 if unknown).  Errors name column.  The result is allocated in
 *		CurrentMemoryContext and does not point into the source document.
 */
Datum
MlJsonToDatum(const JsonbValue *value, Oid typid, int32 typmod,
			  int ndims_declared, const char *column, bool *isnull)
{
	TypeConv   *tc = type_conv_create(typid, typmod, true);

	return json_to_datum(value, tc, ndims_declared, column, isnull);
}
