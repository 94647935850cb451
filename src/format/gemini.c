/*-------------------------------------------------------------------------
 *
 * gemini.c
 *	  The GEMINI-GENERATE (alias GEMINI-CHAT) and GEMINI-EMBED formats:
 *	  Gemini's generateContent and embedContent bodies (Google AI, and
 *	  Gemini on Vertex AI).
 *
 * GEMINI-GENERATE request: {"contents": [{"role": "user", "parts":
 * [{"text": <input>}]}], "systemInstruction": {"parts": [{"text":
 * <system prompt>}]}, "generationConfig": {"temperature", "topP", "topK",
 * "maxOutputTokens", "stopSequences", <params.generationConfig.*>},
 * <other params such as safetySettings>}.  generationConfig is written
 * only when it has members; the standard parameters and the user's
 * params.generationConfig.<member> ones merge into that one object (a
 * member set both ways is an error).  Answer: the text of every part of
 * the first candidate, concatenated, skipping thought parts; a format
 * suffix names a single value instead.  A blocked prompt (no candidates)
 * or a candidate without text is an error giving Google's reason.
 *
 * Structured outputs (several OUTPUT columns, or a non-STRING one, see
 * structured.c) add "responseMimeType": "application/json" and
 * "responseSchema": <the OUTPUT columns' schema in Gemini's OpenAPI
 * subset> to generationConfig, and read the answer text as that JSON
 * object.  A responseMimeType, responseSchema or responseJsonSchema the
 * user sets under params.generationConfig is sent instead of both, and
 * the answer still decoded into the columns.  An answer cut at the token
 * limit (finishReason MAX_TOKENS) is a row failure.
 *
 * GEMINI-EMBED request (embedContent): {"model": "models/<model_version>"
 * (only when model_version is set), "content": {"parts": [{"text":
 * <input>}]}, <params such as taskType, title, outputDimensionality>}; the
 * standard generation parameters are left out.  Answer: /embedding/values,
 * or /embeddings/0/values for a batchEmbedContents-shaped answer.
 * Several rows go to the model's batchEmbedContents method (at most 100
 * requests, Google's limit; the provider must be able to address it):
 * {"requests": [<the embedContent body of each row, "model" always set>]},
 * answered {"embeddings": [{"values": [...]}, ...]} in request order.
 *
 * Option keys are folded to lower case, so parameter names Gemini spells
 * in camelCase (responseMimeType, thinkingConfig.thinkingBudget, taskType,
 * ...) are respelled from a list; other names pass as written, and
 * Gemini also accepts them in snake_case (response_json_schema).
 *
 * IDENTIFICATION
 *	  src/format/gemini.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "util.h"
#include "wire/target.h"

#define GEMINI_CONFIG_KEY "generationConfig"
#define GEMINI_BATCH_METHOD "batchEmbedContents"
#define GEMINI_BATCH_MAX_REQUESTS 100

/* Gemini's camelCase names that users may write in lower or snake case */
static const char *const generate_spellings[] = {
	"generationConfig", "responseMimeType", "responseSchema",
	"responseJsonSchema", "candidateCount", "presencePenalty",
	"frequencyPenalty", "responseLogprobs", "thinkingConfig",
	"thinkingBudget", "includeThoughts", "thinkingLevel",
	"responseModalities", "mediaResolution", "speechConfig",
	"safetySettings", "toolConfig", "functionCallingConfig",
	"allowedFunctionNames", "cachedContent", NULL
};

static const char *const embed_spellings[] = {
	"taskType", "title", "outputDimensionality", NULL
};

/*
 * generate_check_schema
 *		One text in; one text out, or structured outputs.
 */
static void
generate_check_schema(List *input, List *output, const char *which)
{
	MlCheckChatSchema(input, output, which, "GEMINI-GENERATE");
}

/*
 * user_response_config
 *		Did the user set generationConfig.responseMimeType, responseSchema
 *		or responseJsonSchema (params already respelled)?
 */
static bool
user_response_config(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		MlParam    *param = lfirst(lc);
		const char *member;

		if (!MlParamInObject(param, GEMINI_CONFIG_KEY) ||
			list_length(param->path) < 2)
			continue;
		member = lsecond(param->path);
		if (strcmp(member, "responseMimeType") == 0 ||
			strcmp(member, "responseSchema") == 0 ||
			strcmp(member, "responseJsonSchema") == 0)
			return true;
	}
	return false;
}

/*
 * append_response_schema
 *		Structured outputs: responseMimeType and responseSchema, added to
 *		the generationConfig object just written (written says whether
 *		there was one; body then ends with its '}') or in a new one.
 */
