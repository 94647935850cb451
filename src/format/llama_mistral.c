/*-------------------------------------------------------------------------
 *
 * llama_mistral.c
 *	  The BEDROCK-LLAMA and MISTRAL-COMPLETIONS formats: the native
 *	  text-completion bodies of Meta Llama and Mistral models on Bedrock.
 *
 * BEDROCK-LLAMA request: {"prompt": <input>, "temperature", "top_p",
 * "max_gen_len", <other params>}.  Bedrock's Llama takes neither top_k nor
 * stop sequences, so those parameters are left out.  The prompt is sent as
 * given (Llama 3's chat template, if wanted, is the caller's); a system
 * prompt comes before the input, separated by a blank line.  Answer:
 * /generation.
 *
 * MISTRAL-COMPLETIONS request: {"prompt": "<s>[INST] <input> [/INST]",
 * "temperature", "top_p", "top_k", "max_tokens", "stop", <other params>},
 * the instruction wrapping Bedrock documents for Mistral.  A system prompt
 * goes inside the instruction before the input, separated by a blank
 * line, as Mistral's chat template places it.  Answer: /outputs/0/text.
 * (MISTRAL-CHAT, Mistral's own API, is an alias of OPENAI-CHAT.)
 *
 * IDENTIFICATION
 *	  src/format/llama_mistral.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "wire/target.h"

/*
 * llama_check_schema
 *		One text in, one text out.
 */
static void
llama_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "BEDROCK-LLAMA");
}

static const MlStandardNames llama_names = {
	.top_k = MlParamSkip, .max_tokens = "max_gen_len", .stop = MlParamSkip
};

/*
 * llama_param_name
 *		Llama's names for the standard parameters it takes; others pass
 *		under their own (nested) names.
 */
static const char *
llama_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &llama_names, NULL);
}

/*
 * llama_encode
 *		Build the Llama body for one input text.
 */
static void
llama_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"prompt\": ");
	escape_json(body, MlPromptWithSystem(target, values, nulls));
	MlAppendParams(body, target->params, llama_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * llama_decode
 *		The generation.
 */
static void
llama_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlDecodeText(target, body, "/generation", "/stop_reason", "stop reason",
				 values, nulls);
}

/*
 * mistral_check_schema
 *		One text in, one text out.
 */
static void
mistral_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "MISTRAL-COMPLETIONS");
}

/*
 * mistral_param_name
 *		Mistral on Bedrock uses the standard names; others pass under their
 *		own (nested) names.
 */
static const char *
mistral_param_name(const MlParam *param)
{
	return param->standard;
}

/*
 * mistral_prompt
 *		The input wrapped as one instruction, the system prompt first.
 */
static char *
mistral_prompt(MlTarget *target, Datum *values, bool *nulls)
{
	return psprintf("<s>[INST] %s [/INST]",
					MlPromptWithSystem(target, values, nulls));
}

/*
 * mistral_encode
 *		Build the Mistral completion body for one input text.
 */
static void
mistral_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"prompt\": ");
	escape_json(body, mistral_prompt(target, values, nulls));
	MlAppendParams(body, target->params, mistral_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * mistral_decode
 *		The first output's text.
 */
static void
mistral_decode(MlTarget *target, MlResponseBody *body, Datum *values,
			   bool *nulls)
{
	MlDecodeText(target, body, "/outputs/0/text", "/outputs/0/stop_reason",
				 "stop reason", values, nulls);
}

const MlFormat MlFormatBedrockLlama = {
	"BEDROCK-LLAMA", NULL, ML_FORMAT_LLM, "application/json", NULL,
	llama_check_schema, llama_encode, llama_decode
};

const MlFormat MlFormatMistralCompletions = {
	"MISTRAL-COMPLETIONS", NULL, ML_FORMAT_LLM, "application/json", NULL,
	mistral_check_schema, mistral_encode, mistral_decode
};
