/*-------------------------------------------------------------------------
 *
 * output_columns.c
 *	  Filling a model's OUTPUT columns from a JSON response: Confluent's
 *	  generic rule, shared by the predictive formats, and the small JSON
 *	  helpers those formats need.
 *
 * The generic rule (Confluent §7.1) maps one JSON node onto all OUTPUT
 * columns:
 *	- an array gives its elements positionally; its length must equal the
 *	  number of columns.  Two extensions: a sole column that takes arrays
 *	  (an ARRAY, json/jsonb, or a vector-like type) takes the whole array,
 *	  and a one-element array wrapping the answer ([[0.2, 0.8]],
 *	  [{"label": ...}]) is unwrapped and the rule applied to its element;
 *	- a scalar fills the single OUTPUT column;
 *	- an object gives each column the member found by MlJsonFindField
 *	  (exact name, then case-insensitive, then nested).  A sole column of
 *	  a row type (ROW<...>, a composite type, json/jsonb) that has no
 *	  member of its name takes the whole object, so OUTPUT (r ROW<label
 *	  STRING, score DOUBLE>) reads {"label": ..., "score": ...}.
 * Each value is then converted by MlJsonToDatum, which unwraps a
 * one-element array for a non-array column, strips the common [[...]]
 * wrapping of arrays, maps composites by field name and checks domains.
 *
 * IDENTIFICATION
 *	  src/format/output_columns.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "format/json_text.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

/* longest part of a response quoted in an error message */
#define RESPONSE_EXCERPT_LEN 300

/*
 * MlResponseExcerpt
 *		The JSON text of a response value for an error detail: cut after
 *		RESPONSE_EXCERPT_LEN bytes and with the connection's secrets masked.
 */
char *
MlResponseExcerpt(MlTarget *target, const JsonbValue *value)
{
	char	   *text = MlJsonValueToText(value);
	int			len = strlen(text);

	if (len > RESPONSE_EXCERPT_LEN)
		text = psprintf("%.*s...",
						pg_mbcliplen(text, len, RESPONSE_EXCERPT_LEN), text);
	return MlMaskSecrets(target, text);
}

/*
 * MlJsonArrayLength
 *		Number of elements of a JSON array value, or -1 if it is not one.
 */
int
MlJsonArrayLength(const JsonbValue *value)
{
	if (value->type == jbvArray && !value->val.array.rawScalar)
		return value->val.array.nElems;
	if (value->type == jbvBinary &&
		JsonContainerIsArray(value->val.binary.data) &&
		!JsonContainerIsScalar(value->val.binary.data))
		return JsonContainerSize(value->val.binary.data);
	return -1;
}

/*
 * MlJsonArrayElement
 *		Element i of a JSON array value (nested containers as jbvBinary);
 *		false when out of range.
 */
bool
MlJsonArrayElement(const JsonbValue *array, int i, JsonbValue *out)
{
	JsonbValue *elem;

	if (i < 0 || i >= MlJsonArrayLength(array))
		return false;
	if (array->type == jbvArray)
	{
		*out = array->val.array.elems[i];
		return true;
	}
	elem = getIthJsonbValueFromContainer(array->val.binary.data, (uint32) i);
	if (elem == NULL)
		return false;
	*out = *elem;
	pfree(elem);
	return true;
}

/*
 * MlJsonIsObject
 *		Is the value a JSON object?
 */
bool
MlJsonIsObject(const JsonbValue *value)
{
	return value->type == jbvObject ||
		(value->type == jbvBinary &&
		 JsonContainerIsObject(value->val.binary.data));
}

/*
 * MlColumnIsRow
 *		Is the column a row: ROW<...> (stored as jsonb) or a composite type?
 */
bool
MlColumnIsRow(const MlColumn *col)
{
	return strncmp(col->decl, "ROW<", 4) == 0 ||
		get_typtype(getBaseType(col->typid)) == TYPTYPE_COMPOSITE;
}

/*
 * is_json_type
 *		json or jsonb (or a domain over them).
 */
static bool
is_json_type(const MlColumn *col)
{
	Oid			base = getBaseType(col->typid);

	return base == JSONOID || base == JSONBOID;
}

