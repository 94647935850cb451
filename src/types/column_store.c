/*-------------------------------------------------------------------------
 *
 * column_store.c
 *	  The stored and displayed forms of model column lists.
 *
 * This file owns the JSON form in which a column list is kept in the
 * catalog (MlColumnsToJson, MlColumnsFromJson), the comparison of two
 * lists (MlColumnsEqual) and the Flink form DESCRIBE shows
 * (MlColumnsToFlink).
 *
 * All memory is palloc'd in CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/types/column_store.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "types/typemap.h"
#include "types/typemap_internal.h"

/*
 * MlColumnsToFlink
 *		The column list as DESCRIBE shows it: "`name` DECL, ...".
 */
char *
MlColumnsToFlink(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, columns)
	{
		MlColumn   *col = lfirst(lc);

		if (lc != list_head(columns))
			appendStringInfoString(&buf, ", ");
		TypemapAppendBackquoted(&buf, col->name);
		appendStringInfo(&buf, " %s", col->decl);
	}
	return buf.data;
}

/*
 * MlColumnsToJson
 *		The storage form: a JSON array of {"name", "type", "pgtype"}.
 */
char *
MlColumnsToJson(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, columns)
	{
		MlColumn   *col = lfirst(lc);

		if (lc != list_head(columns))
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		escape_json(&buf, col->name);
		appendStringInfoString(&buf, ", \"type\": ");
		escape_json(&buf, col->decl);
		appendStringInfoString(&buf, ", \"pgtype\": ");
		escape_json(&buf, col->pgtype);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* raise the error for a stored column list that cannot be read */
static _Noreturn void
bad_column_json(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid stored model column list"),
			 errdetail("Expected a JSON array of objects with string members \"name\", \"type\" and \"pgtype\".")));
}

/* a string member of a JSON object */
static char *
json_string_member(JsonbContainer *object, const char *key)
{
	JsonbValue	value;

	if (getKeyJsonValueFromContainer(object, key, strlen(key), &value) == NULL ||
		value.type != jbvString)
		bad_column_json();
	return pnstrdup(value.val.string.val, value.val.string.len);
}

/*
 * MlColumnsFromJson
 *		Read the storage form back, resolving every type.
 */
List *
MlColumnsFromJson(const char *json)
{
	Jsonb	   *jb;
	List	   *columns = NIL;
	uint32		count;

	if (json == NULL)
		return NIL;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
	if (!JB_ROOT_IS_ARRAY(jb) || JB_ROOT_IS_SCALAR(jb))
		bad_column_json();
	count = JB_ROOT_COUNT(jb);
	for (uint32 i = 0; i < count; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(&jb->root, i);
		MlColumn   *col = palloc0(sizeof(MlColumn));

		if (elem == NULL || elem->type != jbvBinary ||
			!JsonContainerIsObject(elem->val.binary.data))
			bad_column_json();
		col->name = json_string_member(elem->val.binary.data, "name");
		col->decl = json_string_member(elem->val.binary.data, "type");
		col->pgtype = json_string_member(elem->val.binary.data, "pgtype");
		MlResolveColumn(col);
		columns = lappend(columns, col);
	}
	return columns;
}

/*
 * canonical_decl
 *		A declaration with Flink's spelled-out names of STRING and BYTES
 *		(VARCHAR(2147483647), VARBINARY(2147483647), as Confluent's SHOW
 *		CREATE MODEL prints them) replaced by the short names: the same
 *		types, wherever they are nested.
 */
static char *
canonical_decl(const char *decl)
{
	static const char *const spelled[][2] = {
		{"VARCHAR(2147483647)", "STRING"},
		{"VARBINARY(2147483647)", "BYTES"},
	};
	StringInfoData buf;
	const char *p = decl;

	initStringInfo(&buf);
	while (*p != '\0')
	{
		int			i;

		for (i = 0; i < lengthof(spelled); i++)
		{
			size_t		len = strlen(spelled[i][0]);

			if (strncmp(p, spelled[i][0], len) == 0)
			{
				appendStringInfoString(&buf, spelled[i][1]);
				p += len;
				break;
			}
		}
		if (i == lengthof(spelled))
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/*
 * MlColumnsEqual
 *		True when both lists declare the same columns in the same order:
 *		same names, declarations (STRING and VARCHAR(2147483647) being one
 *		type, as in Flink) and resolved types (not the pgtype text, which
 *		older versions stored unqualified).
 */
bool
MlColumnsEqual(List *a, List *b)
{
	ListCell   *la;
	ListCell   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
	{
		MlColumn   *ca = lfirst(la);
		MlColumn   *cb = lfirst(lb);

		if (strcmp(ca->name, cb->name) != 0 ||
			strcmp(canonical_decl(ca->decl), canonical_decl(cb->decl)) != 0 ||
			ca->typid != cb->typid || ca->typmod != cb->typmod)
			return false;
	}
	return true;
}