static void
append_response_schema(StringInfo body, MlTarget *target, bool written)
{
	if (written)
	{
		Assert(body->len > 0 && body->data[body->len - 1] == '}');
		body->data[--body->len] = '\0';
		appendStringInfoString(body, ", ");
	}
	else
		appendStringInfoString(body, ", \"" GEMINI_CONFIG_KEY "\": {");
	appendStringInfoString(body, "\"responseMimeType\": \"application/json\", "
						   "\"responseSchema\": ");
	MlAppendStructuredSchema(body, target, ML_JS_OPENAPI);
	appendStringInfoChar(body, '}');
}

static const MlStandardNames config_names = {
	.top_p = "topP", .top_k = "topK", .max_tokens = "maxOutputTokens",
	.stop = "stopSequences"
};

/*
 * config_param_name
 *		Gemini's generationConfig names for the standard parameters; all
 *		others stay out of the config object (unless written under it).
 */
static const char *
config_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &config_names, MlParamSkip);
}

/*
 * top_level_param_name
 *		Parameters not aimed at generationConfig go where their dotted names
 *		put them.
 */
static const char *
top_level_param_name(const MlParam *param)
{
	if (param->standard || MlParamInObject(param, GEMINI_CONFIG_KEY))
		return MlParamSkip;
	return NULL;
}

/*
 * append_parts_open
 *		Append the opening of {"parts": [{"text": ...}]}; the caller writes
 *		the text and closes with "}]}".
 */
static void
append_parts_open(StringInfo body)
{
	appendStringInfoString(body, "{\"parts\": [{\"text\": ");
}

/*
 * generate_encode
 *		Build the generateContent body for one input text.
 */
