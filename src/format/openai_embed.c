/*-------------------------------------------------------------------------
 *
 * openai_embed.c
 *	  The OPENAI-EMBED format (alias AZURE-EMBED): the embeddings request
 *	  and the vector of its first result.
 *
 * Request: {"input": [<text>], "model": ..., <params such as dimensions>}.
 * Provider openai defaults the model to text-embedding-3-small; Azure's
 * deployment URL decides the model, so no field is sent there unless
 * model_version is set.  Answer: /data/0/embedding.
 *
 * Batches: several rows' texts in "input" (at most 2048, and about 300,000
 * tokens summed over the request, OpenAI's and Azure OpenAI's limits); the
 * answer's data[k].embedding belongs to input data[k].index, or to input k
 * when the answer has no indexes.
 *
 * IDENTIFICATION
 *	  src/format/openai_embed.c
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

#define OPENAI_DEFAULT_EMBED_MODEL "text-embedding-3-small"

/* OpenAI's limits per request (Azure OpenAI's are the same) */
#define OPENAI_EMBED_MAX_INPUTS 2048
#define OPENAI_EMBED_MAX_TOKENS 300000

static const char *const embed_aliases[] = {"AZURE-EMBED", NULL};

/*
 * embed_check_schema
 *		One text in, one vector out.
 */
static void
embed_check_schema(List *input, List *output, const char *which)
{
	MlCheckEmbedSchema(input, output, which, "OPENAI-EMBED");
}

/*
 * embed_param_name
 *		Parameters pass under their own names.
 */
static const char *
embed_param_name(const MlParam *param)
{
	return NULL;
}

/*
 * append_input
 *		One row's text as an element of "input".
 */
static void
append_input(StringInfo body, MlTarget *target, Datum *values, bool *nulls)
{
	MlDatumToJson(body, values[0], nulls[0],
				  ((MlColumn *) linitial(target->model->input))->typid);
}

/*
 * append_rest
 *		Close "input" and add the model and parameters.
 */
static void
append_rest(StringInfo body, MlTarget *target)
{
	const char *model = target->model_version;
	bool		first = false;

	appendStringInfoChar(body, ']');
	if (model == NULL && strcmp(target->provider->name, "openai") == 0)
		model = OPENAI_DEFAULT_EMBED_MODEL;
	if (model)
	{
		appendStringInfoString(body, ", \"model\": ");
		escape_json(body, model);
	}
	MlAppendParams(body, target->params, embed_param_name, &first);
	appendStringInfoChar(body, '}');
}

/*
 * embed_encode
 *		Build the embeddings body for one input text.
 */
static void
embed_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	appendStringInfoString(&out->data, "{\"input\": [");
	append_input(&out->data, target, values, nulls);
	append_rest(&out->data, target);
}

/*
 * embed_encode_batch
 *		The embeddings body for several rows' texts.
 */
static void
embed_encode_batch(MlTarget *target, MlBatchRow *rows, int nrows,
				   MlRequestBody *out)
{
	appendStringInfoString(&out->data, "{\"input\": [");
	for (int r = 0; r < nrows; r++)
	{
		if (r > 0)
			appendStringInfoString(&out->data, ", ");
		append_input(&out->data, target, rows[r].values, rows[r].nulls);
	}
	append_rest(&out->data, target);
}

/*
 * embed_batch_limits
 *		OpenAI's inputs and tokens per request.
 */
static void
embed_batch_limits(MlTarget *target, int *max_rows, int *max_tokens)
{
	*max_rows = OPENAI_EMBED_MAX_INPUTS;
	*max_tokens = OPENAI_EMBED_MAX_TOKENS;
}

/*
 * embed_decode
 *		The first embedding.
 */
static void
embed_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlAnswer	answer;

	MlAnswerOpen(&answer, target, body);
	MlAnswerVector(&answer, MlOutputPointer(target, "/data/0/embedding"), false,
				   values, nulls);
}

/*
 * report_bad_index
 *		Raise the error for result k whose index is missing, out of range
 *		or taken.
 */
static void
report_bad_index(MlTarget *target, int k, int nrows)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("response of model \"%s\" has a missing, out-of-range or repeated index at \"/data/%d/index\"",
					target->display_name, k),
			 errdetail("A request of %d rows needs each index from 0 to %d once.",
					   nrows, nrows - 1)));
}

/*
 * embed_decode_batch
 *		Each row's embedding: the result whose index is the row's position
 *		in the request (results without indexes are in request order).
 */
static void
embed_decode_batch(MlTarget *target, MlResponseBody *body, MlBatchRow *rows,
				   int nrows)
{
	MlAnswer	answer;
	int		   *result_of = palloc(sizeof(int) * nrows);
	int64		index;

	MlAnswerOpen(&answer, target, body);
	MlCheckBatchCount(&answer, "/data", nrows);
	for (int r = 0; r < nrows; r++)
		result_of[r] = -1;
	for (int k = 0; k < nrows; k++)
	{
		if (!MlAnswerInt(&answer, psprintf("/data/%d/index", k), &index))
		{
			if (k == 0)
				break;			/* no indexes: request order */
			report_bad_index(target, k, nrows);
		}
		if (index < 0 || index >= nrows || result_of[index] >= 0)
			report_bad_index(target, k, nrows);
		result_of[index] = k;
	}
	/* with indexes, each of the nrows distinct ones names a row */
	for (int r = 0; r < nrows; r++)
		MlAnswerVector(&answer,
					   psprintf("/data/%d/embedding", result_of[r] >= 0 ? result_of[r] : r),
					   false, rows[r].out_values, rows[r].out_nulls);
}

const MlFormat MlFormatOpenAIEmbed = {
	"OPENAI-EMBED", embed_aliases, ML_FORMAT_EMBEDDING, "application/json", NULL,
	embed_check_schema, embed_encode, embed_decode,
	ML_BATCH_OWN, embed_batch_limits, embed_encode_batch, embed_decode_batch
};
