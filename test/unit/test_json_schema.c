/*
 * test_json_schema.c
 *	  Unit tests of src/types/json_schema.c: the JSON Schema printed for
 *	  a model's OUTPUT tree in the strict (OpenAI, Anthropic) and OpenAPI
 *	  (Gemini) dialects, and the escaping of property names.
 */
#include <stdlib.h>
#include <string.h>

#include "types/json_schema.h"
#include "unit_check.h"

typedef struct Buf
{
	char		data[4096];
	size_t		len;
} Buf;

static void
buf_append(void *ctx, const char *s, size_t n)
{
	Buf		   *b = ctx;

	if (b->len + n >= sizeof(b->data))
		abort();
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static const char *
schema(const MlJsNode *node, MlJsDialect dialect)
{
	static Buf	b;

	b.len = 0;
	b.data[0] = '\0';
	MlJsWrite(node, dialect, buf_append, &b);
	return b.data;
}

#define CHECK_EQ(got, want) check(strcmp((got), (want)) == 0, __LINE__, got)

/* OUTPUT(sentiment STRING, score DOUBLE, topics ARRAY<STRING>) */
static void
test_extract(void)
{
	MlJsNode	sentiment = {.kind = ML_JS_STRING, .nullable = true};
	MlJsNode	score = {.kind = ML_JS_NUMBER, .nullable = true};
	MlJsNode	item = {.kind = ML_JS_STRING, .nullable = false};
	MlJsNode	topics = {.kind = ML_JS_ARRAY, .nullable = true, .description = NULL, .items = &item};
	const char *names[] = {"sentiment", "score", "topics"};
	const MlJsNode *props[] = {&sentiment, &score, &topics};
	MlJsNode	root = {.kind = ML_JS_OBJECT, .nullable = false, .description = NULL, .items = NULL, .nprops = 3, .names = names, .props = props};

	CHECK_EQ(schema(&root, ML_JS_STRICT),
			 "{\"type\": \"object\", \"properties\": {"
			 "\"sentiment\": {\"type\": [\"string\", \"null\"]}, "
			 "\"score\": {\"type\": [\"number\", \"null\"]}, "
			 "\"topics\": {\"type\": [\"array\", \"null\"], \"items\": {\"type\": \"string\"}}}, "
			 "\"required\": [\"sentiment\", \"score\", \"topics\"], "
			 "\"additionalProperties\": false}");
	CHECK_EQ(schema(&root, ML_JS_OPENAPI),
			 "{\"type\": \"OBJECT\", \"properties\": {"
			 "\"sentiment\": {\"type\": \"STRING\", \"nullable\": true}, "
			 "\"score\": {\"type\": \"NUMBER\", \"nullable\": true}, "
			 "\"topics\": {\"type\": \"ARRAY\", \"nullable\": true, \"items\": {\"type\": \"STRING\"}}}, "
			 "\"required\": [\"sentiment\", \"score\", \"topics\"], "
			 "\"propertyOrdering\": [\"sentiment\", \"score\", \"topics\"]}");
}

/* a nested object in an array, descriptions, every scalar kind */
static void
test_nested(void)
{
	MlJsNode	n = {.kind = ML_JS_INTEGER, .nullable = false};
	MlJsNode	ok = {.kind = ML_JS_BOOLEAN, .nullable = true};
	MlJsNode	day = {.kind = ML_JS_STRING, .nullable = true, .description = "a date, YYYY-MM-DD"};
	const char *names[] = {"n", "ok"};
	const MlJsNode *props[] = {&n, &ok};
	MlJsNode	row = {.kind = ML_JS_OBJECT, .nullable = false, .description = NULL, .items = NULL, .nprops = 2, .names = names, .props = props};
	MlJsNode	rows = {.kind = ML_JS_ARRAY, .nullable = true, .description = NULL, .items = &row};
	const char *top_names[] = {"rows", "day"};
	const MlJsNode *top_props[] = {&rows, &day};
	MlJsNode	root = {.kind = ML_JS_OBJECT, .nullable = false, .description = NULL, .items = NULL, .nprops = 2, .names = top_names, .props = top_props};

	CHECK_EQ(schema(&root, ML_JS_STRICT),
			 "{\"type\": \"object\", \"properties\": {"
			 "\"rows\": {\"type\": [\"array\", \"null\"], \"items\": "
			 "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}, "
			 "\"ok\": {\"type\": [\"boolean\", \"null\"]}}, \"required\": [\"n\", \"ok\"], "
			 "\"additionalProperties\": false}}, "
			 "\"day\": {\"type\": [\"string\", \"null\"], \"description\": \"a date, YYYY-MM-DD\"}}, "
			 "\"required\": [\"rows\", \"day\"], \"additionalProperties\": false}");
	CHECK_EQ(schema(&rows, ML_JS_OPENAPI),
			 "{\"type\": \"ARRAY\", \"nullable\": true, \"items\": "
			 "{\"type\": \"OBJECT\", \"properties\": {\"n\": {\"type\": \"INTEGER\"}, "
			 "\"ok\": {\"type\": \"BOOLEAN\", \"nullable\": true}}, "
			 "\"required\": [\"n\", \"ok\"], \"propertyOrdering\": [\"n\", \"ok\"]}}");
}

/* an object without properties, and names that need escaping */
static void
test_escaping(void)
{
	MlJsNode	s = {.kind = ML_JS_STRING, .nullable = false};
	const char *names[] = {"say \"hi\"\\", "tab\there\x01", "caf\xc3\xa9"};
	const MlJsNode *props[] = {&s, &s, &s};
	MlJsNode	root = {.kind = ML_JS_OBJECT, .nullable = false, .description = NULL, .items = NULL, .nprops = 3, .names = names, .props = props};
	MlJsNode	empty = {.kind = ML_JS_OBJECT, .nullable = false, .description = NULL, .items = NULL, .nprops = 0, .names = NULL, .props = NULL};

	CHECK_EQ(schema(&root, ML_JS_STRICT),
			 "{\"type\": \"object\", \"properties\": {"
			 "\"say \\\"hi\\\"\\\\\": {\"type\": \"string\"}, "
			 "\"tab\\there\\u0001\": {\"type\": \"string\"}, "
			 "\"caf\xc3\xa9\": {\"type\": \"string\"}}, "
			 "\"required\": [\"say \\\"hi\\\"\\\\\", \"tab\\there\\u0001\", \"caf\xc3\xa9\"], "
			 "\"additionalProperties\": false}");
	CHECK_EQ(schema(&empty, ML_JS_OPENAPI),
			 "{\"type\": \"OBJECT\", \"properties\": {}, \"required\": [], "
			 "\"propertyOrdering\": []}");
}

int
main(void)
{
	test_extract();
	test_nested();
	test_escaping();
	return unit_report();
}
