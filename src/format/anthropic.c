/*-------------------------------------------------------------------------
 *
 * anthropic.c
 *	  The ANTHROPIC-MESSAGES and ANTHROPIC-COMPLETIONS formats: Claude's
 *	  Messages API and its legacy text completions, wherever Claude is
 *	  served (Anthropic's API, Bedrock, Vertex AI).
 *
 * ANTHROPIC-MESSAGES request: {<identity>, "system": <system prompt>,
 * "messages": [{"role": "user", "content": [{"type": "text", "text":
 * <input>}]}], "max_tokens", "temperature", "top_p", "top_k",
 * "stop_sequences", <other params such as thinking.budget_tokens>}.
 * Anthropic requires max_tokens: without the parameter, 1024 is sent.
 * The identity depends on the provider:
 *	bedrock		"anthropic_version": model_version, else
 *				params.anthropic_version, else "bedrock-2023-05-31"; no model
 *				(the URL names it)
 *	vertexai	the same with "vertex-2023-10-16"
 *	anthropic	"model": model_version, else params.model (one is required);
 *				the API version travels in a header, not in the body
 *	others		"model" and "anthropic_version" only when set
 * Answer: the text of every content block of type "text", concatenated in
 * order (thinking, redacted_thinking and tool_use blocks are skipped); a
 * format suffix names a single value instead.
 *
 * Structured outputs (several OUTPUT columns, or a non-STRING one, see
 * structured.c) use tool use: "tools": [{"name": "structured_output",
 * "description": ..., "input_schema": <the OUTPUT columns' schema>}] and
 * "tool_choice": {"type": "tool", "name": "structured_output"} force one
 * call of that tool, and the answer is the input of its tool_use block.
 * User-set tools or tool_choice parameters conflict with this (an error).
 * An answer stopped at the token limit (stop_reason max_tokens), or
 * without the tool_use block (a refusal), is a row failure.  A forced
 * tool call cannot be combined with extended thinking (Anthropic refuses).
 *
 * ANTHROPIC-COMPLETIONS request: {<identity without a default version>,
 * "prompt": "<system prompt>\n\nHuman: <input>\n\nAssistant:",
 * "max_tokens_to_sample" (default 1024), "temperature", "top_p", "top_k",
 * "stop_sequences"}.  Answer: /completion.
 *
 * IDENTIFICATION
 *	  src/format/anthropic.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "wire/target.h"

#define ANTHROPIC_DEFAULT_MAX_TOKENS "1024"
#define ANTHROPIC_BEDROCK_VERSION "bedrock-2023-05-31"
#define ANTHROPIC_VERTEX_VERSION "vertex-2023-10-16"

#define ANTHROPIC_TOOL_NAME "structured_output"
#define ANTHROPIC_TOOL_DESCRIPTION "Record the answer: one field per output column, each holding the value asked for (null when there is none)."

/*
 * messages_check_schema
 *		One text in; one text out, or structured outputs.
 */
static void
messages_check_schema(List *input, List *output, const char *which)
{
	MlCheckChatSchema(input, output, which, "ANTHROPIC-MESSAGES");
}

/*
 * append_tool
 *		Structured outputs: the one tool whose input is the OUTPUT columns,
 *		and the tool_choice forcing it.  Parameters that set tools or
 *		tool_choice themselves are an error.
 */
static void
append_tool(StringInfo body, MlTarget *target, List *params)
{
	ListCell   *lc;

	foreach(lc, params)
		if (MlParamInObject(lfirst(lc), "tools") ||
			MlParamInObject(lfirst(lc), "tool_choice"))
			MlStructuredParamConflict(target, lfirst(lc));
	appendStringInfoString(body, ", \"tools\": [{\"name\": \"" ANTHROPIC_TOOL_NAME
						   "\", \"description\": \"" ANTHROPIC_TOOL_DESCRIPTION
						   "\", \"input_schema\": ");
	MlAppendStructuredSchema(body, target, ML_JS_STRICT);
	appendStringInfoString(body, "}], \"tool_choice\": {\"type\": \"tool\", "
						   "\"name\": \"" ANTHROPIC_TOOL_NAME "\"}");
}

/*
 * completions_check_schema
 *		One text in, one text out.
 */
static void
completions_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "ANTHROPIC-COMPLETIONS");
}

/*
 * append_string_field
 *		Append "key": value, taking the value from the option value, else
 *		from param, else dflt; nothing when all are missing.
 */
static void
append_string_field(StringInfo body, const char *key, const char *value,
					const MlParam *param, const char *dflt, bool *first)
{
	if (value == NULL && param == NULL && dflt == NULL)
		return;
	appendStringInfoString(body, *first ? "" : ", ");
	*first = false;
	escape_json(body, key);
	appendStringInfoString(body, ": ");
	if (value)
		escape_json(body, value);
	else if (param)
		MlAppendParamValue(body, param);
	else
		escape_json(body, dflt);
}

