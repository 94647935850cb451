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

/*
 * chat_check_schema
 *		One text in, one text out.
 */
static void
chat_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "OPENAI-CHAT");
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
	if (target->system_prompt)
	{
		appendStringInfoString(body, "{\"role\": \"system\", \"content\": ");
		escape_json(body, target->system_prompt);
		appendStringInfoString(body, "}, ");
	}
	appendStringInfoString(body, "{\"role\": \"user\", \"content\": ");
	MlDatumToJson(body, values[0], nulls[0], ((MlColumn *) linitial(target->model->input))->typid);
	appendStringInfoString(body, "}]");
	MlAppendParams(body, target->params, chat_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * chat_decode
 *		The first choice's message content.  A null content (refusal, tool
 *		call, content filter) is an error naming the finish reason.
 */
static void
chat_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	Jsonb	   *response = MlResponseJson(target, body);
	const char *pointer = MlOutputPointer(target, "/choices/0/message/content");
	JsonbValue	reason;

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
