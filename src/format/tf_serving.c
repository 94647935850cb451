/*-------------------------------------------------------------------------
 *
 * tf_serving.c
 *	  The TF-SERVING format (aliases TENSORFLOW-SERVING, TF-SERVING-ROW,
 *	  KSERVE-V1), Vertex AI's default for endpoints; VERTEXAI-PYTORCH; and
 *	  the output-only JSON-ARRAY-OF-OBJECTS.
 *
 * Request, TensorFlow Serving's row format with one instance: one INPUT
 * column gives {"instances": [<value>]}, several give {"instances":
 * [{"<col>": <value>, ...}]}.  A BYTES value is sent as {"b64": "..."}
 * and, among several columns, under the name "<col>_bytes", as
 * TensorFlow Serving expects binary strings (bytes inside arrays or rows
 * stay plain base64 strings).  Parameters go into a top-level
 * "parameters" object, where Vertex AI passes them to the model.  A
 * suffix (TF-SERVING:data) wraps the instance in an object under that
 * key; VERTEXAI-PYTORCH is TF-SERVING:data, as TorchServe handlers on
 * Vertex read {"instances": [{"data": ...}]}, and answers as TF-SERVING.
 *
 * Answer: the value at /predictions, or at the pointer an explicit
 * output_format suffix gives (the input format's wrapper suffix is not a
 * pointer here).  If it is missing and the response carries an error
 * ({"error": "..."}), that error is raised.  An array yields its element
 * 0, the prediction for the one instance sent; that value fills the
 * OUTPUT columns by the generic rule: an object by column names, an array
 * positionally, a scalar the single column.  JSON-ARRAY-OF-OBJECTS reads
 * the same way, but from the root when the answer is a bare array, as
 * Hugging Face pipelines answer [{"label": ..., "score": ...}].
 *
 * Batches: one instance per row; prediction k is row k's, read as element
 * 0 is for a single row.  TensorFlow Serving, KServe and Vertex AI
 * endpoints set no number of instances per request (batch.c bounds the
 * body's size).
 *
 * IDENTIFICATION
 *	  src/format/tf_serving.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/params.h"
#include "wire/target.h"

/*
 * tf_check_schema
 *		Any columns: every SQL type has a JSON form, and the generic rule
 *		converts a JSON value to any OUTPUT type.
 */
static void
tf_check_schema(List *input, List *output, const char *which)
{
}

/*
 * is_bytea
 *		bytea (or a domain over it)?
 */
static bool
is_bytea(const MlColumn *col)
{
	return getBaseType(col->typid) == BYTEAOID;
}

/*
 * append_value
 *		One input value; bytes as {"b64": "..."}.
 */
static void
append_value(StringInfo buf, Datum value, bool isnull, MlColumn *col)
{
	if (isnull || !is_bytea(col))
	{
		MlDatumToJson(buf, value, isnull, col->typid);
		return;
	}
	appendStringInfoString(buf, "{\"b64\": ");
	MlDatumToJson(buf, value, false, col->typid);
	appendStringInfoChar(buf, '}');
}

/*
 * append_instance
 *		The one instance: the single value, or an object of the columns.
 */
static void
append_instance(StringInfo buf, MlTarget *target, Datum *values, bool *nulls)
{
	ListCell   *lc;

	if (target->ninputs == 1)
	{
		append_value(buf, values[0], nulls[0], linitial(target->model->input));
		return;
	}
	appendStringInfoChar(buf, '{');
	foreach(lc, target->model->input)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);

		appendStringInfoString(buf, i ? ", " : "");
		escape_json(buf, (is_bytea(col) && !nulls[i]) ?
					psprintf("%s_bytes", col->name) : col->name);
		appendStringInfoString(buf, ": ");
		append_value(buf, values[i], nulls[i], col);
	}
	appendStringInfoChar(buf, '}');
}

/*
 * encode_instances
 *		Build the body for rows, each instance wrapped under wrapper if not
 *		NULL.
 */