/*
 * append_identity
 *		Append the fields that say which Claude and which API version, as
 *		the provider wants them (see the file header).  default_version
 *		asks for Bedrock's and Vertex's default anthropic_version.
 */
static void
append_identity(StringInfo body, MlTarget *target, bool default_version,
				bool *first)
{
	const char *provider = target->provider->name;
	const MlParam *model = MlParamNamed(target->params, "model");
	const MlParam *version = MlParamNamed(target->params, "anthropic_version");

	if (strcmp(provider, "bedrock") == 0 || strcmp(provider, "vertexai") == 0)
	{
		const char *dflt = strcmp(provider, "bedrock") == 0 ?
			ANTHROPIC_BEDROCK_VERSION : ANTHROPIC_VERTEX_VERSION;

		append_string_field(body, "anthropic_version", target->model_version,
							version, default_version ? dflt : NULL, first);
		return;
	}
	if (strcmp(provider, "anthropic") == 0 &&
		target->model_version == NULL && model == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" does not say which Claude model to call",
						target->display_name),
				 errdetail("The Anthropic API needs a model name in every request."),
				 errhint("Set 'anthropic.model_version' (or 'anthropic.params.model'), for example to 'claude-sonnet-4-20250514'.")));
	append_string_field(body, "model", target->model_version, model, NULL, first);
	if (strcmp(provider, "anthropic") != 0)
		append_string_field(body, "anthropic_version", NULL, version, NULL, first);
}

/*
 * other_params
 *		The parameters left once the identity fields are taken out.
 */
static List *
other_params(MlTarget *target)
{
	return MlParamsWithout(MlParamsWithout(target->params, "model"),
						   "anthropic_version");
}

/*
 * has_max_tokens
 *		Did the user set max_tokens (under any of its aliases)?
 */
static bool
has_max_tokens(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		const MlParam *param = lfirst(lc);

		if (param->standard && strcmp(param->standard, "max_tokens") == 0)
			return true;
	}
	return false;
}

static const MlStandardNames messages_names = {.stop = "stop_sequences"};

/*
 * messages_param_name
 *		The Messages API's names for the standard parameters; others pass
 *		under their own (nested) names.
 */
static const char *
messages_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &messages_names, NULL);
}

/*
 * messages_encode
 *		Build the Messages API body for one input text.
 */
static void
messages_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	List	   *params = other_params(target);
	bool		first = true;

	appendStringInfoChar(body, '{');
	append_identity(body, target, true, &first);
	append_string_field(body, "system", MlSystemPrompt(target), NULL, NULL, &first);
	appendStringInfoString(body, first ? "" : ", ");
	appendStringInfoString(body, "\"messages\": [{\"role\": \"user\", \"content\": "
						   "[{\"type\": \"text\", \"text\": ");
	MlAppendInput(body, target, values, nulls);
	appendStringInfoString(body, "}]}]");
	first = false;
	if (!has_max_tokens(params))
		appendStringInfoString(body, ", \"max_tokens\": " ANTHROPIC_DEFAULT_MAX_TOKENS);
	if (MlStructured(target))
		append_tool(body, target, params);
	MlAppendParams(body, params, messages_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * append_block_text
 *		If block is a content block of type "text", append its text.
 */
static bool
append_block_text(StringInfo text, const JsonbValue *block)
{
	JsonbValue	type;
	JsonbValue	value;

	if (!MlJsonPointerValue(block, "/type", &type) ||
		!MlJsonStringIs(&type, "text") ||
		!MlJsonPointerValue(block, "/text", &value) ||
		value.type != jbvString)
		return false;
	appendBinaryStringInfo(text, value.val.string.val, value.val.string.len);
	return true;
}

/*
 * stop_reason_is
 *		Is the answer's stop_reason the string reason?
 */
static bool
stop_reason_is(Jsonb *response, const char *reason)
{
	JsonbValue	v;

	return MlJsonPointer(response, "/stop_reason", &v) &&
		MlJsonStringIs(&v, reason);
}

/*
 * structured_decode
 *		Structured outputs: the input of the structured_output tool_use
 *		block.
 */
static void
structured_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				  bool *nulls)
{
	Jsonb	   *response = MlResponseJson(target, body);
	JsonbValue	block;
	JsonbValue	v;
	int			i;

	if (target->output_suffix && target->output_suffix[0])
	{
		MlStructuredAtPointer(target, response, MlOutputPointer(target, NULL),
							  NULL, values, nulls);
		return;
	}
	if (stop_reason_is(response, "max_tokens"))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("structured answer of model \"%s\" was cut short",
						target->display_name),
				 errdetail("The stop reason was \"max_tokens\"."),
				 errhint("Allow more output tokens (the model option <provider>.params.max_tokens).")));
	for (i = 0; MlJsonPointer(response, psprintf("/content/%d", i), &block); i++)
	{
		if (MlJsonPointerValue(&block, "/type", &v) &&
			MlJsonStringIs(&v, "tool_use") &&
			MlJsonPointerValue(&block, "/name", &v) &&
			MlJsonStringIs(&v, ANTHROPIC_TOOL_NAME) &&
			MlJsonPointerValue(&block, "/input", &v))
		{
			MlStructuredFromValue(target, &v, values, nulls);
			return;
		}
	}
	if (!MlJsonPointer(response, "/content", &v))
		MlJsonRequire(target, response, "/content", &v);
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("model \"%s\" returned no structured answer",
					target->display_name),
			 errdetail("The answer has no tool_use block of tool \"%s\"; its stop reason was %s.",
					   ANTHROPIC_TOOL_NAME,
					   MlJsonPointer(response, "/stop_reason", &v) ?
					   MlResponseExcerpt(target, &v) : "missing")));
}

