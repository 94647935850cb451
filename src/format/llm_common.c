/*-------------------------------------------------------------------------
 *
 * llm_common.c
 *	  Helpers shared by the vendor LLM and embedding formats: schema checks,
 *	  the input as prompt text, placing parameters (by name, or gathered
 *	  into one nested object such as Gemini's generationConfig), and
 *	  decoding a text or vector answer with clear errors when it is null.
 *
 * Parameter and field names are compared ignoring case and '_', so
 * "taskType" and "task_type", or "generation_config" and
 * "generationConfig", name the same thing (Google's APIs accept both
 * spellings; one JSON key must come out of them).
 *
 * IDENTIFICATION
 *	  src/format/llm_common.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/typemap.h"

/*
 * MlCheckTextSchema
 *		LLM formats: one text column in, one text column out.
 */
void
MlCheckTextSchema(List *input, List *output, const char *which,
				  const char *format)
{
	if (strcmp(which, "input") == 0)
		MlCheckSingleTextInput(input, format);
	else
		MlCheckSingleTextOutput(output, format);
}

/*
 * MlCheckEmbedSchema
 *		Embedding formats: one text column in, one vector out.
 */
void
MlCheckEmbedSchema(List *input, List *output, const char *which,
				   const char *format)
{
	if (strcmp(which, "input") == 0)
		MlCheckSingleTextInput(input, format);
	else
		MlCheckVectorOutput(output, format);
}

/*
 * MlInputText
 *		The single input value as a C string in the database encoding ("" for
 *		NULL, which ml_predict never sends).
 */
char *
MlInputText(MlTarget *target, Datum *values, bool *nulls)
{
	MlColumn   *col = linitial(target->model->input);
	Oid			outfunc;
	bool		isvarlena;

	if (nulls[0])
		return "";
	getTypeOutputInfo(col->typid, &outfunc, &isvarlena);
	return OidOutputFunctionCall(outfunc, values[0]);
}

/*
 * MlSystemPrompt
 *		The system prompt to send, or NULL: an empty '<provider>.system_prompt'
 *		means no system prompt (Anthropic and Gemini refuse an empty one).
 */
const char *
MlSystemPrompt(MlTarget *target)
{
	const char *prompt = target->system_prompt;

	return (prompt == NULL || prompt[0] == '\0') ? NULL : prompt;
}

/*
 * MlPromptWithSystem
 *		The prompt for completion APIs that have no system field: the system
 *		prompt, a blank line, then the input.
 */
char *
MlPromptWithSystem(MlTarget *target, Datum *values, bool *nulls)
{
	char	   *input = MlInputText(target, values, nulls);
	const char *system = MlSystemPrompt(target);

	if (system == NULL)
		return input;
	return psprintf("%s\n\n%s", system, input);
}

/*
 * MlAppendInput
 *		Append the single input value as JSON.
 */
void
MlAppendInput(StringInfo body, MlTarget *target, Datum *values, bool *nulls)
{
	MlColumn   *col = linitial(target->model->input);

	MlDatumToJson(body, values[0], nulls[0], col->typid);
}

/*
 * names_match
 *		Compare two names ignoring case and '_'.
 */
static bool
names_match(const char *a, const char *b)
{
	for (;;)
	{
		while (*a == '_')
			a++;
		while (*b == '_')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (pg_tolower((unsigned char) *a) != pg_tolower((unsigned char) *b))
			return false;
		a++;
		b++;
	}
}

/*
 * MlParamNameIs
 *		Is param the single-segment parameter name (not a standard one)?
 */
bool
MlParamNameIs(const MlParam *param, const char *name)
{
	return param->standard == NULL && list_length(param->path) == 1 &&
		names_match(linitial(param->path), name);
}

/*
 * MlParamNamed
 *		The single-segment parameter called name, or NULL.
 */
