/*-------------------------------------------------------------------------
 *
 * usage.c
 *	  Token usage reported by a provider's answer: prompt (input) and
 *	  completion (output) tokens, for the statistics and the pool's
 *	  tokens-per-minute limits.
 *
 * Bedrock's usage headers win when present; otherwise the body is looked
 * up in a table of the providers' usage fields, first match wins.  A
 * pointer in the table may have a "*" segment (sum over an array's
 * elements), and several pointers may be joined with "+" (added up).  The
 * JSON the format already parsed to decode the answer is reused; an
 * answer not parsed yet is parsed only when it mentions a usage field.  A
 * body that is not JSON or has no usage gives false, never an ERROR.
 *
 * IDENTIFICATION
 *	  src/format/usage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "format/format.h"
#include "format/json_text.h"
#include "http/http.h"
#include "types/json_datum.h"
#include "util.h"

typedef struct UsageFields
{
	const char *prompt;
	const char *completion;		/* NULL: the answer reports none */
} UsageFields;

static const UsageFields usage_fields[] = {
	/* OpenAI, Azure OpenAI, Mistral, AI21, OpenAI-compatible servers */
	{"/usage/prompt_tokens", "/usage/completion_tokens"},
	/* Anthropic, Claude on Bedrock and Vertex AI */
	{"/usage/input_tokens+/usage/cache_creation_input_tokens+/usage/cache_read_input_tokens",
	"/usage/output_tokens"},
	/* Bedrock Converse */
	{"/usage/inputTokens", "/usage/outputTokens"},
	/* Cohere v2, then v1 */
	{"/usage/billed_units/input_tokens", "/usage/billed_units/output_tokens"},
	{"/meta/billed_units/input_tokens", "/meta/billed_units/output_tokens"},
	/* Gemini and Vertex AI Gemini; thoughts are billed as output */
	{"/usageMetadata/promptTokenCount",
	"/usageMetadata/candidatesTokenCount+/usageMetadata/thoughtsTokenCount"},
	/* Llama on Bedrock */
	{"/prompt_token_count", "/generation_token_count"},
	/* Titan text and embeddings */
	{"/inputTextTokenCount", "/results/*/tokenCount"},
	/* Vertex AI text embeddings */
	{"/predictions/*/embeddings/statistics/token_count", NULL},
};

/*
 * The most tokens one answer may report, on either side: a count beyond
 * it (or below 0) is not a token count, and sums stop there, so that the
 * statistics and the tokens_per_minute charge never overflow however many
 * numbers a hostile answer adds up.
 */
#define USAGE_MAX_TOKENS	INT64CONST(1000000000000000)

/* A body this long is read without its arrays of numbers, if it has any. */
#define USAGE_SCAN_MIN_LEN 1024

/* Words one of the fields above contains: no parse without one. */
static const char *const usage_words[] = {"usage", "billed_units", "TokenCount", "token_count"};

/*
 * add_number
 *		Add a JSON number that is a plausible token count to *sum.
 */
static bool
add_number(const JsonbValue *value, int64 *sum)
{
	double		d;

	if (value->type != jbvNumeric)
		return false;
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(value->val.numeric)));
	if (!isfinite(d) || d < 0 || d > (double) USAGE_MAX_TOKENS)
		return false;
	/* both at most USAGE_MAX_TOKENS: no overflow */
	*sum = Min(*sum + (int64) rint(d), USAGE_MAX_TOKENS);
	return true;
}

/*
 * sum_path
 *		Add the number at pointer (below node) to *sum; a "*" segment in
 *		the pointer adds up every element of the array there.  False if
 *		nothing was found.
 */
static bool
sum_path(const JsonbValue *node, const char *pointer, int64 *sum)
{
	const char *star = strstr(pointer, "/*");
	char	   *prefix;
	JsonbValue	value;
	bool		found = false;
	int			i;

	if (star == NULL)
		return MlJsonPointerValue(node, pointer, &value) && add_number(&value, sum);
	prefix = pnstrdup(pointer, star - pointer);
	if (MlJsonPointerValue(node, prefix, &value))
	{
		for (i = 0; i < MlJsonArrayLength(&value); i++)
		{
			JsonbValue	elem;

			if (MlJsonArrayElement(&value, i, &elem))
				found |= sum_path(&elem, star + 2, sum);
		}
	}
	pfree(prefix);
	return found;
}

/*
 * spec_parts
 *		The "+"-joined pointers of spec, as a List of strings in one
 *		palloc'd copy (free the first element, then the List).
 */
static List *
spec_parts(const char *spec)
{
	List	   *parts = NIL;
	char	   *next;

	for (char *part = pstrdup(spec); part != NULL; part = next)
	{
		next = strchr(part, '+');
		if (next != NULL)
			*next++ = '\0';
		parts = lappend(parts, part);
	}
	return parts;
}

/* Free what spec_parts returned. */
static void
free_parts(List *parts)
{
	pfree(linitial(parts));
	list_free(parts);
}

/*
 * sum_fields
 *		Add up the "+"-joined pointers of spec; false if none was found.
 */
