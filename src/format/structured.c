/*-------------------------------------------------------------------------
 *
 * structured.c
 *	  Structured outputs for the chat formats (OPENAI-CHAT, GEMINI-GENERATE,
 *	  ANTHROPIC-MESSAGES): their schema check, and decoding the answer (a
 *	  JSON text, or the input object of a tool call) into the typed OUTPUT
 *	  columns.
 *
 * A model whose OUTPUT has several columns, or one that is not a string
 * (MlOutputIsStructured), asks the provider for one JSON object with a
 * member per column (output_schema.c gives its schema; each format puts
 * it in its own request field).  A single STRING OUTPUT column keeps the
 * plain text answer.  An answer that does not fit (not JSON, not an
 * object, a member missing, a value of the wrong type, cut short by the
 * token limit) raises an external-routine or data exception, which
 * ml_predict's on_error turns into NULL outputs or a skipped row.
 *
 * IDENTIFICATION
 *	  src/format/structured.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/output_schema.h"
#include "types/typemap.h"
#include "wire/target.h"

/* longest part of an answer quoted in an error message */
#define ANSWER_EXCERPT_LEN 200

/*
 * MlCheckChatSchema
 *		The chat formats: one text column in; one text column out, or
 *		OUTPUT columns that have a JSON Schema (structured outputs).
 */
void
MlCheckChatSchema(List *input, List *output, const char *which,
				  const char *format)
{
	if (strcmp(which, "input") == 0)
		MlCheckSingleTextInput(input, format);
	else if (!MlOutputIsStructured(output))
		MlCheckSingleTextOutput(output, format);
	else
		(void) MlOutputSchema(output, format);
}

/*
 * MlStructured
 *		Does this model version ask for structured outputs?
 */
bool
MlStructured(MlTarget *target)
{
	return MlOutputIsStructured(target->model->output);
}

/*
 * MlAppendStructuredSchema
 *		The OUTPUT columns' JSON Schema in dialect.
 */
void
MlAppendStructuredSchema(StringInfo body, MlTarget *target, MlJsDialect dialect)
{
	MlAppendOutputSchema(body, target->model->output, dialect,
						 target->output_format->name);
}

/* a JSON pointer to member name of an object */
static char *
member_pointer(const char *name)
{
	StringInfoData p;

	initStringInfo(&p);
	appendStringInfoChar(&p, '/');
	for (; *name; name++)
	{
		if (*name == '~')
			appendStringInfoString(&p, "~0");
		else if (*name == '/')
			appendStringInfoString(&p, "~1");
		else
			appendStringInfoChar(&p, *name);
	}
	return p.data;
}

/*
 * MlStructuredFromValue
 *		Fill every OUTPUT column from the member of object named as the
 *		column (a JSON null gives NULL).  object must be a JSON object and
 *		have every member.
 */
void
MlStructuredFromValue(MlTarget *target, const JsonbValue *object,
					  Datum *values, bool *nulls)
{
	ListCell   *lc;

	if (!MlJsonIsObject(object))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("structured answer of model \"%s\" is not a JSON object",
						target->display_name),
				 errdetail("The answer is %s: %s", MlJsonKindName(object),
						   MlResponseExcerpt(target, object))));
	foreach(lc, target->model->output)
	{
		MlColumn   *col = lfirst(lc);
		JsonbValue	member;

		if (!MlJsonPointerValue(object, member_pointer(col->name), &member))
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("structured answer of model \"%s\" has no member \"%s\"",
							target->display_name, col->name),
					 errdetail("The answer: %s", MlResponseExcerpt(target, object)),
					 errhint("Every OUTPUT column is a required member of the answer's JSON Schema.")));
		MlDecodeOutputColumn(target, foreach_current_index(lc), &member,
							 values, nulls);
	}
}

/* the first bytes of an answer text, for error details */
static char *
text_excerpt(MlTarget *target, const char *text, int len)
{
	if (len > ANSWER_EXCERPT_LEN)
		return MlMaskSecrets(target,
							 psprintf("%.*s...",
									  pg_mbcliplen(text, len, ANSWER_EXCERPT_LEN),
									  text));
	return MlMaskSecrets(target, pnstrdup(text, len));
}

/*
 * MlStructuredFromText
 *		Fill every OUTPUT column from an answer given as JSON text (in the
 *		database encoding).  cut_reason, when not NULL, is the finish reason
 *		the provider gave for an answer cut at the token limit: text that
 *		is then not JSON says so.
 */
void
MlStructuredFromText(MlTarget *target, const char *text, int len,
					 const char *cut_reason, Datum *values, bool *nulls)
{
	Jsonb	   *doc = MlTryParseJsonText(text, len);
	JsonbValue	root;

	if (doc == NULL && cut_reason)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("structured answer of model \"%s\" was cut short",
						target->display_name),
				 errdetail("The finish reason was \"%s\"; the answer ends: %s",
						   cut_reason, text_excerpt(target, text, len)),
				 errhint("Allow more output tokens (the model option <provider>.params.max_tokens).")));
	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("structured answer of model \"%s\" is not valid JSON",
						target->display_name),
				 errdetail("The answer: %s", text_excerpt(target, text, len))));
	(void) MlJsonPointer(doc, "", &root);
	MlStructuredFromValue(target, &root, values, nulls);
}

/*
 * MlStructuredParamConflict
 *		Raise the error for a parameter that sets what structured outputs
 *		set themselves.
 */
void
MlStructuredParamConflict(MlTarget *target, const MlParam *param)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("model option \"%s\" conflicts with the structured output of model \"%s\"",
					param->key, target->display_name),
			 errdetail("A model with several OUTPUT columns, or a non-STRING one, asks for a JSON answer matching its OUTPUT columns."),
			 errhint("Remove the option, or declare a single STRING OUTPUT column to get the model's text.")));
}

/*
 * MlStructuredAtPointer
 *		Fill every OUTPUT column from the value at pointer of the response:
 *		a string is the answer's JSON text, an object the answer itself.
 */
void
MlStructuredAtPointer(MlTarget *target, Jsonb *response, const char *pointer,
					  const char *cut_reason, Datum *values, bool *nulls)
{
	JsonbValue	v;

	MlJsonRequire(target, response, pointer, &v);
	if (v.type == jbvString)
		MlStructuredFromText(target, v.val.string.val, v.val.string.len,
							 cut_reason, values, nulls);
	else
		MlStructuredFromValue(target, &v, values, nulls);
}
