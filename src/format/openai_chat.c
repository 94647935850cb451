/*-------------------------------------------------------------------------
 *
 * openai_chat.c
 *	  The OPENAI-CHAT format: the chat completions request and the text of
 *	  the first choice.
 *
 * Request: {"model": ..., "messages": [{"role": "system", ...},
 * {"role": "user", "content": <input>}], <params>}.  The model field is the
 * model_version option; provider openai defaults it to gpt-3.5-turbo, other
 * providers (Azure: the deployment decides) omit it.  Answer:
 * /choices/0/message/content.
 *
 * Structured outputs (several OUTPUT columns, or a non-STRING one, see
 * structured.c) add "response_format": {"type": "json_schema",
 * "json_schema": {"name": "output", "strict": true, "schema": <the OUTPUT
 * columns' schema in strict mode>}} and read the content as that JSON
 * object.  A response_format the user sets (params.response_format.type =
 * 'json_object' for models without json_schema) is sent instead, and the
 * content still decoded into the columns.  A refusal, or content cut at
 * the token limit, is a row failure.
 *
 * IDENTIFICATION
 *	  src/format/openai_chat.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

#define OPENAI_DEFAULT_CHAT_MODEL "gpt-3.5-turbo"

#define OPENAI_SCHEMA_NAME "output"

/*
 * chat_check_schema
 *		One text in; one text out, or structured outputs.
 */
static void
chat_check_schema(List *input, List *output, const char *which)
{
	MlCheckChatSchema(input, output, which, "OPENAI-CHAT");
}

/*
 * user_response_format
 *		Did the user set response_format (or a member of it)?
 */
static bool
user_response_format(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
		if (MlParamInObject(lfirst(lc), "response_format"))
			return true;
	return false;
}

/*
 * append_response_format
 *		Structured outputs: the OUTPUT columns' schema in strict mode.
 */
static void
append_response_format(StringInfo body, MlTarget *target)
{
	appendStringInfoString(body, ", \"response_format\": {\"type\": \"json_schema\", "
						   "\"json_schema\": {\"name\": \"" OPENAI_SCHEMA_NAME "\", "
						   "\"strict\": true, \"schema\": ");
	MlAppendStructuredSchema(body, target, ML_JS_STRICT);
	appendStringInfoString(body, "}}");
}

/*
 * chat_param_name
 *		OpenAI's names for the standard parameters; others pass unchanged.
 */
static const char *
chat_param_name(const MlParam *param)
{
	return param->standard ? param->standard : NULL;
}

/*
 * append_model_field
 *		Append "model": <model_version> (or the provider default) if any.
 */
static void
append_model_field(StringInfo body, MlTarget *target, const char *openai_default,
				   bool *first)
{
	const char *model = target->model_version;

	if (model == NULL && strcmp(target->provider->name, "openai") == 0)
		model = openai_default;
	if (model == NULL)
		return;
	appendStringInfoString(body, "\"model\": ");
	escape_json(body, model);
	*first = false;
}

/*
 * chat_encode
 *		Build the chat completions body for one input text.
 */
static void
chat_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = true;

	appendStringInfoChar(body, '{');
	append_model_field(body, target, OPENAI_DEFAULT_CHAT_MODEL, &first);
	appendStringInfoString(body, first ? "\"messages\": [" : ", \"messages\": [");
	first = false;
	if (MlSystemPrompt(target))
	{
		appendStringInfoString(body, "{\"role\": \"system\", \"content\": ");
		escape_json(body, MlSystemPrompt(target));
		appendStringInfoString(body, "}, ");
	}
	appendStringInfoString(body, "{\"role\": \"user\", \"content\": ");
	MlDatumToJson(body, values[0], nulls[0], ((MlColumn *) linitial(target->model->input))->typid);
	appendStringInfoString(body, "}]");
	if (MlStructured(target) && !user_response_format(target->params))
		append_response_format(body, target);
	MlAppendParams(body, target->params, chat_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * structured_decode
 *		Structured outputs: the content is the JSON object of the OUTPUT
 *		columns.  A refusal is a row failure giving the model's words.
 */
static void
structured_decode(MlTarget *target, Jsonb *response, const char *pointer,
				  Datum *values, bool *nulls)
{
	JsonbValue	refusal;
	JsonbValue	reason;
	const char *cut = NULL;

	if (MlJsonPointer(response, "/choices/0/message/refusal", &refusal) &&
		refusal.type == jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("model \"%s\" refused to answer", target->display_name),
				 errdetail("The refusal: %s",
						   MlResponseExcerpt(target, &refusal))));
	if (MlJsonPointer(response, "/choices/0/finish_reason", &reason) &&
		MlJsonStringIs(&reason, "length"))
		cut = "length";
	MlStructuredAtPointer(target, response, pointer, cut, values, nulls);
}

/*
 * chat_decode
 *		The first choice's message content.  A null content (refusal, tool
 *		call, content filter) is an error naming the finish reason.
 */
static void
chat_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	const char *pointer = MlOutputPointer(target, "/choices/0/message/content");
	Jsonb	   *response;
	JsonbValue	reason;

	if (MlStructured(target))
	{
		structured_decode(target, MlResponseJson(target, body), pointer,
						  values, nulls);
		return;
	}
	if (MlDecodeStringAtPointer(target, body, pointer, values, nulls))
		return;
	response = MlResponseJson(target, body);
	MlDecodeAtPointer(target, response, pointer, values, nulls);
	if (!nulls[0])
		return;
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("model \"%s\" returned no text", target->display_name),
			 MlJsonPointer(response, "/choices/0/finish_reason", &reason) &&
			 reason.type == jbvString ?
			 errdetail("The finish reason was \"%.*s\".",
					   reason.val.string.len, reason.val.string.val) : 0));
}

/* Mistral's own API speaks the same chat completions dialect */
static const char *const chat_aliases[] = {"MISTRAL-CHAT", NULL};

const MlFormat MlFormatOpenAIChat = {
	"OPENAI-CHAT", chat_aliases, ML_FORMAT_LLM, "application/json", NULL,
	chat_check_schema, chat_encode, chat_decode
};