static bool
sum_fields(const JsonbValue *root, const char *spec, int64 *sum)
{
	List	   *parts;
	ListCell   *lc;
	bool		found = false;

	*sum = 0;
	if (spec == NULL)
		return false;
	parts = spec_parts(spec);
	foreach(lc, parts)
		found |= sum_path(root, lfirst(lc), sum);
	free_parts(parts);
	return found;
}

/*
 * Usage read from the decoder's text index of a body without arrays of
 * numbers (a chat answer read without jsonb), for the token counts that
 * are integers, which they always are: the same sums as through jsonb.
 * Anything else (a count written as 12.0, a path into an array of
 * numbers) answers TEXT_UNKNOWN, and the lookups go through jsonb.
 */
typedef enum TextFound
{
	TEXT_NONE,
	TEXT_FOUND,
	TEXT_UNKNOWN
} TextFound;

/*
 * text_at
 *		The node at pointer below node (segments as in usage_fields: plain
 *		keys and array indexes); ML_JSON_TEXT_NONE or ML_JSON_TEXT_UNKNOWN.
 */
static int
text_at(MlJsonText *doc, int node, const char *pointer)
{
	while (node >= 0 && *pointer == '/')
	{
		const char *seg = pointer + 1;
		int			len = strcspn(seg, "/");
		char	   *key = pnstrdup(seg, len);
		MlJsonTextKind kind = doc->nodes[node].kind;

		if (kind == JT_OBJECT)
			node = MlJsonTextMember(doc, node, key);
		else if (kind == JT_ARRAY && len > 0 && strspn(key, "0123456789") == len &&
				 len < 9 && (len == 1 || key[0] != '0'))
			node = MlJsonTextElement(doc, node, atoi(key));
		else if (kind == JT_NUMBERS)
			node = ML_JSON_TEXT_UNKNOWN;
		else
			node = ML_JSON_TEXT_NONE;
		pfree(key);
		pointer = seg + len;
	}
	return node;
}

/*
 * text_sum_path
 *		sum_path on the text index.
 */
static TextFound
text_sum_path(MlJsonText *doc, int node, const char *pointer, int64 *sum)
{
	const char *star = strstr(pointer, "/*");
	char	   *prefix;
	TextFound	found = TEXT_NONE;
	int64		n;

	if (star == NULL)
	{
		node = text_at(doc, node, pointer);
		if (node == ML_JSON_TEXT_UNKNOWN)
			return TEXT_UNKNOWN;
		if (node < 0 || doc->nodes[node].kind != JT_NUMBER)
			return TEXT_NONE;
		if (!MlJsonTextInt(doc, node, &n))
			return TEXT_UNKNOWN;
		if (n < 0 || n > USAGE_MAX_TOKENS)
			return TEXT_NONE;
		*sum = Min(*sum + n, USAGE_MAX_TOKENS);
		return TEXT_FOUND;
	}
	prefix = pnstrdup(pointer, star - pointer);
	node = text_at(doc, node, prefix);
	pfree(prefix);
	if (node == ML_JSON_TEXT_UNKNOWN || (node >= 0 && doc->nodes[node].kind == JT_NUMBERS))
		return TEXT_UNKNOWN;
	if (node < 0 || doc->nodes[node].kind != JT_ARRAY)
		return TEXT_NONE;
	for (int i = 0; i < doc->nodes[node].count; i++)
	{
		TextFound	f = text_sum_path(doc, MlJsonTextElement(doc, node, i),
									  star + 2, sum);

		if (f == TEXT_UNKNOWN)
			return TEXT_UNKNOWN;
		if (f == TEXT_FOUND)
			found = TEXT_FOUND;
	}
	return found;
}

/*
 * text_sum_fields
 *		sum_fields on the text index.
 */
static TextFound
text_sum_fields(MlJsonText *doc, const char *spec, int64 *sum)
{
	List	   *parts;
	ListCell   *lc;
	TextFound	found = TEXT_NONE;

	*sum = 0;
	if (spec == NULL)
		return TEXT_NONE;
	parts = spec_parts(spec);
	foreach(lc, parts)
	{
		TextFound	f = text_sum_path(doc, 0, lfirst(lc), sum);

		if (f == TEXT_UNKNOWN)
		{
			found = TEXT_UNKNOWN;
			break;
		}
		if (f == TEXT_FOUND)
			found = TEXT_FOUND;
	}
	free_parts(parts);
	return found;
}

/*
 * text_usage
 *		MlResponseUsage's lookups on the text index: TEXT_UNKNOWN when they
 *		must go through jsonb.
 */
static TextFound
text_usage(MlJsonText *doc, int64 *prompt_tokens, int64 *completion_tokens)
{
	for (int i = 0; i < lengthof(usage_fields); i++)
	{
		TextFound	p = text_sum_fields(doc, usage_fields[i].prompt, prompt_tokens);
		TextFound	c = text_sum_fields(doc, usage_fields[i].completion,
										completion_tokens);

		if (p == TEXT_UNKNOWN || c == TEXT_UNKNOWN)
			return TEXT_UNKNOWN;
		if (p == TEXT_FOUND || c == TEXT_FOUND)
			return TEXT_FOUND;
	}
	*prompt_tokens = *completion_tokens = 0;
	return TEXT_NONE;
}

