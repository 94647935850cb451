/*-------------------------------------------------------------------------
 *
 * json_encode.c
 *	  SQL values -> JSON text, following Confluent's rules for model input
 *	  serialization.
 *
 * This file owns:
 *	- classifying a SQL type into a TypeConv (JsonTypeConvCreate), for
 *	  either direction; json_decode.c uses it for JSON -> SQL;
 *	- serializing one SQL value as JSON text for a request body
 *	  (MlDatumToJson).
 *
 * A type is classified once per call into a TypeConv, which caches the
 * I/O functions and element or attribute information, so converting a
 * 1536-element embedding costs one catalog lookup, not one per element.
 *
 * IDENTIFICATION
 *	  src/types/json_encode.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "types/base64.h"
#include "types/json_datum.h"
#include "types/json_internal.h"

static void datum_to_json(StringInfo buf, Datum value, bool isnull,
						  TypeConv *tc);

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
 * JsonTypeConvCreate
 *		Classify typid (with typmod) for conversion in one direction:
 *		for_input means JSON -> SQL, otherwise SQL -> JSON.  The result and
 *		everything it caches live in CurrentMemoryContext.
 */
TypeConv *
JsonTypeConvCreate(Oid typid, int32 typmod, bool for_input)
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
		tc->elem = JsonTypeConvCreate(elemtype, tc->typmod, for_input);
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
 * JsonTypeConvAttrs
 *		The per-attribute TypeConv cache of a composite TypeConv, reset when
 *		the row type differs from the cached one.
 */
TypeConv **
JsonTypeConvAttrs(TypeConv *tc, Oid tuptype, int natts)
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

	appendStringInfoChar(buf, '"');
	MlAppendBase64(buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	appendStringInfoChar(buf, '"');
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
	return JsonTextValid(s, strlen(s), GetDatabaseEncoding());
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
	attrs = JsonTypeConvAttrs(tc, tuptype, tupdesc->natts);

	appendStringInfoChar(buf, '{');
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		if (attrs[i] == NULL)
			attrs[i] = JsonTypeConvCreate(att->atttypid, att->atttypmod,
										  false);
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
	tc = JsonTypeConvCreate(typid, -1, false);
	datum_to_json(buf, value, false, tc);
}
