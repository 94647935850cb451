/*-------------------------------------------------------------------------
 *
 * csv.c
 *	  The CSV format: one RFC 4180 record each way (SageMaker's default).
 *
 * Request: the INPUT values in order as one record, v1,v2,... without a
 * header line or a line break at the end.  Numbers are written as in JSON
 * (floats shortest-exact, NaN and Infinity spelled so), booleans
 * true/false, bytea as base64, dates and timestamps in ISO 8601, other
 * types by their output function.  Unlike Confluent, fields are quoted as
 * RFC 4180 says: a field containing a comma, a double quote, CR or LF, or
 * starting or ending with a space, is put in double quotes with quotes
 * doubled; an empty string is sent as "" so that it differs from NULL,
 * which is an empty field.  A sole ARRAY input is flattened into the
 * record; arrays among other inputs, nested arrays and rows cannot be
 * written and are rejected by CREATE MODEL.  Parameters are not sent.
 *
 * Answer: the first record of the body (blank lines before it are
 * skipped; later records are ignored).  A sole ARRAY OUTPUT column takes
 * all its fields as elements; otherwise the number of fields must equal
 * the number of OUTPUT columns.  Each field goes through its type's input
 * function (bytea: base64); an unquoted empty field is NULL, a quoted one
 * an empty string.  ROW outputs have no CSV form and are rejected.
 *
 * IDENTIFICATION
 *	  src/format/csv.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "types/base64.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

/* longest part of a response quoted in an error message */
#define CSV_EXCERPT_LEN 200

/* One field of a parsed record. */
typedef struct CsvField
{
	char	   *text;
	bool		quoted;
} CsvField;

/* ---------------------------------------------------------------------
 * Schema checks
 * ---------------------------------------------------------------------
 */

/*
 * check_column
 *		Can the column be a CSV field, or with alone set the only column
 *		(a flattened array)?  which is "INPUT" or "OUTPUT".
 */
static void
check_column(MlColumn *col, bool alone, const char *which)
{
	Oid			base = getBaseType(col->typid);
	Oid			elem = get_element_type(base);

	if (MlColumnIsRow(col) ||
		(OidIsValid(elem) && get_typtype(getBaseType(elem)) == TYPTYPE_COMPOSITE))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format CSV cannot carry the ROW %s column \"%s\"",
						which, col->name),
				 errhint("Declare the row's fields as separate columns, or use format JSON.")));
	if (!OidIsValid(elem))
		return;
	if (!alone)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format CSV cannot carry the ARRAY %s column \"%s\" among other %s columns",
						which, col->name, which),
				 errhint("Declare the array's values as separate columns, or use format JSON-ARRAY or JSON.")));
	if (MlColumnDimensions(col) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format CSV cannot carry the nested array %s column \"%s\" (%s)",
						which, col->name, col->decl),
				 errhint("Use a one-dimensional ARRAY, or format JSON-ARRAY.")));
}

/*
 * csv_check_schema
 *		Scalars, or one flat array; no rows.
 */
static void
csv_check_schema(List *input, List *output, const char *which)
{
	bool		is_input = strcmp(which, "input") == 0;
	List	   *columns = is_input ? input : output;
	ListCell   *lc;

	foreach(lc, columns)
		check_column(lfirst(lc), list_length(columns) == 1,
					 is_input ? "INPUT" : "OUTPUT");
}

/* ---------------------------------------------------------------------
 * Request
 * ---------------------------------------------------------------------
 */

/*
 * append_base64
 *		Append the base64 form of a bytea value.
 */
