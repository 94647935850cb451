/*-------------------------------------------------------------------------
 *
 * vertex_embed.c
 *	  The VERTEX-EMBED format: Vertex AI's text embedding models
 *	  (text-embedding-005, gemini-embedding-001, ...) through :predict.
 *
 * Request: {"instances": [{"content": <input>, "task_type": ..., "title":
 * ...}], "parameters": {<other params such as autoTruncate,
 * outputDimensionality>}}.  params.task_type (or taskType) and
 * params.title go into the instance; every other parameter, and
 * params.parameters.<member>, into "parameters", which is written only
 * when it has members.  The standard generation parameters are left out.
 * The model is named by the URL, so model_version is not sent.  Answer:
 * /predictions/0/embeddings/values.
 *
 * Batches: one instance per row (at most 250 and about 20,000 input tokens
 * per request, Vertex's limits for the text-embedding models), prediction
 * k for row k.  gemini-embedding models take one instance per request.
 *
 * Option keys are folded to lower case, so autoTruncate and
 * outputDimensionality are respelled as Vertex spells them.
 *
 * IDENTIFICATION
 *	  src/format/vertex_embed.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "wire/target.h"

#define VERTEX_PARAMETERS_KEY "parameters"
#define VERTEX_EMBED_MAX_INSTANCES 250
#define VERTEX_EMBED_MAX_TOKENS 20000

/* Vertex's camelCase names that users may write in lower or snake case */
static const char *const vertex_spellings[] = {
	"autoTruncate", "outputDimensionality", NULL
};

/*
 * vertex_check_schema
 *		One text in, one vector out.
 */
static void
vertex_check_schema(List *input, List *output, const char *which)
{
	MlCheckEmbedSchema(input, output, which, "VERTEX-EMBED");
}

/*
 * is_instance_param
 *		Does the parameter belong to the instance (task_type, title)?
 */
static bool
is_instance_param(const MlParam *param)
{
	return MlParamNameIs(param, "task_type") || MlParamNameIs(param, "title");
}

/*
 * instance_param_name
 *		task_type and title, spelled as Vertex wants them; all others stay
 *		out of the instance.
 */
static const char *
instance_param_name(const MlParam *param)
{
	if (MlParamNameIs(param, "task_type"))
		return "task_type";
	if (MlParamNameIs(param, "title"))
		return "title";
	return MlParamSkip;
}

/*
 * parameters_param_name
 *		Every parameter not in the instance goes to "parameters" under its
 *		own (nested) name; the standard generation parameters are left out.
 */
static const char *
parameters_param_name(const MlParam *param)
{
	if (param->standard || is_instance_param(param))
		return MlParamSkip;
	return NULL;
}

/*
 * append_instance
 *		{"content": <input>, "task_type", "title"} for one row.
 */
static void
append_instance(StringInfo body, MlTarget *target, List *params,
				Datum *values, bool *nulls)
{
	bool		first = false;

	appendStringInfoString(body, "{\"content\": ");
	MlAppendInput(body, target, values, nulls);
	MlAppendParams(body, params, instance_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * append_parameters
 *		Close "instances", add "parameters" when it has members, close.
 */
static void
append_parameters(StringInfo body, List *params)
{
	bool		first = false;

	appendStringInfoChar(body, ']');
	MlAppendParamObject(body, VERTEX_PARAMETERS_KEY, params,
						parameters_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * vertex_encode
 *		Build the :predict body for one input text.
 */
static void
vertex_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	List	   *params = MlParamsRespelled(target->params, vertex_spellings);

	appendStringInfoString(&out->data, "{\"instances\": [");
	append_instance(&out->data, target, params, values, nulls);
	append_parameters(&out->data, params);
}

/*
 * vertex_encode_batch
 *		The :predict body with one instance per row.
 */
static void
vertex_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
					MlRequestBody *out)
{
	List	   *params = MlParamsRespelled(target->params, vertex_spellings);

	appendStringInfoString(&out->data, "{\"instances\": [");
	for (int r = 0; r < nrows; r++)
	{
		if (r > 0)
			appendStringInfoString(&out->data, ", ");
		append_instance(&out->data, target, params, rows[r].values, rows[r].nulls);
	}
	append_parameters(&out->data, params);
}

/*
 * vertex_batch_limits
 *		Vertex's instances and tokens per request; one instance for the
 *		gemini-embedding models, which the endpoint names.
 */
static void
vertex_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	bool		gemini = strstr(target->connection->endpoint, "gemini-embedding") != NULL;

	*max_rows = gemini ? 1 : VERTEX_EMBED_MAX_INSTANCES;
	*max_tokens = VERTEX_EMBED_MAX_TOKENS;
}

/*
 * vertex_decode
 *		The first prediction's embedding values.
 */
static void
vertex_decode(MlTarget *target, MlResponseBody *body, Datum *values,
			  bool *nulls)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, body);
	MlAnswerVector(&answer,
				   MlOutputPointer(target, "/predictions/0/embeddings/values"),
				   true, values, nulls);
}

/*
 * vertex_decode_batch
 *		Prediction k's embedding values for row k.
 */
static void
vertex_decode_batch(MlTarget *target, MlResponseBody *body, MlBatchRow *rows,
					int nrows)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, body);
	MlCheckBatchCount(&answer, "/predictions", nrows);
	for (int r = 0; r < nrows; r++)
		MlAnswerVector(&answer,
					   psprintf("/predictions/%d/embeddings/values", r),
					   true, rows[r].out_values, rows[r].out_nulls);
}

const MlFormat MlFormatVertexEmbed = {
	"VERTEX-EMBED", NULL, ML_FORMAT_EMBEDDING, "application/json", NULL,
	vertex_check_schema, vertex_encode, vertex_decode,
	ML_BATCH_OWN, vertex_batch_limits, vertex_encode_batch, vertex_decode_batch
};