/*
 * MlColumnTakesArray
 *		Does a JSON array fill the column as a whole: an ARRAY, json/jsonb
 *		that is not a ROW, or a user-defined base type such as pgvector's
 *		vector?
 */
bool
MlColumnTakesArray(const MlColumn *col)
{
	Oid			base = getBaseType(col->typid);

	if (OidIsValid(get_element_type(base)))
		return true;
	if (is_json_type(col))
		return !MlColumnIsRow(col);
	return get_typtype(base) == TYPTYPE_BASE && base >= FirstNormalObjectId;
}

/*
 * takes_object
 *		May the column take a whole JSON object: a row or json/jsonb?
 */
static bool
takes_object(const MlColumn *col)
{
	return MlColumnIsRow(col) || is_json_type(col);
}

/*
 * MlDecodeOutputColumn
 *		Convert one JSON value into OUTPUT column i.
 */
void
MlDecodeOutputColumn(MlTarget *target, int i, const JsonbValue *value,
					 Datum *values, bool *nulls)
{
	MlColumn   *col = list_nth(target->model->output, i);

	values[i] = MlJsonToDatum(value, col->typid, col->typmod,
							  MlColumnDimensions(col), target->display_name,
							  col->name, &nulls[i]);
}

/*
 * report_count
 *		Raise the error for an array whose length is not the number of
 *		OUTPUT columns.
 */
static void
report_count(MlTarget *target, const JsonbValue *node, int len)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg_plural("response of model \"%s\" has %d values, but the model has %d OUTPUT column",
						   "response of model \"%s\" has %d values, but the model has %d OUTPUT columns",
						   target->noutputs,
						   target->display_name, len, target->noutputs),
			 errdetail("Response: %s", MlResponseExcerpt(target, node)),
			 errhint("Declare one OUTPUT column per value, or a single ARRAY column.")));
}

/*
 * decode_array
 *		The generic rule for an array node.
 */
static void
decode_array(MlTarget *target, const JsonbValue *node, int len,
			 Datum *values, bool *nulls)
{
	JsonbValue	elem;
	int			i;

	if (target->noutputs == 1 &&
		MlColumnTakesArray(linitial(target->model->output)))
		MlDecodeOutputColumn(target, 0, node, values, nulls);
	else if (len == 1)
	{
		MlJsonArrayElement(node, 0, &elem);
		MlDecodeOutputColumns(target, &elem, values, nulls);
	}
	else if (len == target->noutputs)
	{
		for (i = 0; i < len; i++)
		{
			MlJsonArrayElement(node, i, &elem);
			MlDecodeOutputColumn(target, i, &elem, values, nulls);
		}
	}
	else
		report_count(target, node, len);
}

/*
 * decode_object
 *		The generic rule for an object node: every column by name.
 */
static void
decode_object(MlTarget *target, const JsonbValue *node, Datum *values,
			  bool *nulls)
{
	ListCell   *lc;
	JsonbValue	field;

	foreach(lc, target->model->output)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		if (MlJsonFindField(node, col->name, &field))
			MlDecodeOutputColumn(target, i, &field, values, nulls);
		else if (target->noutputs == 1 && takes_object(col))
			MlDecodeOutputColumn(target, i, node, values, nulls);
		else
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("field \"%s\" not found in response of model \"%s\"",
							col->name, target->display_name),
					 errdetail("Response: %s", MlResponseExcerpt(target, node)),
					 errhint("Name the OUTPUT columns after the response's fields, or point the output format at the value (output_format 'JSON:/path').")));
	}
}

/*
 * MlDecodeOutputColumns
 *		Fill every OUTPUT column from node by the generic rule (see the file
 *		header).
 */
void
MlDecodeOutputColumns(MlTarget *target, const JsonbValue *node,
					  Datum *values, bool *nulls)
{
	int			len = MlJsonArrayLength(node);

	check_stack_depth();
	if (len >= 0)
		decode_array(target, node, len, values, nulls);
	else if (MlJsonIsObject(node))
		decode_object(target, node, values, nulls);
	else if (target->noutputs == 1)
		MlDecodeOutputColumn(target, 0, node, values, nulls);
	else
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" is a single value, but the model has %d OUTPUT columns",
						target->display_name, target->noutputs),
				 errdetail("Response: %s", MlResponseExcerpt(target, node)),
				 errhint("Declare one OUTPUT column, or use an endpoint that answers with an array or object.")));
}

