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

#include "exec/request.h"
#include "format/format.h"
#include "format/llm_common.h"

#define VERTEX_PARAMETERS_KEY "parameters"

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
 * vertex_encode
 *		Build the :predict body for one input text.
 */
static void
vertex_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	List	   *params = MlParamsRespelled(target->params, vertex_spellings);
	bool		first = false;

	appendStringInfoString(body, "{\"instances\": [{\"content\": ");
	MlAppendInput(body, target, values, nulls);
	MlAppendParams(body, params, instance_param_name, &first);
	appendStringInfoString(body, "}]");
	MlAppendParamObject(body, VERTEX_PARAMETERS_KEY, params,
						parameters_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * vertex_decode
 *		The first prediction's embedding values.
 */
static void
vertex_decode(MlTarget *target, MlResponseBody *body, Datum *values,
			  bool *nulls)
{
	MlDecodeVector(target, MlResponseJson(target, body),
				   MlOutputPointer(target, "/predictions/0/embeddings/values"),
				   values, nulls);
}

const MlFormat MlFormatVertexEmbed = {
	"VERTEX-EMBED", NULL, ML_FORMAT_EMBEDDING, "application/json", NULL,
	vertex_check_schema, vertex_encode, vertex_decode
};
