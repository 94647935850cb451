/*-------------------------------------------------------------------------
 *
 * format.c
 *	  The format registry, Confluent's name matching, schema checks shared
 *	  by several formats, and decoding a value found at a JSON pointer.
 *
 * IDENTIFICATION
 *	  src/format/format.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/lsyscache.h"

#include "format/format.h"
#include "http/http.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "wire/target.h"

static const MlFormat *const formats[] = {
	&MlFormatOpenAIChat,
	&MlFormatOpenAIEmbed,
	&MlFormatTitanText,
	&MlFormatTitanEmbed,
	&MlFormatAnthropicMessages,
	&MlFormatAnthropicCompletions,
	&MlFormatCohereChat,
	&MlFormatCohereGenerate,
	&MlFormatCohereEmbed,
	&MlFormatAI21Complete,
	&MlFormatBedrockLlama,
	&MlFormatMistralCompletions,
	&MlFormatGeminiGenerate,
	&MlFormatGeminiEmbed,
	&MlFormatVertexEmbed,
	&MlFormatAzureChat,
	/* predictive formats */
	&MlFormatJson,
	&MlFormatJsonArray,
	&MlFormatJsonArrayOfObjects,
	&MlFormatCsv,
	&MlFormatText,
	&MlFormatBinary,
	&MlFormatPandasDataframe,
	&MlFormatAzureMLPandasDataframe,
	&MlFormatAzureMLTensor,
	&MlFormatTFServing,
	&MlFormatTFServingColumn,
	&MlFormatVertexAIPyTorch,
	&MlFormatMLflowTensor,
	&MlFormatTriton,
	NULL
};

/*
 * normalized_equal
 *		Compare format names ignoring case, '-' and '_' (and stopping at a
 *		':' suffix in a).
 */
static bool
normalized_equal(const char *a, const char *b)
{
	for (;;)
	{
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (*a == '\0' || *a == ':')
			return *b == '\0';
		if (pg_toupper((unsigned char) *a) != pg_toupper((unsigned char) *b))
			return false;
		a++;
		b++;
	}
}

/*
 * format_matches
 *		Does spec name this format or one of its aliases?
 */
static bool
format_matches(const MlFormat *format, const char *spec)
{
	const char *const *alias;

	if (normalized_equal(spec, format->name))
		return true;
	for (alias = format->aliases; alias && *alias; alias++)
		if (normalized_equal(spec, *alias))
			return true;
	return false;
}

/*
 * MlFormatNames
 *		Comma-separated canonical format names, for hints.
 */
char *
MlFormatNames(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; formats[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", formats[i]->name);
	return buf.data;
}

/*
 * MlFormatLookup
 *		Find the format named by spec ("openai_chat", "OPENAI-EMBED",
 *		"JSON:outputs").  *suffix receives the text after ':' or NULL.
 */
const MlFormat *
MlFormatLookup(const char *spec, char **suffix, bool missing_ok)
{
	const char *colon = strchr(spec, ':');
	int			i;

	if (suffix)
		*suffix = (colon && colon[1]) ? pstrdup(colon + 1) : NULL;
	for (i = 0; formats[i]; i++)
		if (format_matches(formats[i], spec))
			return formats[i];
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported format \"%s\"", spec),
			 errhint("Supported formats are %s.", MlFormatNames())));
	return NULL;
}

/*
 * MlFormatResolve
 *		The input format named by input_spec and the output format named by
 *		output_spec, or when that is NULL the input format's default output
 *		(Confluent: PANDAS-DATAFRAME answers as JSON-ARRAY, MLFLOW-TENSOR as
 *		JSON:outputs, and so on).
 */
void
MlFormatResolve(const char *input_spec, const char *output_spec,
				MlFormatChoice *choice)
{
	choice->input = MlFormatLookup(input_spec, &choice->input_suffix, false);
	if (choice->input->encode == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format %s can only be used as an output format",
						choice->input->name),
				 errhint("Set it as output_format and choose another input_format.")));
	if (output_spec == NULL)
		output_spec = choice->input->default_output;
	if (output_spec == NULL)
	{
		choice->output = choice->input;
		choice->output_suffix = choice->input_suffix;
		return;
	}
	choice->output = MlFormatLookup(output_spec, &choice->output_suffix, false);
	if (choice->output->decode == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format %s can only be used as an input format",
						choice->output->name),
				 errhint("Set another output_format.")));
}

/*
 * MlResponseJson
 *		The response body parsed as JSON (once; later calls reuse it).
 */
Jsonb *
MlResponseJson(MlTarget *target, MlResponseBody *response)
{
	if (response->json == NULL)
		response->json = MlParseJson(response->data, response->len,
									 target->display_name);
	return response->json;
}

