/*-------------------------------------------------------------------------
 *
 * json_decode.c
 *	  JSON values -> SQL values, following Confluent's rules for parsing
 *	  model output.
 *
 * This file owns converting one JSON value into a SQL value of a given
 * type (MlJsonToDatum): scalars, arrays (with their dimensions), composites
 * and domains, and the errors that name the output column when a value
 * does not fit.  Types are classified with json_encode.c's
 * JsonTypeConvCreate; values are walked with json_path.c's helpers.
 *
 * It also owns the limit on output arrays: MlCheckOutputElements refuses
 * an array of more than mlpredict.max_output_elements elements (all
 * dimensions together, as the answer's shape claims them) before room is
 * made for it, here and in every other decoder that builds arrays (CSV,
 * BINARY, TRITON tensors, the vector fast path), so that a hostile or
 * broken endpoint cannot make a backend allocate without bound.
 *
 * IDENTIFICATION
 *	  src/types/json_decode.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "common/jsonapi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "compat.h"
#include "mlpredict.h"
#include "types/base64.h"
#include "types/float_parse.h"
#include "types/json_datum.h"
#include "types/json_internal.h"

/* longest part of a response value quoted in an error message */
#define VALUE_EXCERPT_LEN	100

/* Outcome of parsing integer text. */
typedef enum IntParse
{
	INT_OK,
	INT_SYNTAX,
	INT_FRACTION,
	INT_OVERFLOW
} IntParse;

static Datum json_to_datum(const JsonbValue *in, TypeConv *tc, int ndims,
						   const char *column, bool *isnull);

/*
 * The model whose answer MlJsonToDatum is converting, for the message of
 * an array over mlpredict.max_output_elements.  Set on every entry; left
 * behind by an ERROR, but read only below an entry.
 */
static const char *decoding_model = "";

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
pg_noreturn static void report_mismatch(const JsonbValue *v, TypeConv *tc,
										const char *column);

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
 * number_text
 *		The text of a JSON number, or of a string that should hold one; any
 *		other JSON kind is a type mismatch (raises ERROR).
 */
