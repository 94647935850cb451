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
 * IDENTIFICATION
 *	  src/format/tf_serving.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "exec/request.h"
#include "format/format.h"
#include "types/json_datum.h"
#include "types/typemap.h"

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
 *		Build the body, the instance wrapped under wrapper if not NULL.
 */
static void
encode_instances(MlTarget *target, const char *wrapper, Datum *values,
				 bool *nulls, StringInfo buf)
{
	appendStringInfoString(buf, "{\"instances\": [");
	if (wrapper)
	{
		appendStringInfoChar(buf, '{');
		escape_json(buf, wrapper);
		appendStringInfoString(buf, ": ");
	}
	append_instance(buf, target, values, nulls);
	appendStringInfoString(buf, wrapper ? "}]" : "]");
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
	encode_instances(target, target->input_suffix, values, nulls, &body->data);
}

/*
 * pytorch_encode
 *		VERTEXAI-PYTORCH: the instance under "data" (or the suffix).
 */
static void
pytorch_encode(MlTarget *target, Datum *values, bool *nulls,
			   MlRequestBody *body)
{
	encode_instances(target, target->input_suffix ? target->input_suffix : "data",
					 values, nulls, &body->data);
}

/*
 * decode_predictions
 *		Element 0 of the predictions at pointer (or the value itself when it
 *		is not an array) by the generic rule; a missing value raises the
 *		response's error if it has one.
 */
static void
decode_predictions(MlTarget *target, MlResponseBody *response,
				   const char *pointer, Datum *values, bool *nulls)
{
	Jsonb	   *doc = MlResponseJson(target, response);
	JsonbValue	node;
	JsonbValue	first;
	int			len;

	if (!MlJsonPointer(doc, pointer, &node))
	{
		MlRaiseRemoteError(target, doc);
		MlJsonRequire(target, doc, pointer, &node);
	}
	len = MlJsonArrayLength(&node);
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" has no predictions",
						target->display_name),
				 errdetail("The array at \"%s\" is empty.", pointer)));
	if (len > 0)
	{
		MlJsonArrayElement(&node, 0, &first);
		node = first;
	}
	MlDecodeOutputColumns(target, &node, values, nulls);
}

/*
 * tf_decode
 *		/predictions, or the explicit output_format's pointer.
 */
static void
tf_decode(MlTarget *target, MlResponseBody *response, Datum *values,
		  bool *nulls)
{
	const char *pointer = "/predictions";

	if (MlTargetOption(target, "output_format") != NULL)
		pointer = MlOutputPointer(target, pointer);
	decode_predictions(target, response, pointer, values, nulls);
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
	JsonbValue	root;
	const char *pointer = "/predictions";

	(void) MlJsonPointer(MlResponseJson(target, response), "", &root);
	if (MlJsonArrayLength(&root) >= 0)
		pointer = "";
	decode_predictions(target, response, MlOutputPointer(target, pointer),
					   values, nulls);
}

static const char *const tf_aliases[] = {
	"TENSORFLOW-SERVING", "TF-SERVING-ROW", "KSERVE-V1", NULL
};

const MlFormat MlFormatTFServing = {
	"TF-SERVING", tf_aliases, ML_FORMAT_PREDICTIVE, "application/json", NULL,
	tf_check_schema, tf_encode, tf_decode
};

const MlFormat MlFormatVertexAIPyTorch = {
	"VERTEXAI-PYTORCH", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	"TF-SERVING",
	tf_check_schema, pytorch_encode, NULL
};

const MlFormat MlFormatJsonArrayOfObjects = {
	"JSON-ARRAY-OF-OBJECTS", NULL, ML_FORMAT_PREDICTIVE, "application/json",
	NULL,
	tf_check_schema, NULL, array_of_objects_decode
};
