/*-------------------------------------------------------------------------
 *
 * azure_chat.c
 *	  The AZURE-CHAT format: chat models from the Azure Machine Learning
 *	  model catalog deployed on managed online endpoints (the scoring
 *	  containers' own body, not the OpenAI-shaped one).
 *
 * Request: {"input_data": {"input_string": [{"role": "system", "content":
 * <system prompt>}, {"role": "user", "content": <input>}], "parameters":
 * {"temperature", "top_p", "top_k", "max_new_tokens", <other params such
 * as do_sample>}}}.  The system message is written only with a system
 * prompt, and "parameters" only when it has members; every parameter goes
 * there (params.parameters.<member> as well).  The containers' generation
 * arguments have no stop sequences, so stop is left out.  Answer: /output.
 *
 * IDENTIFICATION
 *	  src/format/azure_chat.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "wire/target.h"

#define AZURE_PARAMETERS_KEY "parameters"

/*
 * azure_check_schema
 *		One text in, one text out.
 */
static void
azure_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "AZURE-CHAT");
}

static const MlStandardNames azure_names = {
	.max_tokens = "max_new_tokens", .stop = MlParamSkip
};

/*
 * azure_param_name
 *		The containers' names for the standard parameters; others pass
 *		under their own (nested) names.
 */
static const char *
azure_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &azure_names, NULL);
}

/*
 * azure_encode
 *		Build the scoring body for one input text.
 */
static void
azure_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"input_data\": {\"input_string\": [");
	if (MlSystemPrompt(target))
	{
		appendStringInfoString(body, "{\"role\": \"system\", \"content\": ");
		escape_json(body, MlSystemPrompt(target));
		appendStringInfoString(body, "}, ");
	}
	appendStringInfoString(body, "{\"role\": \"user\", \"content\": ");
	MlAppendInput(body, target, values, nulls);
	appendStringInfoString(body, "}]");
	MlAppendParamObject(body, AZURE_PARAMETERS_KEY, target->params,
						azure_param_name, &first);
	appendStringInfoString(body, "}}");
}

/*
 * azure_decode
 *		The output text.
 */
static void
azure_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlDecodeText(target, body, "/output", NULL, NULL, values, nulls);
}

const MlFormat MlFormatAzureChat = {
	"AZURE-CHAT", NULL, ML_FORMAT_LLM, "application/json", NULL,
	azure_check_schema, azure_encode, azure_decode
};
