/*-------------------------------------------------------------------------
 *
 * json_schema.h
 *	  Pure C: a small tree describing the JSON shape of a model's OUTPUT
 *	  (objects, arrays, scalars, nullability) and its writer, which prints
 *	  the tree as a JSON Schema in the dialect a provider's structured-
 *	  output request takes.
 *
 * Dialects:
 *	ML_JS_STRICT	JSON Schema as OpenAI's strict mode accepts it (and as
 *					Anthropic's tool input_schema takes it): "type" in lower
 *					case, nullable values as a type array ["string", "null"],
 *					every object lists all its properties in "required" and
 *					says "additionalProperties": false.
 *	ML_JS_OPENAPI	The OpenAPI 3.0 subset of Gemini's responseSchema
 *					(Google AI and Vertex AI): "type" in upper case,
 *					"nullable": true, "required" and "propertyOrdering"
 *					listing every property, no additionalProperties.
 * Both keep the properties in tree order and print a "description" when
 * a node has one.  The writer appends through a callback, so the server
 * passes a StringInfo and the unit test a plain buffer.
 *
 * IDENTIFICATION
 *	  src/types/json_schema.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_JSON_SCHEMA_H
#define MLPREDICT_JSON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

typedef enum MlJsKind
{
	ML_JS_STRING,
	ML_JS_INTEGER,
	ML_JS_NUMBER,
	ML_JS_BOOLEAN,
	ML_JS_ARRAY,
	ML_JS_OBJECT
} MlJsKind;

typedef enum MlJsDialect
{
	ML_JS_STRICT,
	ML_JS_OPENAPI
} MlJsDialect;

typedef struct MlJsNode
{
	MlJsKind	kind;
	bool		nullable;
	const char *description;	/* NULL: none */
	const struct MlJsNode *items;	/* ML_JS_ARRAY: the element */
	int			nprops;			/* ML_JS_OBJECT: its properties, in order */
	const char *const *names;
	const struct MlJsNode *const *props;
} MlJsNode;

/* appends n bytes of s to the output ctx */
typedef void (*MlJsAppend) (void *ctx, const char *s, size_t n);

/* print node as a JSON Schema in dialect */
extern void MlJsWrite(const MlJsNode *node, MlJsDialect dialect,
					  MlJsAppend append, void *ctx);

/* print s as a JSON string (quotes and escapes); s is UTF-8 */
extern void MlJsWriteString(const char *s, MlJsAppend append, void *ctx);

#endif							/* MLPREDICT_JSON_SCHEMA_H */