static void
encode_instances(MlTarget *target, const char *wrapper, MlBatchRow *rows,
				 int nrows, StringInfo buf)
{
	appendStringInfoString(buf, "{\"instances\": [");
	for (int r = 0; r < nrows; r++)
	{
		if (r > 0)
			appendStringInfoString(buf, ", ");
		if (wrapper)
		{
			appendStringInfoChar(buf, '{');
			escape_json(buf, wrapper);
			appendStringInfoString(buf, ": ");
		}
		append_instance(buf, target, rows[r].values, rows[r].nulls);
		if (wrapper)
			appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
	if (MlParamsAny(target->params, NULL))
	{
		bool		first = true;

		appendStringInfoString(buf, ", \"parameters\": {");
		MlAppendParams(buf, target->params, NULL, &first);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
}

/*
 * tf_encode
 *		TF-SERVING, or TF-SERVING:wrapper.
 */
static void
tf_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *body)
{
	MlBatchRow	row = {values, nulls, NULL, NULL};

	encode_instances(target, target->input_suffix, &row, 1, &body->data);
}

/*
 * tf_encode_batch
 *		TF-SERVING with one instance per row.
 */
static void
tf_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
				MlRequestBody *body)
{
	encode_instances(target, target->input_suffix, rows, nrows, &body->data);
}

/*
 * pytorch_wrapper
 *		VERTEXAI-PYTORCH puts each instance under "data" (or the suffix).
 */
static const char *
pytorch_wrapper(MlTarget *target)
{
	return target->input_suffix ? target->input_suffix : "data";
}

/*
 * pytorch_encode
 *		VERTEXAI-PYTORCH: the instance under "data" (or the suffix).
 */
static void
pytorch_encode(MlTarget *target, Datum *values, bool *nulls,
			   MlRequestBody *body)
{
	MlBatchRow	row = {values, nulls, NULL, NULL};

	encode_instances(target, pytorch_wrapper(target), &row, 1, &body->data);
}

/*
 * pytorch_encode_batch
 *		VERTEXAI-PYTORCH with one instance per row.
 */
static void
pytorch_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
					 MlRequestBody *body)
{
	encode_instances(target, pytorch_wrapper(target), rows, nrows, &body->data);
}

/*
 * tf_batch_limits
 *		No limit of the API's own on instances or tokens.
 */
static void
tf_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	*max_rows = ML_BATCH_SIZE_MAX;
	*max_tokens = 0;
}

/*
 * missing_predictions
 *		Raise the response's error if it has one, else the error for a
 *		missing value at pointer.
 */
static void
missing_predictions(MlTarget *target, MlResponseBody *response,
					const char *pointer)
{
	Jsonb	   *doc = MlResponseJson(target, response);
	JsonbValue	node;

	MlRaiseRemoteError(target, doc);
	MlJsonRequire(target, doc, pointer, &node);
}

/*
 * decode_predictions
 *		Element 0 of the predictions at pointer (or the value itself when it
 *		is not an array) by the generic rule; a missing value raises the
 *		response's error if it has one.
 */
static void
decode_predictions(MlAnswer *answer, const char *pointer, Datum *values,
				   bool *nulls)
{
	MlTarget   *target = answer->target;
	int			len = MlAnswerLength(answer, pointer);
	Jsonb	   *doc;
	JsonbValue	node;
	JsonbValue	first;

	if (len == ML_ANSWER_MISSING)
		missing_predictions(target, answer->body, pointer);
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" has no predictions",
						target->display_name),
				 errdetail("The array at \"%s\" is empty.", pointer)));
	if (len > 0 &&
		MlAnswerFastColumns(answer, psprintf("%s/0", pointer), values, nulls))
		return;
	doc = MlResponseJson(target, answer->body);
	(void) MlJsonPointer(doc, pointer, &node);
	if (len > 0)
	{
		MlJsonArrayElement(&node, 0, &first);
		node = first;
	}
	MlDecodeOutputColumns(target, &node, values, nulls);
}

