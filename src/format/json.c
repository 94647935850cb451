/*-------------------------------------------------------------------------
 *
 * json.c
 *	  The JSON format (alias JSON-OBJECT) and its fixed-wrapper variants
 *	  AZUREML-TENSOR, TF-SERVING-COLUMN and MLFLOW-TENSOR.
 *
 * Request: {"<col>": <value>, ..., <params>}, every INPUT column under its
 * own name and the parameters at top level under theirs.  JSON:w wraps
 * the columns, {"w": {<columns>}, <params>}; AZUREML-TENSOR is
 * JSON:input_data and TF-SERVING-COLUMN (alias TF-SERVING-COL) and
 * MLFLOW-TENSOR are JSON:inputs (a suffix given with them replaces the
 * wrapper).  Values are serialized by MlDatumToJson: every type has a JSON
 * form (timestamps as ISO 8601 text, bytea as base64, ROW as an object),
 * so no INPUT column is rejected.
 *
 * Answer: the generic rule (output_columns.c) at the suffix pointer, or at
 * the root.  The three variants answer as JSON:outputs by default.  As
 * for every format, JSON:w as the input format without an output_format
 * reads the answer at /w too.
 *
 * IDENTIFICATION
 *	  src/format/json.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/json.h"

#include "format/format.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/params.h"
#include "wire/target.h"

/*
 * json_check_schema
 *		Any columns: every SQL type has a JSON form, and the generic rule
 *		converts a JSON value to any OUTPUT type.
 */
static void
json_check_schema(List *input, List *output, const char *which)
{
}

/*
 * append_columns
 *		Append the INPUT columns as members "<name>": <value> of the object
 *		being written; *first says whether a comma is needed.
 */
static void
append_columns(StringInfo buf, MlTarget *target, Datum *values, bool *nulls,
			   bool *first)
{
	ListCell   *lc;

	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		appendStringInfoString(buf, *first ? "" : ", ");
		*first = false;
		escape_json(buf, col->name);
		appendStringInfoString(buf, ": ");
		MlDatumToJson(buf, values[i], nulls[i], col->typid);
	}
}

/*
 * encode_wrapped
 *		Build the body: the columns at top level, or inside an object under
 *		wrapper when it is not NULL; the parameters at top level.
 */
static void
encode_wrapped(MlTarget *target, const char *wrapper, Datum *values,
			   bool *nulls, StringInfo buf)
{
	bool		first = true;

	appendStringInfoChar(buf, '{');
	if (wrapper)
	{
		bool		inner_first = true;

		escape_json(buf, wrapper);
		appendStringInfoString(buf, ": {");
		append_columns(buf, target, values, nulls, &inner_first);
		appendStringInfoChar(buf, '}');
		first = false;
	}
	else
		append_columns(buf, target, values, nulls, &first);
	MlAppendParams(buf, target->params, NULL, &first);
	appendStringInfoChar(buf, '}');
}

/*
 * json_encode
 *		JSON, or JSON:w.
 */
static void
json_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *body)
{
	encode_wrapped(target, target->input_suffix, values, nulls, &body->data);
}

/*
 * input_data_encode
 *		AZUREML-TENSOR: the columns under "input_data" (or the suffix).
 */
static void
input_data_encode(MlTarget *target, Datum *values, bool *nulls,
				  MlRequestBody *body)
{
	encode_wrapped(target, target->input_suffix ? target->input_suffix : "input_data",
				   values, nulls, &body->data);
}

/*
 * inputs_encode
 *		TF-SERVING-COLUMN and MLFLOW-TENSOR: the columns under "inputs" (or
 *		the suffix).
 */
static void
inputs_encode(MlTarget *target, Datum *values, bool *nulls,
			  MlRequestBody *body)
{
	encode_wrapped(target, target->input_suffix ? target->input_suffix : "inputs",
				   values, nulls, &body->data);
}

/*
 * json_decode
 *		The generic rule at the suffix pointer, or at the root.
 */
static void
json_decode(MlTarget *target, MlResponseBody *response, Datum *values,
			bool *nulls)
{
	const char *pointer = MlOutputPointer(target, "");
	MlAnswer	answer;
	Jsonb	   *doc;
	JsonbValue	node;

	/* a vector OUTPUT without jsonb when it can (answer.c) */
	MlAnswerOpen(&answer, target, response);
	if (MlAnswerFastColumns(&answer, pointer, values, nulls))
		return;
	doc = MlResponseJson(target, response);
	MlJsonRequire(target, doc, pointer, &node);
	MlDecodeOutputColumns(target, &node, values, nulls);
}

static const char *const json_aliases[] = {"JSON-OBJECT", NULL};
static const char *const tf_column_aliases[] = {"TF-SERVING-COL", NULL};

const MlFormat MlFormatJson = {
	"JSON", json_aliases, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	json_check_schema, json_encode, json_decode
};

const MlFormat MlFormatAzureMLTensor = {
	"AZUREML-TENSOR", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	"JSON:outputs",
	json_check_schema, input_data_encode, json_decode
};

const MlFormat MlFormatTFServingColumn = {
	"TF-SERVING-COLUMN", tf_column_aliases, ML_FORMAT_PREDICTIVE,
	"application/json", "JSON:outputs",
	json_check_schema, inputs_encode, json_decode
};

const MlFormat MlFormatMLflowTensor = {
	"MLFLOW-TENSOR", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	"JSON:outputs",
	json_check_schema, inputs_encode, json_decode
};