/*
 * MlOutputPointer
 *		The JSON pointer an output format reads: the format suffix (with a
 *		leading '/' added if missing), else default_pointer.
 */
const char *
MlOutputPointer(MlTarget *target, const char *default_pointer)
{
	const char *suffix = target->output_suffix;

	if (suffix == NULL || suffix[0] == '\0')
		return default_pointer;
	if (suffix[0] == '/')
		return suffix;
	return psprintf("/%s", suffix);
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
 * MlCheckSingleTextInput
 *		LLM and embedding formats take exactly one text column.
 */
void
MlCheckSingleTextInput(List *input, const char *format)
{
	MlColumn   *col;

	if (list_length(input) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format %s requires exactly one INPUT column, got %d",
						format, list_length(input)),
				 errhint("Declare INPUT (text STRING).")));
	col = linitial(input);
	if (!is_text_type(col->typid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format %s requires a STRING INPUT column, but \"%s\" is %s",
						format, col->name, col->decl)));
}

/*
 * MlCheckSingleTextOutput
 *		LLM formats produce exactly one text column.
 */
void
MlCheckSingleTextOutput(List *output, const char *format)
{
	MlColumn   *col;

	if (list_length(output) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format %s requires exactly one OUTPUT column, got %d",
						format, list_length(output)),
				 errhint("Declare OUTPUT (response STRING) and split structured answers in SQL.")));
	col = linitial(output);
	if (!is_text_type(col->typid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format %s requires a STRING OUTPUT column, but \"%s\" is %s",
						format, col->name, col->decl)));
}

/*
 * MlCheckVectorOutput
 *		Embedding formats produce one vector: an array of real, double or
 *		numeric, or a user-defined vector type such as pgvector's vector.
 */
void
MlCheckVectorOutput(List *output, const char *format)
{
	MlColumn   *col;
	Oid			elem;
	Oid			base;

	if (list_length(output) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("format %s requires exactly one OUTPUT column, got %d",
						format, list_length(output)),
				 errhint("Declare OUTPUT (embedding ARRAY<FLOAT>).")));
	col = linitial(output);
	base = getBaseType(col->typid);
	elem = get_element_type(base);
	if (elem == FLOAT4OID || elem == FLOAT8OID || elem == NUMERICOID ||
		base == JSONBOID || base == JSONOID ||
		(get_typtype(base) == TYPTYPE_BASE && base >= FirstNormalObjectId))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			 errmsg("format %s requires an ARRAY<FLOAT> OUTPUT column, but \"%s\" is %s",
					format, col->name, col->decl),
			 errhint("Use ARRAY<FLOAT>, ARRAY<DOUBLE>, real[] or a vector type such as pgvector's vector.")));
}

/*
 * MlColumnDimensions
 *		How many array levels a column was declared with (0 if none or
 *		unknown, as for a domain over an array).
 */
int
MlColumnDimensions(const MlColumn *col)
{
	const char *p;
	int			n = 0;

	for (p = col->decl; (p = strstr(p, "ARRAY<")) != NULL; p++)
		n++;
	if (n == 0)
		for (p = col->decl; (p = strstr(p, "[]")) != NULL; p++)
			n++;
	return n;
}

/*
 * MlDecodeAtPointer
 *		Decode the value at pointer into the model's single output column.
 *		A missing value is an error that shows the start of the response.
 */
void
MlDecodeAtPointer(MlTarget *target, Jsonb *response, const char *pointer,
				  Datum *values, bool *nulls)
{
	MlColumn   *col = linitial(target->model->output);
	JsonbValue	v;

	MlJsonRequire(target, response, pointer, &v);
	values[0] = MlJsonToDatum(&v, col->typid, col->typmod,
							  MlColumnDimensions(col), target->display_name,
							  col->name, &nulls[0]);
}

/*
 * MlRequestBodyAddHeader
 *		Ask for an extra request header (Inference-Header-Content-Length
 *		for a body with binary tensors); copies name and value.
 */
void
MlRequestBodyAddHeader(MlRequestBody *body, const char *name, const char *value)
{
	HttpHeader *header = palloc0(sizeof(HttpHeader));

	header->name = pstrdup(name);
	header->value = pstrdup(value);
	body->headers = lappend(body->headers, header);
}

/*
 * MlResponseBodyFrom
 *		The body of an HTTP response as formats read it: the bytes, the
 *		Content-Type and headers; the JSON and text caches start empty.
 */
void
MlResponseBodyFrom(MlResponseBody *body, const HttpResponse *response)
{
	memset(body, 0, sizeof(MlResponseBody));
	body->data = response->body.data ? response->body.data : "";
	body->len = response->body.len;
	body->content_type = HttpResponseHeader(response, "content-type");
	body->headers = response->headers;
}