/*
 * messages_decode
 *		The concatenated text blocks of the answer, or the value a format
 *		suffix points at.  No text block at all is an error naming the
 *		stop reason (tool_use, max_tokens spent on thinking, refusal).
 */
static void
messages_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				bool *nulls)
{
	Jsonb	   *response;
	JsonbValue	content;
	JsonbValue	block;
	StringInfoData text;
	bool		found = false;
	int			i;

	if (MlStructured(target))
	{
		structured_decode(target, body, values, nulls);
		return;
	}
	if (target->output_suffix && target->output_suffix[0])
	{
		MlDecodeText(target, body, NULL, "/stop_reason", "stop reason",
					 values, nulls);
		return;
	}
	response = MlResponseJson(target, body);
	if (!MlJsonPointer(response, "/content", &content))
	{
		/* raises the usual "no value at" error, showing the response */
		MlDecodeAtPointer(target, response, "/content", values, nulls);
		return;
	}
	initStringInfo(&text);
	for (i = 0; MlJsonPointerValue(&content, psprintf("/%d", i), &block); i++)
		found |= append_block_text(&text, &block);
	if (!found)
		MlReportNoText(target, response, "/stop_reason", "stop reason");
	MlSetTextOutput(target, &text, values, nulls);
}

static const MlStandardNames completions_names = {
	.max_tokens = "max_tokens_to_sample", .stop = "stop_sequences"
};

/*
 * completions_param_name
 *		The legacy completions API's names for the standard parameters.
 */
static const char *
completions_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &completions_names, NULL);
}

/*
 * completions_prompt
 *		Anthropic's legacy prompt: the system prompt (if any) before the
 *		first Human turn, then the input, then an open Assistant turn.
 */
static char *
completions_prompt(MlTarget *target, Datum *values, bool *nulls)
{
	return psprintf("%s\n\nHuman: %s\n\nAssistant:",
					MlSystemPrompt(target) ? MlSystemPrompt(target) : "",
					MlInputText(target, values, nulls));
}

/*
 * completions_encode
 *		Build the legacy text completions body for one input text.
 */
static void
completions_encode(MlTarget *target, Datum *values, bool *nulls,
				   MlRequestBody *out)
{
	StringInfo	body = &out->data;
	List	   *params = other_params(target);
	bool		first = true;

	appendStringInfoChar(body, '{');
	append_identity(body, target, false, &first);
	appendStringInfoString(body, first ? "\"prompt\": " : ", \"prompt\": ");
	escape_json(body, completions_prompt(target, values, nulls));
	first = false;
	if (!has_max_tokens(params))
		appendStringInfoString(body, ", \"max_tokens_to_sample\": "
							   ANTHROPIC_DEFAULT_MAX_TOKENS);
	MlAppendParams(body, params, completions_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * completions_decode
 *		The completion text.
 */
static void
completions_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				   bool *nulls)
{
	MlDecodeText(target, body, "/completion", "/stop_reason", "stop reason",
				 values, nulls);
}

const MlFormat MlFormatAnthropicMessages = {
	"ANTHROPIC-MESSAGES", NULL, ML_FORMAT_LLM, "application/json", NULL,
	messages_check_schema, messages_encode, messages_decode
};

const MlFormat MlFormatAnthropicCompletions = {
	"ANTHROPIC-COMPLETIONS", NULL, ML_FORMAT_LLM, "application/json", NULL,
	completions_check_schema, completions_encode, completions_decode
};
