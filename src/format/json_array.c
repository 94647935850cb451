/*-------------------------------------------------------------------------
 *
 * json_array.c
 *	  The JSON-ARRAY format: values without names.
 *
 * Request: a single ARRAY INPUT column is the whole body ([1.5, 2.0]);
 * otherwise the values in INPUT order, [v1, v2, ...], nested arrays and
 * rows kept nested.  The body has no object, so parameters are not sent.
 *
 * Answer: the value at the suffix pointer (or the root) must be an array.
 * A sole OUTPUT column that takes arrays gets it whole; otherwise its
 * length must equal the number of OUTPUT columns and the values map
 * positionally.  A one-element array holding the answer of the one row
 * sent ([[0.2, 0.8]] or [{"label": ...}], as pandas-style servers answer
 * one element per row) is read with the generic rule, so PANDAS-DATAFRAME
 * models, which answer as JSON-ARRAY, work with several OUTPUT columns.
 *
 * The answer to a batch of rows (PANDAS-DATAFRAME's, ML_BATCH_ROWS) has one
 * element per row: row k reads element k as it would read the one-element
 * array answering it alone.
 *
 * IDENTIFICATION
 *	  src/format/json_array.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/lsyscache.h"

#include "format/format.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

/*
 * json_array_check_schema
 *		Any columns: every SQL type has a JSON form.
 */
static void
json_array_check_schema(List *input, List *output, const char *which)
{
}

/*
 * json_array_encode
 *		The sole ARRAY input as the body, or [v1, v2, ...].
 */
static void
json_array_encode(MlTarget *target, Datum *values, bool *nulls,
				  MlRequestBody *body)
{
	StringInfo	buf = &body->data;
	ListCell   *lc;

	if (target->ninputs == 1)
	{
		MlColumn   *col = linitial(target->model->input);

		if (OidIsValid(get_element_type(getBaseType(col->typid))))
		{
			MlDatumToJson(buf, values[0], nulls[0], col->typid);
			return;
		}
	}
	appendStringInfoChar(buf, '[');
	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		appendStringInfoString(buf, i == 0 ? "" : ", ");
		MlDatumToJson(buf, values[i], nulls[i], col->typid);
	}
	appendStringInfoChar(buf, ']');
}

/*
 * report_not_array
 *		Raise the error for an answer that is not an array.
 */
static void
report_not_array(MlTarget *target, MlResponseBody *response,
				 const char *pointer)
{
	JsonbValue	node;

	MlJsonRequire(target, MlResponseJson(target, response), pointer, &node);
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" is a JSON %s, not an array",
					target->display_name, MlJsonKindName(&node)),
			 errdetail("Response: %s", MlResponseExcerpt(target, &node)),
			 errhint("Output format JSON-ARRAY reads a JSON array; use JSON for objects.")));
}

/*
 * json_array_decode
 *		The array at the pointer, whole or positionally.
 */
static void
json_array_decode(MlTarget *target, MlResponseBody *response, Datum *values,
				  bool *nulls)
{
	const char *pointer = MlOutputPointer(target, "");
	MlAnswer	answer;
	JsonbValue	node;
	int			len;

	/* a vector, alone or as the one element ([[...]]), without jsonb */
	MlAnswerOpen(&answer, target, response);
	if (answer.text != NULL &&
		((MlAnswerLength(&answer, pointer) == 1 &&
		  MlAnswerFastOutput(&answer, psprintf("%s/0", pointer), true,
							 values, nulls)) ||
		 MlAnswerFastOutput(&answer, pointer, false, values, nulls)))
		return;

	MlJsonRequire(target, MlResponseJson(target, response), pointer, &node);
	len = MlJsonArrayLength(&node);
	if (len < 0)
		report_not_array(target, response, pointer);
	if (len != target->noutputs && len != 1 &&
		!(target->noutputs == 1 &&
		  MlColumnTakesArray(linitial(target->model->output))))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg_plural("expected %d value in the response of model \"%s\" but got %d",
							   "expected %d values in the response of model \"%s\" but got %d",
							   target->noutputs,
							   target->noutputs, target->display_name, len),
				 errdetail("Response: %s", MlResponseExcerpt(target, &node)),
				 errhint("Declare one OUTPUT column per value, or a single ARRAY column.")));
	MlDecodeOutputColumns(target, &node, values, nulls);
}

/*
 * wrap_in_array
 *		A one-element array holding elem, as a value of its own document.
 */
static void
wrap_in_array(const JsonbValue *elem, JsonbValue *out)
{
	JsonbParseState *state = NULL;
	JsonbValue *array;
	Jsonb	   *doc;

	(void) pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	(void) pushJsonbValue(&state, WJB_ELEM, unconstify(JsonbValue *, elem));
	array = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	doc = JsonbValueToJsonb(array);
	out->type = jbvBinary;
	out->val.binary.data = &doc->root;
	out->val.binary.len = VARSIZE(doc) - VARHDRSZ;
}

/*
 * json_array_decode_batch
 *		Element k for row k, read as the answer [element k] to that row
 *		alone would be: a sole column that takes arrays gets that
 *		one-element array, other models the element by the generic rule.
 */
static void
json_array_decode_batch(MlTarget *target, MlResponseBody *response,
						MlBatchRow *rows, int nrows)
{
	const char *pointer = MlOutputPointer(target, "");
	bool		whole = target->noutputs == 1 &&
		MlColumnTakesArray(linitial(target->model->output));
	MlAnswer	answer;
	JsonbValue	node;
	JsonbValue	elem;

	MlAnswerOpen(&answer, target, response);
	if (MlAnswerLength(&answer, pointer) == -1)
		report_not_array(target, response, pointer);
	MlCheckBatchCount(&answer, pointer, nrows);
	for (int r = 0; r < nrows; r++)
	{
		Datum	   *values = rows[r].out_values;
		bool	   *nulls = rows[r].out_nulls;

		if (MlAnswerFastOutput(&answer, psprintf("%s/%d", pointer, r), true,
							   values, nulls))
			continue;
		(void) MlJsonPointer(MlResponseJson(target, response), pointer, &node);
		MlJsonArrayElement(&node, r, &elem);
		if (whole)
		{
			JsonbValue	wrapped;

			wrap_in_array(&elem, &wrapped);
			MlDecodeOutputColumn(target, 0, &wrapped, values, nulls);
		}
		else
			MlDecodeOutputColumns(target, &elem, values, nulls);
	}
}

const MlFormat MlFormatJsonArray = {
	"JSON-ARRAY", NULL, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	json_array_check_schema, json_array_encode, json_array_decode,
	ML_BATCH_ROWS, NULL, NULL, json_array_decode_batch
};
