/*-------------------------------------------------------------------------
 *
 * pandas.c
 *	  The PANDAS-DATAFRAME format (alias PANDAS-DATAFRAME-SPLIT) and
 *	  AZUREML-PANDAS-DATAFRAME: one row as a pandas DataFrame in "split"
 *	  orientation, as MLflow and Azure ML serve models.
 *
 * Request: {"dataframe_split": {"index": [0], "columns": [<names>],
 * "data": [[<values>]]}}; AZUREML-PANDAS-DATAFRAME uses the top key
 * "input_data" instead, and a suffix (PANDAS-DATAFRAME:key) replaces the
 * top key.  Values are serialized by MlDatumToJson, so every type can be
 * sent.  Parameters go into a top-level "params" object, where MLflow 2
 * scoring servers (and Azure ML's MLflow deployments) read them.
 *
 * Answer: both formats answer as JSON-ARRAY by default: a bare array with
 * one element per row sent, so for the one row its element 0 is mapped
 * onto the OUTPUT columns with the generic rule (json_array.c).
 *
 * Batches: one data row per model row ("index" 0 to n-1); the answer has
 * one element per row (ML_BATCH_ROWS).  MLflow and Azure ML set no number
 * of rows per request (batch.c bounds the body's size).
 *
 * IDENTIFICATION
 *	  src/format/pandas.c
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
 * pandas_check_schema
 *		Any INPUT columns: every SQL type has a JSON form.  (The output is
 *		JSON-ARRAY's business.)
 */
static void
pandas_check_schema(List *input, List *output, const char *which)
{
}

/*
 * encode_split
 *		Build the body for rows with the frame under top_key.
 */
static void
encode_split(MlTarget *target, const char *top_key, MlBatchRow *rows,
			 int nrows, StringInfo buf)
{
	ListCell   *lc;

	appendStringInfoChar(buf, '{');
	escape_json(buf, top_key);
	appendStringInfoString(buf, ": {\"index\": [");
	for (int r = 0; r < nrows; r++)
		appendStringInfo(buf, "%s%d", r ? ", " : "", r);
	appendStringInfoString(buf, "], \"columns\": [");
	foreach(lc, target->model->input)
	{
		appendStringInfoString(buf, foreach_current_index(lc) ? ", " : "");
		escape_json(buf, ((MlColumn *) lfirst(lc))->name);
	}
	appendStringInfoString(buf, "], \"data\": [");
	for (int r = 0; r < nrows; r++)
	{
		appendStringInfoString(buf, r ? ", [" : "[");
		foreach(lc, target->model->input)
		{
			int			i = foreach_current_index(lc);

			appendStringInfoString(buf, i ? ", " : "");
			MlDatumToJson(buf, rows[r].values[i], rows[r].nulls[i],
						  ((MlColumn *) lfirst(lc))->typid);
		}
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoString(buf, "]}");
	if (MlParamsAny(target->params, NULL))
	{
		bool		first = true;

		appendStringInfoString(buf, ", \"params\": {");
		MlAppendParams(buf, target->params, NULL, &first);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
}

/*
 * pandas_key
 *		PANDAS-DATAFRAME: top key "dataframe_split" or the suffix.
 */
static const char *
pandas_key(MlTarget *target)
{
	return target->input_suffix ? target->input_suffix : "dataframe_split";
}

/*
 * azureml_key
 *		AZUREML-PANDAS-DATAFRAME: top key "input_data" or the suffix.
 */
static const char *
azureml_key(MlTarget *target)
{
	return target->input_suffix ? target->input_suffix : "input_data";
}

/*
 * pandas_encode
 *		PANDAS-DATAFRAME, one row.
 */
static void
pandas_encode(MlTarget *target, Datum *values, bool *nulls,
			  MlRequestBody *body)
{
	MlBatchRow	row = {values, nulls, NULL, NULL};

	encode_split(target, pandas_key(target), &row, 1, &body->data);
}

/*
 * pandas_encode_batch
 *		PANDAS-DATAFRAME, several rows.
 */
static void
pandas_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
					MlRequestBody *body)
{
	encode_split(target, pandas_key(target), rows, nrows, &body->data);
}

/*
 * azureml_pandas_encode
 *		AZUREML-PANDAS-DATAFRAME, one row.
 */
static void
azureml_pandas_encode(MlTarget *target, Datum *values, bool *nulls,
					  MlRequestBody *body)
{
	MlBatchRow	row = {values, nulls, NULL, NULL};

	encode_split(target, azureml_key(target), &row, 1, &body->data);
}

/*
 * azureml_pandas_encode_batch
 *		AZUREML-PANDAS-DATAFRAME, several rows.
 */
static void
azureml_pandas_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
							MlRequestBody *body)
{
	encode_split(target, azureml_key(target), rows, nrows, &body->data);
}

/*
 * pandas_batch_limits
 *		No limit of the API's own on rows or tokens.
 */
static void
pandas_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	*max_rows = ML_BATCH_SIZE_MAX;
	*max_tokens = 0;
}

static const char *const pandas_aliases[] = {"PANDAS-DATAFRAME-SPLIT", NULL};

const MlFormat MlFormatPandasDataframe = {
	"PANDAS-DATAFRAME", pandas_aliases, ML_FORMAT_PREDICTIVE,
	"application/json", "JSON-ARRAY",
	pandas_check_schema, pandas_encode, NULL,
	ML_BATCH_ROWS, pandas_batch_limits, pandas_encode_batch, NULL
};

const MlFormat MlFormatAzureMLPandasDataframe = {
	"AZUREML-PANDAS-DATAFRAME", NULL, ML_FORMAT_PREDICTIVE,
	"application/json", "JSON-ARRAY",
	pandas_check_schema, azureml_pandas_encode, NULL,
	ML_BATCH_ROWS, pandas_batch_limits, azureml_pandas_encode_batch, NULL
};