const MlParam *
MlParamNamed(List *params, const char *name)
{
	ListCell   *lc;

	foreach(lc, params)
		if (MlParamNameIs(lfirst(lc), name))
			return lfirst(lc);
	return NULL;
}

/*
 * MlParamsWithout
 *		A new list of params without the single-segment parameter name (one
 *		the format places itself).
 */
List *
MlParamsWithout(List *params, const char *name)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, params)
		if (!MlParamNameIs(lfirst(lc), name))
			result = lappend(result, lfirst(lc));
	return result;
}

/*
 * MlParamInObject
 *		Does param's first name segment name object ("generationConfig" in
 *		params.generationConfig.responseMimeType)?
 */
bool
MlParamInObject(const MlParam *param, const char *object)
{
	return param->standard == NULL && names_match(linitial(param->path), object);
}

/*
 * respell_path
 *		The path with each segment that matches one of spellings replaced
 *		by that spelling; NIL when nothing changes.
 */
static List *
respell_path(List *path, const char *const *spellings)
{
	List	   *result = NIL;
	bool		changed = false;
	ListCell   *lc;

	foreach(lc, path)
	{
		char	   *seg = lfirst(lc);
		const char *const *s;

		for (s = spellings; *s; s++)
			if (names_match(seg, *s))
				break;
		changed |= (*s != NULL && strcmp(seg, *s) != 0);
		result = lappend(result, *s ? pstrdup(*s) : seg);
	}
	return changed ? result : NIL;
}

/*
 * MlParamsRespelled
 *		The params with their names spelled as the API spells them.  Model
 *		option keys are folded to lower case, and users may write
 *		snake_case; a name segment matching one of spellings (ignoring case
 *		and '_') takes that spelling, so "generationconfig.response_mime_type"
 *		becomes generationConfig.responseMimeType.  spellings ends with NULL.
 */
List *
MlParamsRespelled(List *params, const char *const *spellings)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, params)
	{
		MlParam    *param = lfirst(lc);
		List	   *path = param->standard ? NIL :
			respell_path(param->path, spellings);

		if (path != NIL)
		{
			MlParam    *copy = palloc(sizeof(MlParam));

			*copy = *param;
			copy->path = path;
			param = copy;
		}
		result = lappend(result, param);
	}
	return result;
}

/*
 * object_member
 *		The member a parameter becomes inside object key: a nested user
 *		parameter loses its first segment, a renamed one gets its API name
 *		as its whole path.  NULL when rename leaves it out.
 */
static MlParam *
object_member(MlParam *param, const char *key, MlParamRename rename)
{
	MlParam    *member;
	const char *name;

	if (MlParamInObject(param, key))
	{
		if (list_length(param->path) == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("parameter \"%s\" must name a member of %s",
							param->name, key),
					 errhint("Set \"%s.<member>\" for each member instead.",
							 param->key)));
		member = palloc(sizeof(MlParam));
		*member = *param;
		member->path = list_copy_tail(param->path, 1);
		return member;
	}
	name = rename(param);
	if (name == MlParamSkip)
		return NULL;
	if (name == NULL && param->standard == NULL)
		return param;
	member = palloc(sizeof(MlParam));
	*member = *param;
	member->standard = NULL;
	member->path = list_make1(pstrdup(name ? name : param->standard));
	return member;
}

/*
 * check_member_conflicts
 *		Two parameters may not set the same member of one object, as in
 *		params.temperature and params.generationConfig.temperature.
 */
static void
check_member_conflicts(List *members)
{
	ListCell   *lc;

	foreach(lc, members)
	{
		MlParam    *a = lfirst(lc);
		ListCell   *lc2;

		for_each_cell(lc2, members, lnext(members, lc))
		{
			MlParam    *b = lfirst(lc2);
			const char *ka = linitial(a->path);
			const char *kb = linitial(b->path);

			if (names_match(ka, kb) &&
				(list_length(a->path) == 1 || list_length(b->path) == 1 ||
				 strcmp(ka, kb) != 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("options \"%s\" and \"%s\" set the same parameter",
								a->key, b->key),
						 errhint("Keep one of them.")));
		}
	}
}