/*
 * MlJsonRequire
 *		The value at pointer in doc; a missing value is an error that shows
 *		the start of the response.
 */
void
MlJsonRequire(MlTarget *target, Jsonb *doc, const char *pointer,
			  JsonbValue *out)
{
	JsonbValue	root;

	if (MlJsonPointer(doc, pointer, out))
		return;
	(void) MlJsonPointer(doc, "", &root);
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" has no value at \"%s\"",
					target->display_name, pointer),
			 errdetail("Response: %s", MlResponseExcerpt(target, &root)),
			 errhint("Check the model's output format.")));
}

/*
 * first_column_from
 *		The model's only OUTPUT column from a JSON value.
 */
static void
first_column_from(MlTarget *target, const JsonbValue *v, Datum *values,
				  bool *nulls)
{
	MlColumn   *col = linitial(target->model->output);

	values[0] = MlJsonToDatum(v, col->typid, col->typmod,
							  MlColumnDimensions(col), target->display_name,
							  col->name, &nulls[0]);
}

/*
 * MlDecodeAtPointer
 *		Decode the value at pointer into the model's single output column.
 *		A missing value is an error that shows the start of the response.
 */
void
MlDecodeAtPointer(MlTarget *target, Jsonb *response, const char *pointer,
				  Datum *values, bool *nulls)
{
	JsonbValue	v;

	MlJsonRequire(target, response, pointer, &v);
	first_column_from(target, &v, values, nulls);
}

/*
 * MlDecodeStringAtPointer
 *		MlDecodeAtPointer for an answer whose value at pointer is a string,
 *		read from the body's text index instead of jsonb (a chat answer
 *		parsed into jsonb cost 40% of the backend's time per request).
 *		False, having decoded nothing, when the body was parsed already,
 *		cannot be indexed, or has anything but a string there: the caller
 *		then decodes through jsonb, whose result or error is the rule.  The
 *		index is kept in the body for the usage lookups (usage.c).
 */
bool
MlDecodeStringAtPointer(MlTarget *target, MlResponseBody *body,
						const char *pointer, Datum *values, bool *nulls)
{
	MlJsonText *doc = body->text;
	JsonbValue	v;
	int			node;

	if (body->json != NULL || pointer == NULL)
		return false;
	if (doc == NULL)
		doc = body->text = MlJsonTextScan(body->data, body->len, InvalidOid);
	if (doc == NULL)
		return false;
	node = MlJsonTextPointer(doc, pointer);
	if (node < 0 || doc->nodes[node].kind != JT_STRING)
		return false;
	v.type = jbvString;
	v.val.string.val = MlJsonTextString(doc, node, &v.val.string.len);
	first_column_from(target, &v, values, nulls);
	return true;
}

/*
 * MlRaiseRemoteError
 *		If the response is an error object ({"error": "..."} as TensorFlow
 *		Serving and KServe send, or {"error": {"message": ...}}), raise it.
 */
void
MlRaiseRemoteError(MlTarget *target, Jsonb *doc)
{
	JsonbValue	error;
	char	   *message;

	if (!MlJsonPointer(doc, "/error", &error) &&
		!MlJsonPointer(doc, "/message", &error))
		return;
	if (MlJsonIsObject(&error))
	{
		JsonbValue	inner;

		if (MlJsonPointerValue(&error, "/message", &inner))
			error = inner;
	}
	if (error.type == jbvString)
		message = pnstrdup(error.val.string.val, error.val.string.len);
	else
		message = MlJsonValueToText(&error);
	if (strlen(message) > RESPONSE_EXCERPT_LEN)
		message = psprintf("%.*s...", pg_mbcliplen(message, strlen(message),
												   RESPONSE_EXCERPT_LEN),
						   message);
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("remote model error: %s", MlMaskSecrets(target, message)),
			 errdetail("Model \"%s\" answered with an error instead of predictions.",
					   target->display_name)));
}
