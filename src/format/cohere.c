/*-------------------------------------------------------------------------
 *
 * cohere.c
 *	  The COHERE-CHAT, COHERE-GENERATE and COHERE-EMBED formats: Cohere's
 *	  v1 chat, legacy generate and embed bodies (Cohere's API and Bedrock's
 *	  cohere.* models).
 *
 * COHERE-CHAT request: {"model": <model_version, if set>, "message":
 * <input>, "preamble": <system prompt>, "temperature", "p", "k",
 * "max_tokens", "stop_sequences", <other params>}.  Answer: /text.
 *
 * COHERE-GENERATE request: {"prompt": <input>, "temperature", "p", "k",
 * "max_tokens", "stop_sequences", <other params>}: only fields Bedrock's
 * Command models accept (no "stream" or "num_generations" of our own).
 * There is no system field: a system prompt comes before the input,
 * separated by a blank line.  Answer: /generations/0/text.
 *
 * COHERE-EMBED request: {"texts": [...], "input_type": <params.input_type
 * or "search_document">, "model": <model_version, if set>, <other params
 * such as truncate or embedding_types>}.  The input is a STRING (one text;
 * answer /embeddings/0 as ARRAY<FLOAT>) or an ARRAY<STRING> (the texts;
 * answer /embeddings as ARRAY<ARRAY<FLOAT>>).  The v2 shape, embeddings
 * keyed by type ({"embeddings": {"float": [[...]]}}), is read as well.
 * With a STRING input, several rows go in one request: their texts in
 * "texts" (at most 96, Cohere's limit), vector k of the answer for row k.
 *
 * IDENTIFICATION
 *	  src/format/cohere.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

#define COHERE_DEFAULT_INPUT_TYPE "search_document"
#define COHERE_EMBED_MAX_TEXTS 96

/*
 * chat_check_schema
 *		One text in, one text out.
 */
static void
chat_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "COHERE-CHAT");
}

/*
 * generate_check_schema
 *		One text in, one text out.
 */
static void
generate_check_schema(List *input, List *output, const char *which)
{
	MlCheckTextSchema(input, output, which, "COHERE-GENERATE");
}

static const MlStandardNames cohere_names = {
	.top_p = "p", .top_k = "k", .stop = "stop_sequences"
};

/*
 * cohere_param_name
 *		Cohere's names for the standard parameters; others pass under their
 *		own (nested) names.
 */
static const char *
cohere_param_name(const MlParam *param)
{
	return MlStandardParamName(param, &cohere_names, NULL);
}

/*
 * append_model
 *		Append "model": <model_version> when it is set, and return the
 *		parameters still to write (without params.model in that case).
 */
static List *
append_model(StringInfo body, MlTarget *target, bool *first)
{
	if (target->model_version == NULL)
		return target->params;
	appendStringInfoString(body, *first ? "\"model\": " : ", \"model\": ");
	escape_json(body, target->model_version);
	*first = false;
	return MlParamsWithout(target->params, "model");
}

/*
 * chat_encode
 *		Build the chat body for one input text.
 */
static void
chat_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = true;
	List	   *params;

	appendStringInfoChar(body, '{');
	params = append_model(body, target, &first);
	appendStringInfoString(body, first ? "\"message\": " : ", \"message\": ");
	MlAppendInput(body, target, values, nulls);
	first = false;
	if (MlSystemPrompt(target))
	{
		appendStringInfoString(body, ", \"preamble\": ");
		escape_json(body, MlSystemPrompt(target));
	}
	MlAppendParams(body, params, cohere_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * chat_decode
 *		The answer text.
 */
static void
chat_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlDecodeText(target, body, "/text", "/finish_reason", "finish reason",
				 values, nulls);
}

/*
 * generate_encode
 *		Build the legacy generate body for one input text.
 */