/*
 * decode_predictions_batch
 *		Prediction k of the array at pointer for row k, by the generic rule.
 */
static void
decode_predictions_batch(MlAnswer *answer, const char *pointer,
						 MlBatchRow *rows, int nrows)
{
	MlTarget   *target = answer->target;
	JsonbValue	node;
	JsonbValue	elem;

	if (MlAnswerLength(answer, pointer) == ML_ANSWER_MISSING)
		missing_predictions(target, answer->body, pointer);
	MlCheckBatchCount(answer, pointer, nrows);
	for (int r = 0; r < nrows; r++)
	{
		if (MlAnswerFastColumns(answer, psprintf("%s/%d", pointer, r),
								rows[r].out_values, rows[r].out_nulls))
			continue;
		(void) MlJsonPointer(MlResponseJson(target, answer->body), pointer, &node);
		MlJsonArrayElement(&node, r, &elem);
		MlDecodeOutputColumns(target, &elem, rows[r].out_values, rows[r].out_nulls);
	}
}

/*
 * tf_pointer
 *		/predictions, or the explicit output_format's pointer.
 */
static const char *
tf_pointer(MlTarget *target)
{
	if (MlTargetOption(target, "output_format") != NULL)
		return MlOutputPointer(target, "/predictions");
	return "/predictions";
}

/*
 * tf_decode
 *		The prediction for the one instance sent.
 */
static void
tf_decode(MlTarget *target, MlResponseBody *response, Datum *values,
		  bool *nulls)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, response);
	decode_predictions(&answer, tf_pointer(target), values, nulls);
}

/*
 * tf_decode_batch
 *		One prediction per row.
 */
static void
tf_decode_batch(MlTarget *target, MlResponseBody *response, MlBatchRow *rows,
				int nrows)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, response);
	decode_predictions_batch(&answer, tf_pointer(target), rows, nrows);
}

/*
 * array_of_objects_pointer
 *		JSON-ARRAY-OF-OBJECTS: the root when it is an array, else
 *		/predictions; or the suffix's pointer.
 */
static const char *
array_of_objects_pointer(MlAnswer *answer)
{
	const char *pointer = "/predictions";

	if (MlAnswerLength(answer, "") >= 0)
		pointer = "";
	return MlOutputPointer(answer->target, pointer);
}

/*
 * array_of_objects_decode
 *		JSON-ARRAY-OF-OBJECTS: like TF-SERVING, from the root when it is an
 *		array.
 */
static void
array_of_objects_decode(MlTarget *target, MlResponseBody *response,
						Datum *values, bool *nulls)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, response);
	decode_predictions(&answer, array_of_objects_pointer(&answer), values, nulls);
}

/*
 * array_of_objects_decode_batch
 *		One element per row.
 */
static void
array_of_objects_decode_batch(MlTarget *target, MlResponseBody *response,
							  MlBatchRow *rows, int nrows)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, response);
	decode_predictions_batch(&answer, array_of_objects_pointer(&answer), rows,
							 nrows);
}

static const char *const tf_aliases[] = {
	"TENSORFLOW-SERVING", "TF-SERVING-ROW", "KSERVE-V1", NULL
};

const MlFormat MlFormatTFServing = {
	"TF-SERVING", tf_aliases, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	tf_check_schema, tf_encode, tf_decode,
	ML_BATCH_ROWS, tf_batch_limits, tf_encode_batch, tf_decode_batch
};

const MlFormat MlFormatVertexAIPyTorch = {
	"VERTEXAI-PYTORCH", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	"TF-SERVING",
	tf_check_schema, pytorch_encode, NULL,
	ML_BATCH_ROWS, tf_batch_limits, pytorch_encode_batch, NULL
};

const MlFormat MlFormatJsonArrayOfObjects = {
	"JSON-ARRAY-OF-OBJECTS", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	NULL,
	tf_check_schema, NULL, array_of_objects_decode,
	ML_BATCH_ROWS, NULL, NULL, array_of_objects_decode_batch
};
