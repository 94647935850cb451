/*-------------------------------------------------------------------------
 *
 * amazon_titan.c
 *	  The AMAZON-TITAN-TEXT and AMAZON-TITAN-EMBED formats: Amazon Titan
 *	  models' native InvokeModel bodies on Bedrock.
 *
 * AMAZON-TITAN-TEXT request: {"inputText": <input>, "textGenerationConfig":
 * {"temperature", "topP", "maxTokenCount", "stopSequences"}, <other
 * params>}.  The config object is written only when a parameter goes into
 * it; params.textGenerationConfig.<member> merges into it too.  Titan has
 * no top_k, so that parameter is left out.  Titan has no system field
 * either: a system prompt comes before the input, separated by a blank
 * line.  Answer: /results/0/outputText.
 *
 * AMAZON-TITAN-EMBED request: {"inputText": <input>, <params>} so that
 * v2's dimensions, normalize and embeddingTypes pass through; the five
 * standard generation parameters mean nothing here and are left out.
 * Answer: /embedding.
 *
 * Option keys are folded to lower case, so textGenerationConfig and
 * embeddingTypes are respelled as Titan spells them.
 *
 * IDENTIFICATION
 *	  src/format/amazon_titan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "wire/target.h"

#define TITAN_CONFIG_KEY "textGenerationConfig"

/* Titan's camelCase names that users may write in lower or snake case */
static const char *const titan_spellings[] = {
	"textGenerationConfig", "maxTokenCount", "stopSequences", "topP",
	"embeddingTypes", NULL
};

/*
 * titan_text_check_schema
 *		One text in, one text out.
 */
static void
titan_text_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "AMAZON-TITAN-TEXT");
}

static const MlStandardNames titan_config_names = {
	.top_p = "topP", .top_k = MlParamSkip, .max_tokens = "maxTokenCount",
	.stop = "stopSequences"
};

/*
 * titan_config_name
 *		Titan's textGenerationConfig names for the standard parameters; all
 *		others stay out of the config object.
 */
static const char *
titan_config_name(const MlParam *param)
{
	return MlStandardParamName(param, &titan_config_names, MlParamSkip);
}

/*
 * titan_top_level_name
 *		Non-standard parameters not aimed at the config object go to the
 *		top level under their own names.
 */
static const char *
titan_top_level_name(const MlParam *param)
{
	if (param->standard || MlParamInObject(param, TITAN_CONFIG_KEY))
		return MlParamSkip;
	return NULL;
}

/*
 * titan_text_encode
 *		Build the Titan text generation body for one input text.
 */
static void
titan_text_encode(MlTarget *target, Datum *values, bool *nulls,
				  MlRequestBody *out)
{
	StringInfo	body = &out->data;
	List	   *params = MlParamsRespelled(target->params, titan_spellings);
	bool		first = false;

	appendStringInfoString(body, "{\"inputText\": ");
	escape_json(body, MlPromptWithSystem(target, values, nulls));
	MlAppendParamObject(body, TITAN_CONFIG_KEY, params, titan_config_name,
						&first);
	MlAppendParams(body, params, titan_top_level_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * titan_text_decode
 *		The first result's output text.
 */
static void
titan_text_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				  bool *nulls)
{
	MlDecodeText(target, body, "/results/0/outputText",
				 "/results/0/completionReason", "completion reason",
				 values, nulls);
}

/*
 * titan_embed_check_schema
 *		One text in, one vector out.
 */
static void
titan_embed_check_schema(List *input, List *output, const char *which)
{
	MlCheckEmbedSchema(input, output, which, "AMAZON-TITAN-EMBED");
}

/*
 * titan_embed_param_name
 *		Parameters pass under their own names; the standard generation
 *		parameters are left out.
 */
static const char *
titan_embed_param_name(const MlParam *param)
{
	return param->standard ? MlParamSkip : NULL;
}

/*
 * titan_embed_encode
 *		Build the Titan embeddings body for one input text.
 */
static void
titan_embed_encode(MlTarget *target, Datum *values, bool *nulls,
				   MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"inputText\": ");
	MlAppendInput(body, target, values, nulls);
	MlAppendParams(body, MlParamsRespelled(target->params, titan_spellings),
				   titan_embed_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * titan_embed_decode
 *		The embedding.
 */
static void
titan_embed_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				   bool *nulls)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, body);
	MlAnswerVector(&answer, MlOutputPointer(target, "/embedding"), true,
				   values, nulls);
}

const MlFormat MlFormatTitanText = {
	"AMAZON-TITAN-TEXT", NULL, ML_FORMAT_LLM, "application/json", NULL,
	titan_text_check_schema, titan_text_encode, titan_text_decode
};

const MlFormat MlFormatTitanEmbed = {
	"AMAZON-TITAN-EMBED", NULL, ML_FORMAT_EMBEDDING, "application/json", NULL,
	titan_embed_check_schema, titan_embed_encode, titan_embed_decode
};
