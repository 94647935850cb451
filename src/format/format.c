/*-------------------------------------------------------------------------
 *
 * format.c
 *	  What several formats share: schema checks and request and response
 *	  body helpers.  The list of formats and name matching are in
 *	  registry.c; decoding a value found at a JSON pointer is in
 *	  output_columns.c.
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
