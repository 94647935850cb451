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
 * IDENTIFICATION
 *	  src/format/json_array.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/lsyscache.h"

#include "exec/request.h"
#include "format/format.h"
#include "types/json_datum.h"
#include "types/typemap.h"

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
 * json_array_decode
 *		The array at the pointer, whole or positionally.
 */
static void
json_array_decode(MlTarget *target, MlResponseBody *response, Datum *values,
				  bool *nulls)
{
	Jsonb	   *doc = MlResponseJson(target, response);
	JsonbValue	node;
	int			len;

	MlJsonRequire(target, doc, MlOutputPointer(target, ""), &node);
	len = MlJsonArrayLength(&node);
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" is a JSON %s, not an array",
						target->display_name, MlJsonKindName(&node)),
				 errdetail("Response: %s", MlResponseExcerpt(target, &node)),
				 errhint("Output format JSON-ARRAY reads a JSON array; use JSON for objects.")));
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

const MlFormat MlFormatJsonArray = {
	"JSON-ARRAY", NULL, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	json_array_check_schema, json_array_encode, json_array_decode
};
