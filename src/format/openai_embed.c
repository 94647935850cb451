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
 * IDENTIFICATION
 *	  src/format/openai_embed.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "exec/request.h"
#include "format/format.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/typemap.h"

#define OPENAI_DEFAULT_EMBED_MODEL "text-embedding-3-small"

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
 * embed_encode
 *		Build the embeddings body for one input text.
 */
static void
embed_encode(MlTarget *target, Datum *values, bool *nulls, MlRequestBody *out)
{
	StringInfo	body = &out->data;
	const char *model = target->model_version;
	bool		first = false;

	appendStringInfoString(body, "{\"input\": [");
	MlDatumToJson(body, values[0], nulls[0], ((MlColumn *) linitial(target->model->input))->typid);
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
 * embed_decode
 *		The first embedding.
 */
static void
embed_decode(MlTarget *target, MlResponseBody *body, Datum *values, bool *nulls)
{
	MlDecodeAtPointer(target, MlResponseJson(target, body),
					  MlOutputPointer(target, "/data/0/embedding"), values, nulls);
}

const MlFormat MlFormatOpenAIEmbed = {
	"OPENAI-EMBED", embed_aliases, ML_FORMAT_EMBEDDING, "application/json", NULL,
	embed_check_schema, embed_encode, embed_decode
};