static void
generate_encode(MlTarget *target, Datum *values, bool *nulls,
				MlRequestBody *out)
{
	StringInfo	body = &out->data;
	bool		first = false;

	appendStringInfoString(body, "{\"prompt\": ");
	escape_json(body, MlPromptWithSystem(target, values, nulls));
	MlAppendParams(body, target->params, cohere_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * generate_decode
 *		The first generation's text.
 */
static void
generate_decode(MlTarget *target, MlResponseBody *body, Datum *values,
				bool *nulls)
{
	MlDecodeText(target, body, "/generations/0/text",
				 "/generations/0/finish_reason", "finish reason",
				 values, nulls);
}

/*
 * is_text_type
 *		text, varchar or char (and domains over them).
 */
static bool
is_text_type(Oid typid)
{
	typid = getBaseType(typid);
	return typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID;
}

/*
 * is_text_array
 *		Is the column an array of text, varchar or char (ARRAY<STRING>)?
 */
static bool
is_text_array(const MlColumn *col)
{
	Oid			elem = get_element_type(getBaseType(col->typid));

	return OidIsValid(elem) && is_text_type(elem);
}

/*
 * is_matrix_output
 *		Is the column declared with two array levels (ARRAY<ARRAY<FLOAT>>)?
 */
static bool
is_matrix_output(const MlColumn *col)
{
	const char *first = strstr(col->decl, "ARRAY<");

	return first != NULL && strstr(first + 1, "ARRAY<") != NULL;
}

/*
 * is_json_output
 *		Is the column json or jsonb (which take any shape)?
 */
static bool
is_json_output(const MlColumn *col)
{
	Oid			base = getBaseType(col->typid);

	return base == JSONOID || base == JSONBOID;
}

/*
 * embed_check_input
 *		One STRING or ARRAY<STRING> column.
 */
static void
embed_check_input(List *input)
{
	MlColumn   *col;

	if (list_length(input) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format COHERE-EMBED requires exactly one INPUT column, got %d",
						list_length(input)),
				 errhint("Declare INPUT (text STRING) or INPUT (texts ARRAY<STRING>).")));
	col = linitial(input);
	if (!is_text_type(col->typid) && !is_text_array(col))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format COHERE-EMBED requires a STRING or ARRAY<STRING> INPUT column, but \"%s\" is %s",
						col->name, col->decl)));
}

/*
 * embed_check_output
 *		One vector for a STRING input, ARRAY<ARRAY<FLOAT>> (one vector per
 *		text) for an ARRAY<STRING> input.
 */
static void
embed_check_output(List *input, List *output)
{
	MlColumn   *in;
	MlColumn   *col;

	MlCheckVectorOutput(output, "COHERE-EMBED");
	col = linitial(output);
	if (list_length(input) != 1 || is_json_output(col))
		return;
	in = linitial(input);
	if (is_text_array(in) && !is_matrix_output(col))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format COHERE-EMBED with an ARRAY<STRING> INPUT requires an ARRAY<ARRAY<FLOAT>> OUTPUT column, but \"%s\" is %s",
						col->name, col->decl),
				 errhint("Declare OUTPUT (embeddings ARRAY<ARRAY<FLOAT>>), one vector per text.")));
	if (is_text_type(in->typid) && is_matrix_output(col))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format COHERE-EMBED with a STRING INPUT requires an ARRAY<FLOAT> OUTPUT column, but \"%s\" is %s",
						col->name, col->decl),
				 errhint("Declare OUTPUT (embedding ARRAY<FLOAT>), or INPUT (texts ARRAY<STRING>) to embed several texts.")));
}

/*
 * embed_check_schema
 *		See embed_check_input and embed_check_output.
 */
