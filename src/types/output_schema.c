/*-------------------------------------------------------------------------
 *
 * output_schema.c
 *	  Structured outputs: the JSON shape of a model's OUTPUT columns as an
 *	  MlJsNode tree (json_schema.h), from their Flink declarations and
 *	  PostgreSQL types.
 *
 * The answer is one JSON object with a member per OUTPUT column, named
 * as the column, each nullable (an SQL column may be NULL).  A column's
 * shape:
 *	text, varchar, char, and any type not listed	string
 *	smallint, integer, bigint						integer
 *	real, double precision, numeric					number
 *	boolean											boolean
 *	date, time, timestamp[tz]						string (described)
 *	ARRAY<T>, T[]									array of T (elements not null)
 *	ROW<name T, ...>, composite types				object of its fields
 *	domains											their base type
 * A Flink declaration gives the exact nesting (ARRAY<ARRAY<INT>>,
 * ARRAY<ROW<...>>, whose PostgreSQL types are int[] and jsonb[]), so it
 * is read first; a PostgreSQL declaration is read from its type.  Plain
 * json/jsonb and bytea have no fixed JSON shape and are refused.
 *
 * IDENTIFICATION
 *	  src/types/output_schema.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/typcache.h"

#include "compat.h"
#include "types/output_schema.h"
#include "types/typemap.h"

/* nesting deeper than this is refused (a ROW containing itself cannot
 * be declared, but a composite type can nest deeply) */
#define OUTPUT_SCHEMA_MAX_DEPTH 16

typedef struct SchemaCtx
{
	const char *format;
	const char *column;			/* the OUTPUT column, for errors */
} SchemaCtx;

static MlJsNode *type_node(SchemaCtx *ctx, Oid typid, int32 typmod,
						   const char *decl, int depth);

/*
 * MlOutputIsStructured
 *		Several OUTPUT columns, or one that is not text/varchar/char.
 */
bool
MlOutputIsStructured(List *output)
{
	Oid			typid;

	if (list_length(output) != 1)
		return true;
	typid = getBaseType(((MlColumn *) linitial(output))->typid);
	return !(typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID);
}

/* a node of kind, nullable, without children */
static MlJsNode *
new_node(MlJsKind kind, bool nullable)
{
	MlJsNode   *node = palloc0(sizeof(MlJsNode));

	node->kind = kind;
	node->nullable = nullable;
	return node;
}

/* an object node of the columns (MlColumn *), each nullable */
static MlJsNode *
columns_node(SchemaCtx *ctx, List *columns, int depth)
{
	MlJsNode   *node = new_node(ML_JS_OBJECT, false);
	const char **names = palloc0(sizeof(char *) * (list_length(columns) + 1));
	const MlJsNode **props = palloc0(sizeof(MlJsNode *) * (list_length(columns) + 1));
	ListCell   *lc;

	foreach(lc, columns)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);
		MlJsNode   *prop = type_node(ctx, col->typid, col->typmod, col->decl,
									 depth + 1);

		prop->nullable = true;
		names[i] = col->name;
		props[i] = prop;
	}
	node->nprops = list_length(columns);
	node->names = names;
	node->props = props;
	return node;
}

/* the fields of a composite type as MlColumns */
static List *
composite_fields(Oid typid, int32 typmod)
{
	TupleDesc	tupdesc = lookup_rowtype_tupdesc(typid, typmod);
	List	   *fields = NIL;

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		MlColumn   *col;

		if (att->attisdropped)
			continue;
		col = palloc0(sizeof(MlColumn));
		col->name = pstrdup(NameStr(att->attname));
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		fields = lappend(fields, col);
	}
	ReleaseTupleDesc(tupdesc);
	return fields;
}

/* the text between "<prefix><" and the last ">" of decl, or NULL */
static char *
flink_inner(const char *decl, const char *prefix)
{
	size_t		plen = strlen(prefix);
	size_t		len;

	if (decl == NULL || strncmp(decl, prefix, plen) != 0 || decl[plen] != '<')
		return NULL;
	len = strlen(decl);
	if (len < plen + 2 || decl[len - 1] != '>')
		return NULL;
	return pnstrdup(decl + plen + 1, len - plen - 2);
}

/* a string node with a description */
static MlJsNode *
described_string(const char *description)
{
	MlJsNode   *node = new_node(ML_JS_STRING, false);

	node->description = description;
	return node;
}