/*
 * MlAppendParamObject
 *		Append "key": {...} holding the parameters that belong there: those
 *		rename maps to an API name (or keeps, returning NULL), and the user's
 *		nested ones written under key (params.<key>.<member>), merged into
 *		the same object.  Nothing is written when no parameter belongs
 *		there; returns whether the object was written.
 */
bool
MlAppendParamObject(StringInfo body, const char *key, List *params,
					MlParamRename rename, bool *first)
{
	List	   *members = NIL;
	ListCell   *lc;
	bool		inner_first = true;

	foreach(lc, params)
	{
		MlParam    *member = object_member(lfirst(lc), key, rename);

		if (member)
			members = lappend(members, member);
	}
	if (members == NIL)
		return false;
	check_member_conflicts(members);
	appendStringInfoString(body, *first ? "" : ", ");
	*first = false;
	escape_json(body, key);
	appendStringInfoString(body, ": {");
	MlAppendParams(body, members, NULL, &inner_first);
	appendStringInfoChar(body, '}');
	return true;
}

/*
 * MlJsonStringIs
 *		Is value the JSON string s?
 */
bool
MlJsonStringIs(const JsonbValue *value, const char *s)
{
	return value->type == jbvString && value->val.string.len == strlen(s) &&
		memcmp(value->val.string.val, s, value->val.string.len) == 0;
}

/*
 * MlSetTextOutput
 *		Store text (an answer assembled from several parts) in the model's
 *		single output column, with its type's length and domain checks.
 */
void
MlSetTextOutput(MlTarget *target, StringInfo text, Datum *values, bool *nulls)
{
	MlColumn   *col = linitial(target->model->output);
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = text->data;
	v.val.string.len = text->len;
	values[0] = MlJsonToDatum(&v, col->typid, col->typmod, 0,
							  target->display_name, col->name, &nulls[0]);
}

/*
 * MlReportNoText
 *		Raise the error for an answer without text, naming the reason the
 *		response gives at reason_pointer (a finish or stop reason) if any.
 */
void
MlReportNoText(MlTarget *target, Jsonb *response, const char *reason_pointer,
			   const char *reason_name)
{
	JsonbValue	reason;
	bool		have_reason;

	have_reason = reason_pointer != NULL &&
		MlJsonPointer(response, reason_pointer, &reason) &&
		reason.type == jbvString;
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("model \"%s\" returned no text", target->display_name),
			 have_reason ?
			 errdetail("The %s was \"%.*s\".", reason_name,
					   reason.val.string.len, reason.val.string.val) : 0));
}

/*
 * MlDecodeText
 *		The text at the output pointer (the format suffix, else
 *		default_pointer).  A JSON null there is an error naming the reason
 *		found at reason_pointer (may be NULL).
 */
void
MlDecodeText(MlTarget *target, MlResponseBody *body,
			 const char *default_pointer, const char *reason_pointer,
			 const char *reason_name, Datum *values, bool *nulls)
{
	const char *pointer = MlOutputPointer(target, default_pointer);
	Jsonb	   *response;

	if (MlDecodeStringAtPointer(target, body, pointer, values, nulls))
		return;
	response = MlResponseJson(target, body);
	MlDecodeAtPointer(target, response, pointer, values, nulls);
	if (nulls[0])
		MlReportNoText(target, response, reason_pointer, reason_name);
}

/*
 * MlDecodeVector
 *		The vector at pointer; a JSON null there is an error.
 */
void
MlDecodeVector(MlTarget *target, Jsonb *response, const char *pointer,
			   Datum *values, bool *nulls)
{
	MlDecodeAtPointer(target, response, pointer, values, nulls);
	if (nulls[0])
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("model \"%s\" returned no embedding", target->display_name),
				 errdetail("The value at \"%s\" is null.", pointer)));
}