static void
append_base64(StringInfo buf, Datum value)
{
	bytea	   *b = DatumGetByteaPP(value);

	MlAppendBase64(buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

/*
 * field_text
 *		The unquoted text of one non-null value of type typid.
 */
static char *
field_text(Datum value, Oid typid)
{
	Oid			base = getBaseType(typid);
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];
	StringInfoData buf;
	Oid			outfunc;
	bool		isvarlena;

	switch (base)
	{
		case BOOLOID:
			return pstrdup(DatumGetBool(value) ? "true" : "false");
		case FLOAT4OID:
			float_to_shortest_decimal_buf(DatumGetFloat4(value), num);
			return pstrdup(num);
		case FLOAT8OID:
			double_to_shortest_decimal_buf(DatumGetFloat8(value), num);
			return pstrdup(num);
		case BYTEAOID:
			initStringInfo(&buf);
			append_base64(&buf, value);
			return buf.data;
		case DATEOID:
		case TIMEOID:
		case TIMETZOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return JsonEncodeDateTime(NULL, value, base, NULL);
		default:
			getTypeOutputInfo(typid, &outfunc, &isvarlena);
			return OidOutputFunctionCall(outfunc, value);
	}
}

/*
 * append_field
 *		Append one field, quoted when RFC 4180 requires it or when it is an
 *		empty string; NULL is an empty field.
 */
static void
append_field(StringInfo buf, Datum value, bool isnull, Oid typid)
{
	char	   *text;
	size_t		len;
	const char *p;

	if (isnull)
		return;
	text = field_text(value, typid);
	len = strlen(text);
	if (len > 0 && strpbrk(text, ",\"\r\n") == NULL &&
		text[0] != ' ' && text[len - 1] != ' ')
	{
		appendStringInfoString(buf, text);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (p = text; *p; p++)
	{
		if (*p == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * append_array_fields
 *		Append the elements of a one-dimensional array as fields.
 */
static void
append_array_fields(StringInfo buf, Datum value, MlColumn *col)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *elemnulls;
	int			n;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format CSV cannot send the %d-dimensional array of INPUT column \"%s\"",
						ARR_NDIM(arr), col->name),
				 errhint("Send a one-dimensional array, or use format JSON-ARRAY.")));
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign,
					  &elems, &elemnulls, &n);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		append_field(buf, elems[i], elemnulls[i], elemtype);
	}
}

/*
 * csv_encode
 *		One record of the INPUT values.
 */
static void
csv_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *body)
{
	ListCell   *lc;

	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		if (i > 0)
			appendStringInfoChar(&body->data, ',');
		if (!nulls[i] && OidIsValid(get_element_type(getBaseType(col->typid))))
			append_array_fields(&body->data, values[i], col);
		else
			append_field(&body->data, values[i], nulls[i], col->typid);
	}
}

/* ---------------------------------------------------------------------
 * Answer
 * ---------------------------------------------------------------------
 */

/*
 * body_excerpt
 *		The start of a response body for an error detail, secrets masked.
 */
static char *
body_excerpt(MlTarget *target, const char *body)
{
	int			len = strlen(body);

	if (len > CSV_EXCERPT_LEN)
		body = psprintf("%.*s...", pg_mbcliplen(body, len, CSV_EXCERPT_LEN),
						body);
	return MlMaskSecrets(target, body);
}

/*
 * report_bad_csv
 *		Raise the error for a first record that is not valid CSV.
 */
pg_noreturn static void report_bad_csv(MlTarget *target, const char *body,
									   const char *reason);

static void
report_bad_csv(MlTarget *target, const char *body, const char *reason)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" is not valid CSV: %s",
					target->display_name, reason),
			 errdetail("Response: %s", body_excerpt(target, body)),
			 errhint("Check the model's output format.")));
}

/*
 * parse_quoted
 *		Parse the quoted field starting at *p (on the opening quote) into
 *		field; *p is left after the closing quote.
 */
static void
parse_quoted(MlTarget *target, const char *body, const char **p,
			 StringInfo field)
{
	const char *c = *p + 1;

	for (;;)
	{
		if (*c == '\0')
			report_bad_csv(target, body, "unterminated quoted field");
		if (*c == '"' && c[1] == '"')
		{
			appendStringInfoChar(field, '"');
			c += 2;
		}
		else if (*c == '"')
			break;
		else
			appendStringInfoChar(field, *c++);
	}
	*p = c + 1;
	if (**p != ',' && **p != '\r' && **p != '\n' && **p != '\0')
		report_bad_csv(target, body, "unexpected character after a quoted field");
}

/*
 * count_fields
 *		How many fields the first record of body has, counted without
 *		storing any, so that an answer of more fields than
 *		mlpredict.max_output_elements is refused before they are parsed.
 *		Malformed quoting is left to parse_record to report.
 */
static int64
count_fields(const char *body)
{
	const char *p = body;
	int64		n = 1;

	for (;;)
	{
		if (*p == '"')
		{
			for (p++; *p != '\0'; p++)
				if (*p == '"' && *++p != '"')
					break;
		}
		while (*p != ',' && *p != '\r' && *p != '\n' && *p != '\0')
			p++;
		if (*p != ',')
			return n;
		n++;
		p++;
	}
}

/*
 * parse_record
 *		The fields of the first record of body (server encoding, NUL-free).
 */
