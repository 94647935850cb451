/*-------------------------------------------------------------------------
 *
 * binary.c
 *	  The BINARY format: raw little-endian bytes each way.
 *
 * Request (Content-Type application/octet-stream), the INPUT values in
 * order:
 *	- SMALLINT/TINYINT, INT, BIGINT: 2, 4, 8 bytes, two's complement;
 *	- FLOAT, DOUBLE: 4, 8 bytes, IEEE 754;
 *	- BOOLEAN: 1 byte, 0 or 1;
 *	- an ARRAY of those: its elements in row-major order (no NULLs);
 *	- STRING (text, varchar, char): its UTF-8 bytes;
 *	- BYTES: its bytes.
 * A single INPUT column is sent as exactly these bytes.  With several,
 * each variable-width value (string, bytes, array) is preceded by its
 * length in bytes as a 4-byte little-endian unsigned integer, the
 * convention of Triton's BYTES tensors, so the receiver can split the
 * body; fixed-width values carry no prefix.  DECIMAL and other types have
 * no fixed binary form and are rejected by CREATE MODEL.  Parameters are
 * not sent.
 *
 * Answer: the single OUTPUT column from the whole body: a fixed-width
 * number or boolean (the body must have exactly its size), a
 * one-dimensional ARRAY of them (as many elements as the body holds; its
 * length must be a multiple of the element size), a STRING (UTF-8) or
 * BYTES.  The body's length is checked (tensor_shape.c) before any array
 * is made of it.
 *
 * IDENTIFICATION
 *	  src/format/binary.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "format/tensor_shape.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

/* How one value (or array element) is written. */
typedef enum BinKind
{
	BIN_NONE,					/* no binary form */
	BIN_FIXED,					/* fixed-width number or boolean */
	BIN_TEXT,					/* UTF-8 bytes */
	BIN_BYTEA					/* raw bytes */
} BinKind;

/*
 * fixed_width
 *		Bytes of a fixed-width type's binary form, 0 if it has none.
 */
static int
fixed_width(Oid base)
{
	switch (base)
	{
		case BOOLOID:
			return 1;
		case INT2OID:
			return 2;
		case INT4OID:
		case FLOAT4OID:
			return 4;
		case INT8OID:
		case FLOAT8OID:
			return 8;
		default:
			return 0;
	}
}

/*
 * classify
 *		The kind of a (non-array) base type.
 */
static BinKind
classify(Oid base)
{
	if (fixed_width(base) > 0)
		return BIN_FIXED;
	if (base == TEXTOID || base == VARCHAROID || base == BPCHAROID)
		return BIN_TEXT;
	if (base == BYTEAOID)
		return BIN_BYTEA;
	return BIN_NONE;
}

/*
 * check_column
 *		Reject a column without a binary form; arrays only of fixed-width
 *		elements, and for OUTPUT one-dimensional.
 */
static void
check_column(MlColumn *col, const char *which)
{
	Oid			base = getBaseType(col->typid);
	Oid			elem = get_element_type(base);
	bool		ok;

	if (OidIsValid(elem))
		ok = classify(getBaseType(elem)) == BIN_FIXED &&
			!(strcmp(which, "OUTPUT") == 0 && MlColumnDimensions(col) > 1);
	else
		ok = classify(base) != BIN_NONE;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format BINARY cannot carry %s column \"%s\" of type %s",
						which, col->name, col->decl),
				 errhint("BINARY carries SMALLINT, INT, BIGINT, FLOAT, DOUBLE, BOOLEAN, one-dimensional ARRAYs of them, STRING and BYTES; use format JSON or CSV for other types.")));
}

/*
 * bin_check_schema
 *		Inputs of binary kinds; one output of a binary kind.
 */
static void
bin_check_schema(List *input, List *output, const char *which)
{
	ListCell   *lc;

	if (strcmp(which, "input") == 0)
	{
		foreach(lc, input)
			check_column(lfirst(lc), "INPUT");
		return;
	}
	if (list_length(output) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format BINARY requires exactly one OUTPUT column, got %d",
						list_length(output)),
				 errhint("The whole response body is one value; use format JSON or CSV for several outputs.")));
	check_column(linitial(output), "OUTPUT");
}