/*
 * header_value
 *		A response header (lower-case name) of the body; NULL if absent.
 */
static const char *
header_value(MlResponseBody *body, const char *name)
{
	ListCell   *lc;

	foreach(lc, body->headers)
	{
		HttpHeader *header = lfirst(lc);

		if (strcmp(header->name, name) == 0)
			return header->value;
	}
	return NULL;
}

/*
 * mentions_usage
 *		Does the text (NUL-terminated) contain a word of a usage field?
 */
static bool
mentions_usage(const char *data, int len)
{
	int			i;

	if (data == NULL || len <= 0)
		return false;
	for (i = 0; i < lengthof(usage_words); i++)
		if (strstr(data, usage_words[i]) != NULL)
			return true;
	return false;
}

/*
 * try_parse
 *		The JSON text as jsonb, or NULL when it is not JSON.  Data errors
 *		the parser may still raise (a number out of range) are swallowed,
 *		as MlParseJson does; others (cancel, out of memory) propagate.
 */
static Jsonb *
try_parse(const char *data, int len)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Jsonb	   *volatile doc = NULL;

	PG_TRY();
	{
		doc = MlTryParseJson(data, len);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			edata->sqlerrcode != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return doc;
}

/*
 * usage_outside_numbers
 *		The indexed body without its arrays of numbers, as jsonb, when it
 *		mentions a usage word (the arrays hold nothing but numbers, so no
 *		word); NULL otherwise.
 */
static Jsonb *
usage_outside_numbers(MlJsonText *text)
{
	int			len;
	char	   *small = MlJsonTextWithoutNumbers(text, &len);

	return mentions_usage(small, len) ? try_parse(small, len) : NULL;
}

/*
 * usage_json
 *		The body as jsonb for the usage lookups: the one already parsed,
 *		else the body without its arrays of numbers (a long body that has
 *		some; its text index is the decoder's, or made here), else the
 *		whole body, kept in body->json.
 */
static Jsonb *
usage_json(MlResponseBody *body)
{
	MlJsonText *text = body->text;

	if (body->json != NULL)
		return body->json;
	/* an index the decoder made: not megabytes of numbers for a few words */
	if (text != NULL && text->nnumbers > 0)
		return usage_outside_numbers(text);
	if (!mentions_usage(body->data, body->len))
		return NULL;
	if (text == NULL && body->len >= USAGE_SCAN_MIN_LEN)
	{
		text = MlJsonTextScan(body->data, body->len, InvalidOid);
		if (text != NULL && text->nnumbers > 0)
			return usage_outside_numbers(text);
	}
	body->json = try_parse(body->data, body->len);
	return body->json;
}

/*
 * header_count
 *		The token count of a usage header into *count; false, leaving 0,
 *		when absent or not a count from 0 to USAGE_MAX_TOKENS.
 */
static bool
header_count(const char *value, int64 *count)
{
	int64		n;

	if (value == NULL || !MlParseInt(value, &n) || n < 0 ||
		n > USAGE_MAX_TOKENS)
		return false;
	*count = n;
	return true;
}

/*
 * MlResponseUsage
 *		The prompt and completion tokens an answer reports (0 for a side it
 *		leaves out); false when it reports no usage.  A body parsed whole is
 *		kept in body->json.
 */
bool
MlResponseUsage(MlResponseBody *body, int64 *prompt_tokens,
				int64 *completion_tokens)
{
	const char *in = header_value(body, "x-amzn-bedrock-input-token-count");
	const char *out = header_value(body, "x-amzn-bedrock-output-token-count");
	JsonbValue	root;
	Jsonb	   *doc;
	int			i;

	*prompt_tokens = *completion_tokens = 0;
	if (in != NULL || out != NULL)
	{
		bool		found_in = header_count(in, prompt_tokens);
		bool		found_out = header_count(out, completion_tokens);

		if (found_in || found_out)
			return true;
	}
	/* a chat answer the decoder read without jsonb */
	if (body->json == NULL && body->text != NULL && body->text->nnumbers == 0)
	{
		TextFound	found = text_usage(body->text, prompt_tokens,
									   completion_tokens);

		if (found != TEXT_UNKNOWN)
			return found == TEXT_FOUND;
		*prompt_tokens = *completion_tokens = 0;
	}
	if ((doc = usage_json(body)) == NULL)
		return false;

	root.type = jbvBinary;
	root.val.binary.data = &doc->root;
	root.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	for (i = 0; i < lengthof(usage_fields); i++)
	{
		bool		found_prompt = sum_fields(&root, usage_fields[i].prompt, prompt_tokens);
		bool		found_completion = sum_fields(&root, usage_fields[i].completion,
												  completion_tokens);

		if (found_prompt || found_completion)
			return true;
	}
	*prompt_tokens = *completion_tokens = 0;
	return false;
}