/* refuse a type with no fixed JSON shape */
static pg_noreturn void
no_shape(SchemaCtx *ctx, Oid typid)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
			 errmsg("OUTPUT column \"%s\" of type %s has no fixed JSON shape for format %s's structured outputs",
					ctx->column, format_type_be(typid), ctx->format),
			 errhint("Declare it as ROW<...>, ARRAY<...> or a scalar type, or as a single STRING OUTPUT column to get the model's text.")));
}

/* the node of a scalar or PostgreSQL container type */
static MlJsNode *
pg_type_node(SchemaCtx *ctx, Oid typid, int32 typmod, int depth)
{
	Oid			base = getBaseType(typid);
	Oid			elem = get_element_type(base);

	if (OidIsValid(elem))
	{
		MlJsNode   *node = new_node(ML_JS_ARRAY, false);

		node->items = type_node(ctx, elem, -1, NULL, depth + 1);
		return node;
	}
	if (type_is_rowtype(base))
		return columns_node(ctx, composite_fields(base, typmod), depth);
	switch (base)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return new_node(ML_JS_INTEGER, false);
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return new_node(ML_JS_NUMBER, false);
		case BOOLOID:
			return new_node(ML_JS_BOOLEAN, false);
		case DATEOID:
			return described_string("a date, YYYY-MM-DD");
		case TIMEOID:
			return described_string("a time of day, HH:MM:SS");
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return described_string("a timestamp, ISO 8601");
		case JSONOID:
		case JSONBOID:
		case BYTEAOID:
			no_shape(ctx, typid);
		default:
			return new_node(ML_JS_STRING, false);
	}
}

/*
 * type_node
 *		The node of one type: from its Flink declaration when that says
 *		ARRAY<...> or ROW<...>, else from the PostgreSQL type.
 */
static MlJsNode *
type_node(SchemaCtx *ctx, Oid typid, int32 typmod, const char *decl, int depth)
{
	char	   *inner;

	if (depth > OUTPUT_SCHEMA_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("OUTPUT column \"%s\" nests more than %d levels deep",
						ctx->column, OUTPUT_SCHEMA_MAX_DEPTH)));
	if ((inner = flink_inner(decl, "ARRAY")) != NULL)
	{
		MlColumn   *elem = linitial(MlParseColumns(psprintf("e %s", inner),
												   "OUTPUT", NULL, 0));
		MlJsNode   *node = new_node(ML_JS_ARRAY, false);

		node->items = type_node(ctx, elem->typid, elem->typmod, elem->decl,
								depth + 1);
		return node;
	}
	if ((inner = flink_inner(decl, "ROW")) != NULL)
		return columns_node(ctx, MlParseColumns(inner, "OUTPUT", NULL, 0), depth);
	return pg_type_node(ctx, typid, typmod, depth);
}

/*
 * MlOutputSchema
 *		The object whose members are the OUTPUT columns.
 */
const MlJsNode *
MlOutputSchema(List *output, const char *format)
{
	MlJsNode   *root = new_node(ML_JS_OBJECT, false);
	const char **names = palloc0(sizeof(char *) * (list_length(output) + 1));
	const MlJsNode **props = palloc0(sizeof(MlJsNode *) * (list_length(output) + 1));
	SchemaCtx	ctx = {format, NULL};
	ListCell   *lc;

	foreach(lc, output)
	{
		MlColumn   *col = lfirst(lc);
		int			i = foreach_current_index(lc);
		MlJsNode   *prop;

		ctx.column = col->name;
		prop = type_node(&ctx, col->typid, col->typmod, col->decl, 1);
		prop->nullable = true;
		names[i] = col->name;
		props[i] = prop;
	}
	root->nprops = list_length(output);
	root->names = names;
	root->props = props;
	return root;
}

/* MlJsAppend onto a StringInfo */
static void
append_to_stringinfo(void *ctx, const char *s, size_t n)
{
	appendBinaryStringInfo((StringInfo) ctx, s, (int) n);
}

/*
 * MlAppendOutputSchema
 *		The OUTPUT columns' schema in dialect, appended to buf.
 */
void
MlAppendOutputSchema(StringInfo buf, List *output, MlJsDialect dialect,
					 const char *format)
{
	MlJsWrite(MlOutputSchema(output, format), dialect, append_to_stringinfo, buf);
}