/* ---------------------------------------------------------------------
 * Request
 * ---------------------------------------------------------------------
 */

/*
 * MlAppendLE
 *		Append the low size bytes of v, least significant first.
 */
void
MlAppendLE(StringInfo buf, uint64 v, int size)
{
	int			i;

	for (i = 0; i < size; i++)
		appendStringInfoChar(buf, (char) ((v >> (8 * i)) & 0xFF));
}

/*
 * MlAppendUtf8
 *		Append the bytes of a text (varchar, char) value converted from the
 *		database encoding to UTF-8, for bodies that are not converted as a
 *		whole.
 */
void
MlAppendUtf8(StringInfo buf, Datum value)
{
	text	   *t = DatumGetTextPP(value);
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *utf8 = pg_server_to_any(VARDATA_ANY(t), len, PG_UTF8);

	/* pg_server_to_any returns its input when no conversion is needed */
	appendBinaryStringInfo(buf, utf8,
						   utf8 == VARDATA_ANY(t) ? len : (int) strlen(utf8));
}

/*
 * append_fixed
 *		Append a fixed-width value of base type base.
 */
static void
append_fixed(StringInfo buf, Datum value, Oid base)
{
	uint32		u32;
	uint64		u64;
	float4		f4;
	float8		f8;

	switch (base)
	{
		case BOOLOID:
			MlAppendLE(buf, DatumGetBool(value) ? 1 : 0, 1);
			break;
		case INT2OID:
			MlAppendLE(buf, (uint64) (uint16) DatumGetInt16(value), 2);
			break;
		case INT4OID:
			MlAppendLE(buf, (uint64) (uint32) DatumGetInt32(value), 4);
			break;
		case INT8OID:
			MlAppendLE(buf, (uint64) DatumGetInt64(value), 8);
			break;
		case FLOAT4OID:
			f4 = DatumGetFloat4(value);
			memcpy(&u32, &f4, sizeof(u32));
			MlAppendLE(buf, u32, 4);
			break;
		case FLOAT8OID:
			f8 = DatumGetFloat8(value);
			memcpy(&u64, &f8, sizeof(u64));
			MlAppendLE(buf, u64, 8);
			break;
	}
}

/*
 * append_array
 *		Append the elements of an array of fixed-width values.
 */
static void
append_array(StringInfo buf, Datum value, MlColumn *col)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	Oid			base = getBaseType(elemtype);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *elemnulls;
	int			n;
	int			i;

	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign,
					  &elems, &elemnulls, &n);
	for (i = 0; i < n; i++)
	{
		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("format BINARY cannot send the NULL element %d of INPUT column \"%s\"",
							i + 1, col->name)));
		append_fixed(buf, elems[i], base);
	}
}

/*
 * append_value
 *		Append one input value; a variable-width one with a length prefix
 *		when prefixed.
 */
static void
append_value(StringInfo buf, Datum value, MlColumn *col, bool prefixed)
{
	Oid			base = getBaseType(col->typid);
	StringInfoData bytes;

	if (classify(base) == BIN_FIXED)
	{
		append_fixed(buf, value, base);
		return;
	}
	initStringInfo(&bytes);
	if (classify(base) == BIN_TEXT)
		MlAppendUtf8(&bytes, value);
	else if (base == BYTEAOID)
	{
		bytea	   *b = DatumGetByteaPP(value);

		appendBinaryStringInfo(&bytes, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	}
	else
		append_array(&bytes, value, col);
	if (prefixed)
		MlAppendLE(buf, (uint32) bytes.len, 4);
	appendBinaryStringInfo(buf, bytes.data, bytes.len);
}

/*
 * bin_encode
 *		The inputs packed in order.
 */
static void
bin_encode(MlTarget *target, Datum *values, bool *nulls,
			  MlRequestBody *body)
{
	ListCell   *lc;

	body->server_encoding = false;
	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("format BINARY cannot send NULL for INPUT column \"%s\"",
							col->name)));
		append_value(&body->data, values[i], col, target->ninputs > 1);
	}
}

/* ---------------------------------------------------------------------
 * Answer
 * ---------------------------------------------------------------------
 */

/*
 * MlReadLE
 *		The little-endian unsigned integer of size bytes at p.
 */