static char *
number_text(const JsonbValue *v, TypeConv *tc, const char *column)
{
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
	if (v->type != jbvString)
		report_mismatch(v, tc, column);
	return pnstrdup(v->val.string.val, v->val.string.len);
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

	s = number_text(v, tc, column);

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
 * parse_float_text
 *		The number text s as strtof (single) or strtod would read it, with
 *		surrounding white space: into *f or *d, *overflow telling whether
 *		it overflowed (ERANGE and an infinity); false when s is not a
 *		number.  Plain decimal numbers, what numeric_out writes, go through
 *		float_parse.c (the same results, faster); anything else a string
 *		may hold ("Infinity", " 0x1p3 ") through the C library.
 */
static bool
parse_float_text(const char *s, bool single, double *d, float *f,
				 bool *overflow)
{
	const char *p = s;
	size_t		len = strlen(s);
	const char *end;
	char	   *cend;
	MlFloatStatus status;

	while (isspace((unsigned char) *p))
		p++;
	end = single ? MlParseFloat4(p, s + len, f, &status) :
		MlParseFloat8(p, s + len, d, &status);
	if (end != NULL)
	{
		while (isspace((unsigned char) *end))
			end++;
		if (*end == '\0')
		{
			*overflow = (status == ML_FLOAT_OVERFLOW);
			return true;
		}
	}
	errno = 0;
	if (single)
		*f = strtof(s, &cend);
	else
		*d = strtod(s, &cend);
	*overflow = (errno == ERANGE && (single ? isinf(*f) : isinf(*d)));
	if (cend == s)
		return false;
	while (isspace((unsigned char) *cend))
		cend++;
	return *cend == '\0';
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
	double		d = 0;
	float		f = 0;
	bool		overflow;

	s = number_text(v, tc, column);

	if (!parse_float_text(s, tc->cat == JC_FLOAT4, &d, &f, &overflow))
		report_mismatch(v, tc, column);
	if (overflow)
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
	bytea	   *result;

	if (v->type != jbvString)
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	result = MlBase64ToBytea(v->val.string.val, v->val.string.len);
	if (result == NULL)
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				errmsg("model output column \"%s\" expects base64-encoded %s but the response string is not valid base64",
					   column, format_type_be(tc->typid)),
				errdetail_value(v));
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
	TypeConv  **attrs = JsonTypeConvAttrs(tc, tc->basetype, tupdesc->natts);
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
		if (!JsonObjectLookup(v, name, namelen, false, &field) &&
			!JsonObjectLookup(v, name, namelen, true, &field))
			field.type = jbvNull;
		if (attrs[i] == NULL)
			attrs[i] = JsonTypeConvCreate(att->atttypid, att->atttypmod, true);
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
	while (depth < limit && JsonIsArray(&cur))
	{
		dims[depth++] = JsonSize(&cur);
		if (dims[depth - 1] == 0)
		{
			*ends_empty = true;
			break;
		}
		JsonArrayGet(&cur, 0, &cur);
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
			JsonSize(top) == 1)
		{
			JsonbValue	inner;

			JsonArrayGet(top, 0, &inner);
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

	if (!JsonIsArray(arr))
		report_not_rectangular(column);
	items = JsonChildren(arr, &n, NULL);
	if (n != dims[level])
		report_not_rectangular(column);

	for (int i = 0; i < n; i++)
	{
		if (level + 1 < ndims)
		{
			JsonbValue	sub;

			JsonNormalize(&items[i], &sub);
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
 * MlCheckOutputElements
 *		See json_datum.h.
 */
void
MlCheckOutputElements(int64 n, const char *model)
{
	if (n <= mlpredict_max_output_elements)
		return;
	ereport(ERROR,
			errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			errmsg("answer of model \"%s\" has an array of " INT64_FORMAT " elements",
				   model ? model : "", n),
			errdetail("Output arrays may have at most %d elements (mlpredict.max_output_elements).",
					  mlpredict_max_output_elements),
			errhint("A superuser can raise mlpredict.max_output_elements."));
}

/*
 * array_elements
 *		The number of elements of an array of these dimensions (from the
 *		first element of each level), saturating instead of overflowing:
 *		the shape of a hostile answer can multiply to any number.
 */
static int64
array_elements(int ndims, const int *dims)
{
	int64		total = 1;

	for (int i = 0; i < ndims; i++)
		if (pg_mul_s64_overflow(total, (int64) dims[i], &total))
			return PG_INT64_MAX;
	return ndims > 0 ? total : 0;
}

/*
 * json_to_array
 *		A JSON array (possibly nested) as a PostgreSQL array of the target's
 *		element type; one of more than mlpredict.max_output_elements
 *		elements is refused before any room is made for them.
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

	if (!JsonIsArray(v))
	{
		report_mismatch(v, tc, column);
		return (Datum) 0;
	}
	ndims = array_shape(&top, tc, ndims_declared, column, dims);
	MlCheckOutputElements(array_elements(ndims, dims), decoding_model);
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
			if (JsonIsObject(v) && tc->basetype != RECORDOID)
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

	JsonNormalize(in, &v);
	if (tc->cat != JC_ARRAY && tc->cat != JC_JSON && tc->cat != JC_JSONB &&
		JsonIsArray(&v) && JsonSize(&v) == 1)
	{
		JsonbValue	first;

		JsonArrayGet(&v, 0, &first);
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
			  int ndims_declared, const char *model, const char *column,
			  bool *isnull)
{
	TypeConv   *tc = JsonTypeConvCreate(typid, typmod, true);

	decoding_model = model;
	return json_to_datum(value, tc, ndims_declared, column, isnull);
}

/* ---------------------------------------------------------------------
 * Vectors straight from JSON text
 *
 * json_to_float reads a number as strtof or strtod read the text
 * numeric_out gives for it: the correctly rounded float of the number's
 * decimal value, +0 for a zero (numeric has no -0), an error only when it
 * overflows.  MlJsonNumbersToDatum gives the same floats from the
 * numbers' own JSON text with float_parse.c, whose results are strtod's
 * and strtof's bit for bit, in one pass over the text: each number is
 * read once, and the array is filled in place, so decoding a vector
 * costs time linear in its text and no allocation per number.
 * ---------------------------------------------------------------------
 */

/* JSON white space */
static inline const char *
skip_json_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * read_float8s
 *		The count numbers of the checked JSON array text [p, end) (past its
 *		'[') into data; false if one overflows.
 */
static bool
read_float8s(const char *p, const char *end, int count, float8 *data)
{
	for (int i = 0; i < count; i++)
	{
		MlFloatStatus status;

		p = MlParseFloat8(skip_json_space(p, end), end, &data[i], &status);
		if (p == NULL || status == ML_FLOAT_OVERFLOW)
			return false;
		if (status == ML_FLOAT_ZERO)
			data[i] = 0.0;		/* as numeric gives it: no -0 */
		p = skip_json_space(p, end) + 1;	/* past ',' or ']' */
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
	}
	return true;
}

/*
 * read_float4s
 *		The same for float4.
 */
static bool
read_float4s(const char *p, const char *end, int count, float4 *data)
{
	for (int i = 0; i < count; i++)
	{
		MlFloatStatus status;

		p = MlParseFloat4(skip_json_space(p, end), end, &data[i], &status);
		if (p == NULL || status == ML_FLOAT_OVERFLOW)
			return false;
		if (status == ML_FLOAT_ZERO)
			data[i] = 0.0f;
		p = skip_json_space(p, end) + 1;
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
	}
	return true;
}

/*
 * new_float_array
 *		A one-dimensional float4[] or float8[] of count elements (lower
 *		bound 1, no nulls), its elements to be filled in, when typid is
 *		real[] or float8[] and ndims_declared at most 1: for these types
 *		MlJsonToDatum builds such an array from a flat JSON array (any
 *		declared dimension count up to 1 gives that).  NULL otherwise.  An
 *		array over mlpredict.max_output_elements is refused (ERROR) before
 *		room is made for it.
 */
static ArrayType *
new_float_array(int count, Oid typid, int ndims_declared, const char *model)
{
	bool		is_float4 = (typid == FLOAT4ARRAYOID);
	int			elsize = is_float4 ? sizeof(float4) : sizeof(float8);
	Size		nbytes;
	ArrayType  *array;

	if ((typid != FLOAT4ARRAYOID && typid != FLOAT8ARRAYOID) ||
		ndims_declared > 1 || count < 1 || count > (int) MaxArraySize)
		return NULL;
	MlCheckOutputElements(count, model);
	nbytes = ARR_OVERHEAD_NONULLS(1) + (Size) count * elsize;
	array = palloc(nbytes);
	SET_VARSIZE(array, nbytes);
	array->ndim = 1;
	array->dataoffset = 0;
	array->elemtype = is_float4 ? FLOAT4OID : FLOAT8OID;
	ARR_DIMS(array)[0] = count;
	ARR_LBOUND(array)[0] = 1;
	return array;
}

/*
 * MlJsonNumbersToDatum
 *		See json_datum.h.
 */
bool
MlJsonNumbersToDatum(const char *text, int len, int count, Oid typid,
					 int ndims_declared, const char *model, Datum *result)
{
	ArrayType  *array;
	bool		ok;

	if (len < 2 || text[0] != '[' ||
		(array = new_float_array(count, typid, ndims_declared, model)) == NULL)
		return false;
	/* ARR_DATA_PTR is aligned for float8 (24 bytes into a palloc'd chunk) */
	if (typid == FLOAT4ARRAYOID)
		ok = read_float4s(text + 1, text + len, count,
						  (float4 *) ARR_DATA_PTR(array));
	else
		ok = read_float8s(text + 1, text + len, count,
						  (float8 *) ARR_DATA_PTR(array));
	if (!ok)
	{
		pfree(array);
		return false;
	}
	*result = PointerGetDatum(array);
	return true;
}

/*
 * MlJsonFloatsToDatum
 *		See json_datum.h.
 */
bool
MlJsonFloatsToDatum(const void *values, int count, Oid typid,
					int ndims_declared, const char *model, Datum *result)
{
	ArrayType  *array = new_float_array(count, typid, ndims_declared, model);

	if (array == NULL)
		return false;
	memcpy(ARR_DATA_PTR(array), values,
		   (Size) count * (typid == FLOAT4ARRAYOID ? sizeof(float4) : sizeof(float8)));
	*result = PointerGetDatum(array);
	return true;
}
