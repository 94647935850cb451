/*-------------------------------------------------------------------------
 *
 * json_schema.c
 *	  Pure C: printing an MlJsNode tree (the JSON shape of a model's
 *	  OUTPUT) as the JSON Schema of a structured-output request, in
 *	  OpenAI's strict dialect or Gemini's OpenAPI subset (json_schema.h).
 *
 * IDENTIFICATION
 *	  src/types/json_schema.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "types/json_schema.h"

/* the type names of each dialect, by MlJsKind */
static const char *const strict_types[] = {
	"string", "integer", "number", "boolean", "array", "object"
};
static const char *const openapi_types[] = {
	"STRING", "INTEGER", "NUMBER", "BOOLEAN", "ARRAY", "OBJECT"
};

/* append a NUL-terminated string */
static void
put(MlJsAppend append, void *ctx, const char *s)
{
	append(ctx, s, strlen(s));
}

/*
 * MlJsWriteString
 *		s as a JSON string: quote, backslash and control characters escaped,
 *		other bytes (UTF-8) as they are.
 */
void
MlJsWriteString(const char *s, MlJsAppend append, void *ctx)
{
	const char *run = s;

	put(append, ctx, "\"");
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;
		char		esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		append(ctx, run, (size_t) (s - run));
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		put(append, ctx, esc);
		run = s + 1;
	}
	append(ctx, run, (size_t) (s - run));
	put(append, ctx, "\"");
}

/* "type": ..., with the null alternative in the strict dialect */
static void
write_type(const MlJsNode *node, MlJsDialect dialect, MlJsAppend append,
		   void *ctx)
{
	put(append, ctx, "\"type\": ");
	if (dialect == ML_JS_OPENAPI)
	{
		MlJsWriteString(openapi_types[node->kind], append, ctx);
		if (node->nullable)
			put(append, ctx, ", \"nullable\": true");
		return;
	}
	if (node->nullable)
		put(append, ctx, "[");
	MlJsWriteString(strict_types[node->kind], append, ctx);
	if (node->nullable)
		put(append, ctx, ", \"null\"]");
}

/* a JSON array of the object's property names */
static void
write_names(const MlJsNode *node, MlJsAppend append, void *ctx)
{
	put(append, ctx, "[");
	for (int i = 0; i < node->nprops; i++)
	{
		if (i > 0)
			put(append, ctx, ", ");
		MlJsWriteString(node->names[i], append, ctx);
	}
	put(append, ctx, "]");
}

/* "properties", "required" and the dialect's closing rule of an object */
static void
write_object(const MlJsNode *node, MlJsDialect dialect, MlJsAppend append,
			 void *ctx)
{
	put(append, ctx, ", \"properties\": {");
	for (int i = 0; i < node->nprops; i++)
	{
		if (i > 0)
			put(append, ctx, ", ");
		MlJsWriteString(node->names[i], append, ctx);
		put(append, ctx, ": ");
		MlJsWrite(node->props[i], dialect, append, ctx);
	}
	put(append, ctx, "}, \"required\": ");
	write_names(node, append, ctx);
	if (dialect == ML_JS_OPENAPI)
	{
		put(append, ctx, ", \"propertyOrdering\": ");
		write_names(node, append, ctx);
	}
	else
		put(append, ctx, ", \"additionalProperties\": false");
}

/*
 * MlJsWrite
 *		node and everything under it as a JSON Schema object.
 */
void
MlJsWrite(const MlJsNode *node, MlJsDialect dialect, MlJsAppend append,
		  void *ctx)
{
	put(append, ctx, "{");
	write_type(node, dialect, append, ctx);
	if (node->description)
	{
		put(append, ctx, ", \"description\": ");
		MlJsWriteString(node->description, append, ctx);
	}
	if (node->kind == ML_JS_ARRAY)
	{
		put(append, ctx, ", \"items\": ");
		MlJsWrite(node->items, dialect, append, ctx);
	}
	else if (node->kind == ML_JS_OBJECT)
		write_object(node, dialect, append, ctx);
	put(append, ctx, "}");
}