uint64
MlReadLE(const unsigned char *p, int size)
{
	uint64		v = 0;
	int			i;

	for (i = size - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * read_fixed
 *		The fixed-width value of base type base at p.
 */
static Datum
read_fixed(const unsigned char *p, Oid base)
{
	uint64		v = MlReadLE(p, fixed_width(base));
	uint32		u32 = (uint32) v;
	float4		f4;
	float8		f8;

	switch (base)
	{
		case BOOLOID:
			return BoolGetDatum(v != 0);
		case INT2OID:
			return Int16GetDatum((int16) (uint16) v);
		case INT4OID:
			return Int32GetDatum((int32) u32);
		case INT8OID:
			return Int64GetDatum((int64) v);
		case FLOAT4OID:
			memcpy(&f4, &u32, sizeof(f4));
			return Float4GetDatum(f4);
		case FLOAT8OID:
			memcpy(&f8, &v, sizeof(f8));
			return Float8GetDatum(f8);
	}
	return (Datum) 0;
}

/*
 * report_length
 *		Raise the error for a body whose length does not fit the column.
 */
pg_noreturn static void report_length(MlTarget *target, MlColumn *col, int len,
									  int width, bool array);

static void
report_length(MlTarget *target, MlColumn *col, int len, int width, bool array)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" has %d bytes, which is not %s %d bytes for OUTPUT column \"%s\" (%s)",
					target->display_name, len, array ? "a multiple of" : "the",
					width, col->name, col->decl),
			 errhint("Check the OUTPUT column's type against what the endpoint returns.")));
}

/*
 * read_array
 *		The whole body as a one-dimensional array of fixed-width elements;
 *		its length is checked (TensorCountBinary) before anything is made.
 */
static Datum
read_array(MlTarget *target, MlResponseBody *response, MlColumn *col,
		   Oid elemtype)
{
	Oid			base = getBaseType(elemtype);
	int			width = fixed_width(base);
	const unsigned char *data = (const unsigned char *) response->data;
	int64		n;
	Datum	   *elems;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	int			i;

	switch (TensorCountBinary(data, (size_t) Max(response->len, 0), width,
							  mlpredict_max_output_elements, &n, NULL))
	{
		case TENSOR_OK:
			break;
		case TENSOR_TOO_LARGE:
			MlCheckOutputElements(response->len / width, target->display_name);
			elog(ERROR, "binary answer of %d bytes passed the element cap",
				 response->len);
			break;
		default:
			report_length(target, col, response->len, width, true);
	}
	elems = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		elems[i] = read_fixed(data + (size_t) i * width, base);
	}
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	return PointerGetDatum(construct_array(elems, n, elemtype, elmlen,
										   elmbyval, elmalign));
}

/*
 * bin_decode
 *		The body as the single output value.
 */
static void
bin_decode(MlTarget *target, MlResponseBody *response, Datum *values,
			  bool *nulls)
{
	MlColumn   *col = linitial(target->model->output);
	Oid			base = getBaseType(col->typid);
	Oid			elem = get_element_type(base);
	Oid			infunc;
	Oid			ioparam;

	if (OidIsValid(elem))
		values[0] = read_array(target, response, col, elem);
	else if (classify(base) == BIN_FIXED)
	{
		if (response->len != fixed_width(base))
			report_length(target, col, response->len, fixed_width(base), false);
		values[0] = read_fixed((const unsigned char *) response->data, base);
	}
	else if (classify(base) == BIN_TEXT)
	{
		getTypeInputInfo(col->typid, &infunc, &ioparam);
		values[0] = OidInputFunctionCall(infunc,
										 pg_any_to_server(response->data,
														  response->len, PG_UTF8),
										 ioparam, col->typmod);
		nulls[0] = false;
		return;
	}
	else
		values[0] = PointerGetDatum(cstring_to_text_with_len(response->data,
															 response->len));
	if (col->typid != base)
		domain_check(values[0], false, col->typid, NULL, CurrentMemoryContext);
	nulls[0] = false;
}

const MlFormat MlFormatBinary = {
	"BINARY", NULL, ML_FORMAT_PREDICTIVE, "application/octet-stream", NULL,
	bin_check_schema, bin_encode, bin_decode
};