static void
generate_encode(MlTarget *target, Datum *values, bool *nulls,
				MlRequestBody *out)
{
	StringInfo	body = &out->data;
	List	   *params = MlParamsRespelled(target->params, generate_spellings);
	bool		first = false;
	bool		written;

	appendStringInfoString(body, "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": ");
	MlAppendInput(body, target, values, nulls);
	appendStringInfoString(body, "}]}]");
	if (MlSystemPrompt(target))
	{
		appendStringInfoString(body, ", \"systemInstruction\": ");
		append_parts_open(body);
		escape_json(body, MlSystemPrompt(target));
		appendStringInfoString(body, "}]}");
	}
	written = MlAppendParamObject(body, GEMINI_CONFIG_KEY, params,
								  config_param_name, &first);
	if (MlStructured(target) && !user_response_config(params))
		append_response_schema(body, target, written);
	MlAppendParams(body, params, top_level_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * append_part_text
 *		If part carries text and is not a thought, append the text.
 */
static bool
append_part_text(StringInfo text, const JsonbValue *part)
{
	JsonbValue	value;
	JsonbValue	thought;

	if (!MlJsonPointerValue(part, "/text", &value) || value.type != jbvString)
		return false;
	if (MlJsonPointerValue(part, "/thought", &thought) &&
		thought.type == jbvBool && thought.val.boolean)
		return false;
	appendBinaryStringInfo(text, value.val.string.val, value.val.string.len);
	return true;
}

/*
 * cut_reason
 *		"MAX_TOKENS" when the first candidate stopped at the token limit.
 */
static const char *
cut_reason(Jsonb *response)
{
	JsonbValue	reason;

	if (MlJsonPointer(response, "/candidates/0/finishReason", &reason) &&
		MlJsonStringIs(&reason, "MAX_TOKENS"))
		return "MAX_TOKENS";
	return NULL;
}

/*
 * generate_decode
 *		The first candidate's text parts, concatenated, or the value a
 *		format suffix points at.
 */
static void
generate_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				bool *nulls)
{
	Jsonb	   *response;
	JsonbValue	part;
	StringInfoData text;
	bool		found = false;
	int			i;

	if (target->output_suffix && target->output_suffix[0])
	{
		if (MlStructured(target))
			MlStructuredAtPointer(target, MlResponseJson(target, body),
								  MlOutputPointer(target, NULL),
								  cut_reason(MlResponseJson(target, body)),
								  values, nulls);
		else
			MlDecodeText(target, body, NULL, "/candidates/0/finishReason",
						 "finish reason", values, nulls);
		return;
	}
	response = MlResponseJson(target, body);
	if (!MlJsonPointer(response, "/candidates/0", &part))
	{
		if (MlJsonPointer(response, "/promptFeedback/blockReason", &part))
			MlReportNoText(target, response, "/promptFeedback/blockReason",
						   "block reason");
		/* raises the usual "no value at" error, showing the response */
		MlDecodeAtPointer(target, response, "/candidates/0/content/parts",
						  values, nulls);
		return;
	}
	initStringInfo(&text);
	for (i = 0;
		 MlJsonPointer(response,
					   psprintf("/candidates/0/content/parts/%d", i), &part);
		 i++)
		found |= append_part_text(&text, &part);
	if (!found)
		MlReportNoText(target, response, "/candidates/0/finishReason",
					   "finish reason");
	if (MlStructured(target))
		MlStructuredFromText(target, text.data, text.len, cut_reason(response),
							 values, nulls);
	else
		MlSetTextOutput(target, &text, values, nulls);
}

/*
 * embed_check_schema
 *		One text in, one vector out.
 */
static void
embed_check_schema(List *input, List *output, const char *which)
{
	MlCheckEmbedSchema(input, output, which, "GEMINI-EMBED");
}

/*
 * embed_param_name
 *		Parameters pass under their own names; the standard generation
 *		parameters are left out.
 */
static const char *
embed_param_name(const MlParam *param)
{
	return param->standard ? MlParamSkip : NULL;
}

/*
 * models_name
 *		model as Google names it in bodies: "models/<model>".
 */
static const char *
models_name(const char *model)
{
	return strncmp(model, "models/", 7) == 0 ? model : psprintf("models/%s", model);
}

/*
 * append_request
 *		The embedContent body for one row, with "model" when model is not
 *		NULL.
 */
static void
append_request(StringInfo body, MlTarget *target, const char *model,
			   Datum *values, bool *nulls)
{
	List	   *params = MlParamsRespelled(target->params, embed_spellings);
	bool		first = false;

	appendStringInfoChar(body, '{');
	if (model)
	{
		appendStringInfoString(body, "\"model\": ");
		escape_json(body, models_name(model));
		appendStringInfoString(body, ", ");
		params = MlParamsWithout(params, "model");
	}
	appendStringInfoString(body, "\"content\": ");
	append_parts_open(body);
	MlAppendInput(body, target, values, nulls);
	appendStringInfoString(body, "}]}");
	MlAppendParams(body, params, embed_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * embed_encode
 *		Build the embedContent body for one input text.
 */
static void
embed_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	append_request(&out->data, target, target->model_version, values, nulls);
}

/*
 * batch_model
 *		The model every request of a batch must name: model_version, else
 *		the one the endpoint's path names (.../models/<model>:method);
 *		NULL if neither does.
 */
static const char *
batch_model(MlTarget *target)
{
	MlUrl		url;
	const char *p;

	if (target->model_version)
		return target->model_version;
	if (!MlSplitUrl(target->connection->endpoint, &url) ||
		(p = strstr(url.path, "/models/")) == NULL)
		return NULL;
	p += strlen("/models/");
	if (*p == '\0' || *p == ':')
		return NULL;
	return pnstrdup(p, strcspn(p, ":/"));
}

/*
 * embed_batch_limits
 *		100 requests per batchEmbedContents call, when the provider can
 *		address that method and the model is known.
 */
static void
embed_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	*max_rows = (target->provider->prepare_method != NULL &&
				 batch_model(target) != NULL) ? GEMINI_BATCH_MAX_REQUESTS : 1;
	*max_tokens = 0;
}

/*
 * embed_encode_batch
 *		The batchEmbedContents body for several rows.
 */
static void
embed_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
				   MlRequestBody *out)
{
	const char *model = batch_model(target);

	appendStringInfoString(&out->data, "{\"requests\": [");
	for (int r = 0; r < nrows; r++)
	{
		if (r > 0)
			appendStringInfoString(&out->data, ", ");
		append_request(&out->data, target, model, rows[r].values, rows[r].nulls);
	}
	appendStringInfoString(&out->data, "]}");
	out->method = GEMINI_BATCH_METHOD;
}

/*
 * embed_decode
 *		The embedding's values (the first one of a batch answer).
 */
static void
embed_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlAnswer	answer;
	const char *pointer = "/embedding/values";

	MlAnswerOpen(&answer, target, body);
	if (MlAnswerLength(&answer, "/embeddings") != ML_ANSWER_MISSING)
		pointer = "/embeddings/0/values";
	MlAnswerVector(&answer, MlOutputPointer(target, pointer), true, values, nulls);
}

/*
 * embed_decode_batch
 *		Embedding k's values for row k.
 */
static void
embed_decode_batch(MlTarget *target, MlResponseBody *body, MlBatchRow *rows,
				   int nrows)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, body);
	MlCheckBatchCount(&answer, "/embeddings", nrows);
	for (int r = 0; r < nrows; r++)
		MlAnswerVector(&answer, psprintf("/embeddings/%d/values", r), true,
					   rows[r].out_values, rows[r].out_nulls);
}

static const char *const generate_aliases[] = {"GEMINI-CHAT", NULL};

const MlFormat MlFormatGeminiGenerate = {
	"GEMINI-GENERATE", generate_aliases, ML_FORMAT_LLM, "application/json", NULL,
	generate_check_schema, generate_encode, generate_decode
};

const MlFormat MlFormatGeminiEmbed = {
	"GEMINI-EMBED", NULL, ML_FORMAT_EMBEDDING, "application/json", NULL,
	embed_check_schema, embed_encode, embed_decode,
	ML_BATCH_OWN, embed_batch_limits, embed_encode_batch, embed_decode_batch
};