static List *
parse_record(MlTarget *target, const char *body)
{
	List	   *fields = NIL;
	const char *p = body;

	for (;;)
	{
		CsvField   *field;
		StringInfoData text;

		if ((list_length(fields) & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		field = palloc0(sizeof(CsvField));

		initStringInfo(&text);
		if (*p == '"')
		{
			field->quoted = true;
			parse_quoted(target, body, &p, &text);
		}
		else
			while (*p != ',' && *p != '\r' && *p != '\n' && *p != '\0')
				appendStringInfoChar(&text, *p++);
		field->text = text.data;
		fields = lappend(fields, field);
		if (*p != ',')
			break;
		p++;
	}
	return fields;
}

/* Error context naming the output column, for input function errors. */
static void
column_context(void *arg)
{
	errcontext("model output column \"%s\"", (const char *) arg);
}

/*
 * base64_bytea
 *		A base64 field decoded as bytea.
 */
static Datum
base64_bytea(const char *text, const char *column)
{
	bytea	   *result = MlBase64ToBytea(text, strlen(text));

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("model output column \"%s\" expects base64-encoded bytea but the response field is not valid base64",
						column)));
	return PointerGetDatum(result);
}

/*
 * field_value
 *		Convert one field to typid/typmod: NULL when unquoted and empty,
 *		base64 for bytea, else the type's input function (domains checked).
 */
static Datum
field_value(CsvField *field, Oid typid, int32 typmod, const char *column,
			bool *isnull)
{
	ErrorContextCallback cb;
	char	   *str = field->text;
	Oid			infunc;
	Oid			ioparam;
	Datum		result;

	if (str[0] == '\0' && !field->quoted)
		str = NULL;
	*isnull = (str == NULL);
	result = (str && getBaseType(typid) == BYTEAOID) ?
		base64_bytea(str, column) : (Datum) 0;
	cb.callback = column_context;
	cb.arg = unconstify(char *, column);
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	if (str && getBaseType(typid) == BYTEAOID)
	{
		if (typid != BYTEAOID)
			domain_check(result, false, typid, NULL, CurrentMemoryContext);
	}
	else
	{
		getTypeInputInfo(typid, &infunc, &ioparam);
		result = OidInputFunctionCall(infunc, str, ioparam, typmod);
	}
	error_context_stack = cb.previous;
	return result;
}

/*
 * fields_to_array
 *		All fields as the elements of the sole ARRAY column.
 */
static Datum
fields_to_array(List *fields, MlColumn *col, bool *isnull)
{
	Oid			base = getBaseType(col->typid);
	Oid			elemtype = get_element_type(base);
	int			n = list_length(fields);
	Datum	   *elems = palloc(sizeof(Datum) * n);
	bool	   *elemnulls = palloc(sizeof(bool) * n);
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum		result;
	ListCell   *lc;

	foreach(lc, fields)
	{
		int			i = foreach_current_index(lc);

		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		elems[i] = field_value(lfirst(lc), elemtype, col->typmod, col->name,
							   &elemnulls[i]);
	}
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	result = PointerGetDatum(construct_md_array(elems, elemnulls, 1, dims, lbs,
												elemtype, elmlen, elmbyval,
												elmalign));
	if (col->typid != base)
		domain_check(result, false, col->typid, NULL, CurrentMemoryContext);
	*isnull = false;
	return result;
}

/*
 * csv_decode
 *		The first record of the body into the OUTPUT columns.
 */
static void
csv_decode(MlTarget *target, MlResponseBody *response, Datum *values,
		   bool *nulls)
{
	char	   *body = pg_any_to_server(response->data, response->len, PG_UTF8);
	MlColumn   *first = linitial(target->model->output);
	List	   *fields;
	ListCell   *lc;
	const char *record;
	int64		nfields;

	if (body[strspn(body, "\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" is empty", target->display_name),
				 errhint("Output format CSV reads the first line of the response.")));
	record = body + strspn(body, "\r\n");
	/* more fields than columns: they can only go to an array */
	nfields = count_fields(record);
	if (nfields > target->noutputs)
		MlCheckOutputElements(nfields, target->display_name);
	fields = parse_record(target, record);
	if (target->noutputs == 1 &&
		OidIsValid(get_element_type(getBaseType(first->typid))))
	{
		values[0] = fields_to_array(fields, first, &nulls[0]);
		return;
	}
	if (list_length(fields) != target->noutputs)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg_plural("expected %d value in the response of model \"%s\" but got %d",
							   "expected %d values in the response of model \"%s\" but got %d",
							   target->noutputs,
							   target->noutputs, target->display_name,
							   list_length(fields)),
				 errdetail("Response: %s", body_excerpt(target, body)),
				 errhint("Declare one OUTPUT column per CSV field, or a single ARRAY column.")));
	foreach(lc, target->model->output)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		values[i] = field_value(list_nth(fields, i), col->typid, col->typmod,
								col->name, &nulls[i]);
	}
}

const MlFormat MlFormatCsv = {
	"CSV", NULL, ML_FORMAT_PREDICTIVE, "text/csv", NULL,
	csv_check_schema, csv_encode, csv_decode
};
