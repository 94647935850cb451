/*-------------------------------------------------------------------------
 *
 * ai21.c
 *	  The AI-21-COMPLETE format (also written AI21-COMPLETE): AI21 Labs'
 *	  Jurassic-2 completions, as served on Bedrock.
 *
 * Request: {"prompt": <input>, "temperature", "topP", "maxTokens",
 * "stopSequences", <other params such as countPenalty.scale>}.  Jurassic
 * has no top_k, so that parameter is left out, and no system field: a
 * system prompt comes before the input, separated by a blank line.
 * Answer: /completions/0/data/text.
 *
 * Option keys are folded to lower case, so the camelCase names of AI21's
 * penalties (countPenalty.applyToWhitespaces, ...) are respelled.
 *
 * IDENTIFICATION
 *	  src/format/ai21.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "wire/target.h"

/* AI21's camelCase names that users may write in lower or snake case */
static const char *const ai21_spellings[] = {
	"countPenalty", "presencePenalty", "frequencyPenalty", "scale",
	"applyToWhitespaces", "applyToPunctuations", "applyToNumbers",
	"applyToStopwords", "applyToEmojis", "numResults", "minTokens", NULL
};

/*
 * ai21_check_schema
 *		One text in, one text out.
 */
static void
ai21_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "AI-21-COMPLETE");
}

static const MlStandardNames ai21_names = {
	.top_p = "topP", .top_k = MlParamSkip, .max_tokens = "maxTokens",
	.stop = "stopSequences"
};

/*
 * ai21_param_name
 *		AI21's names for the standard parameters; others pass under their
 *		own (nested) names.
 */
static const char *
ai21_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &ai21_names, NULL);
}

/*
 * ai21_encode
 *		Build the completion body for one input text.
 */
static void
ai21_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"prompt\": ");
	escape_json(body, MlPromptWithSystem(target, values, nulls));
	MlAppendParams(body, MlParamsRespelled(target->params, ai21_spellings),
				   ai21_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * ai21_decode
 *		The first completion's text.
 */
static void
ai21_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlDecodeText(target, body, "/completions/0/data/text",
				 "/completions/0/finishReason/reason", "finish reason",
				 values, nulls);
}

const MlFormat MlFormatAI21Complete = {
	"AI-21-COMPLETE", NULL, ML_FORMAT_LLM, "application/json", NULL,
	ai21_check_schema, ai21_encode, ai21_decode
};