static void
embed_check_schema(List *input, List *output, const char *which)
{
	if (strcmp(which, "input") == 0)
		embed_check_input(input);
	else
		embed_check_output(input, output);
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
 * append_rest
 *		After "texts": input_type, model and the other parameters.
 */
static void
append_rest(StringInfo body, MlTarget *target)
{
	const MlParam *input_type = MlParamNamed(target->params, "input_type");
	List	   *params;
	bool		first = false;

	appendStringInfoString(body, ", \"input_type\": ");
	if (input_type)
		MlAppendParamValue(body, input_type);
	else
		escape_json(body, COHERE_DEFAULT_INPUT_TYPE);
	params = append_model(body, target, &first);
	MlAppendParams(body, MlParamsWithout(params, "input_type"),
				   embed_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * embed_encode
 *		Build the embed body: the input text as a one-element texts array,
 *		or the input array as the texts array.
 */
static void
embed_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	MlColumn   *col = linitial(target->model->input);

	appendStringInfoString(body, "{\"texts\": ");
	if (is_text_array(col))
		MlAppendInput(body, target, values, nulls);
	else
	{
		appendStringInfoChar(body, '[');
		MlAppendInput(body, target, values, nulls);
		appendStringInfoChar(body, ']');
	}
	append_rest(body, target);
}

/*
 * embed_encode_batch
 *		The embed body for several rows' texts.
 */
static void
embed_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
				   MlRequestBody *out)
{
	StringInfo	body = &out->data;

	appendStringInfoString(body, "{\"texts\": [");
	for (int r = 0; r < nrows; r++)
	{
		if (r > 0)
			appendStringInfoString(body, ", ");
		MlAppendInput(body, target, rows[r].values, rows[r].nulls);
	}
	appendStringInfoChar(body, ']');
	append_rest(body, target);
}

/*
 * embeds_many
 *		Does the model want every vector (an ARRAY<STRING> input, or an
 *		ARRAY<ARRAY<FLOAT>> output) rather than the first?
 */
static bool
embeds_many(MlTarget *target)
{
	MlColumn   *col = linitial(target->model->output);

	if (is_matrix_output(col))
		return true;
	return list_length(target->model->input) == 1 &&
		is_text_array(linitial(target->model->input));
}

/*
 * embed_batch_limits
 *		96 texts per request; a model that embeds an array of texts per
 *		row takes one row per request.
 */
static void
embed_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	*max_rows = embeds_many(target) ? 1 : COHERE_EMBED_MAX_TEXTS;
	*max_tokens = 0;
}

/*
 * embeddings_pointer
 *		/embeddings, or /embeddings/float when they are keyed by type.
 */
static const char *
embeddings_pointer(MlAnswer *answer)
{
	return MlAnswerIsObject(answer, "/embeddings") ?
		"/embeddings/float" : "/embeddings";
}

/*
 * embed_decode
 *		The first vector, or all of them, from /embeddings, or from
 *		/embeddings/float when the embeddings are keyed by type.
 */
static void
embed_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlAnswer	answer;
	const char *pointer;

	MlAnswerOpen(&answer, target, body);
	pointer = embeddings_pointer(&answer);
	if (!embeds_many(target))
		pointer = psprintf("%s/0", pointer);
	MlAnswerVector(&answer, MlOutputPointer(target, pointer), true, values, nulls);
}

/*
 * embed_decode_batch
 *		Vector k for row k.
 */
static void
embed_decode_batch(MlTarget *target, MlResponseBody *body, MlBatchRow *rows,
				   int nrows)
{
	MlAnswer	answer;
	const char *pointer;

	MlAnswerOpen(&answer, target, body);
	pointer = embeddings_pointer(&answer);
	MlCheckBatchCount(&answer, pointer, nrows);
	for (int r = 0; r < nrows; r++)
		MlAnswerVector(&answer, psprintf("%s/%d", pointer, r), true,
					   rows[r].out_values, rows[r].out_nulls);
}

const MlFormat MlFormatCohereChat = {
	"COHERE-CHAT", NULL, ML_FORMAT_LLM, "application/json", NULL,
	chat_check_schema, chat_encode, chat_decode
};

const MlFormat MlFormatCohereGenerate = {
	"COHERE-GENERATE", NULL, ML_FORMAT_LLM, "application/json", NULL,
	generate_check_schema, generate_encode, generate_decode
};

const MlFormat MlFormatCohereEmbed = {
	"COHERE-EMBED", NULL, ML_FORMAT_EMBEDDING, "application/json", NULL,
	embed_check_schema, embed_encode, embed_decode,
	ML_BATCH_OWN, embed_batch_limits, embed_encode_batch, embed_decode_batch
};
