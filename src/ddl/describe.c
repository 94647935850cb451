/*-------------------------------------------------------------------------
 *
 * describe.c
 *	  DESCRIBE CONNECTION, SHOW CONNECTIONS, DESCRIBE MODEL, SHOW MODELS and
 *	  SHOW CREATE MODEL, with Confluent's columns.
 *
 * Secrets are never part of a result: connections show name, type,
 * endpoint (credentials in its query string masked: MlMaskedEndpoint) and
 * comment; models hold no secrets.  mlpredict.masked_endpoint() gives the
 * views the same masking.  Options are shown as
 * {KEY=value, ...} with upper-case keys, as Confluent does.
 *
 * IDENTIFICATION
 *	  src/ddl/describe.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "catalog/ml_catalog.h"
#include "ddl/describe.h"
#include "provider/provider.h"
#include "types/typemap.h"
#include "util.h"

static const char *const connection_columns[] = {"Name", "Type", "Endpoint", "Comment"};
static const char *const name_column[] = {"Name"};
static const char *const model_name_column[] = {"Model Name"};
static const char *const model_columns[] = {"Inputs", "Outputs", "Options", "Comment"};
static const char *const version_columns[] = {
	"VersionId", "IsDefaultVersion", "Inputs", "Outputs", "Options", "Comment"
};
static const char *const create_model_column[] = {"Create Model"};

PG_FUNCTION_INFO_V1(mlpredict_masked_endpoint);

/*
 * mlpredict_masked_endpoint
 *		mlpredict.masked_endpoint(text): an endpoint as the views show it.
 */
Datum
mlpredict_masked_endpoint(PG_FUNCTION_ARGS)
{
	char	   *endpoint = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(MlMaskedEndpoint(endpoint)));
}

/*
 * new_result
 *		An empty result with the given columns.
 */
static DdlResult *
new_result(const char *const *columns, int ncolumns)
{
	DdlResult  *result = palloc0(sizeof(DdlResult));

	result->columns = columns;
	result->ncolumns = ncolumns;
	return result;
}

/*
 * add_row
 *		Append a row of ncolumns strings.
 */
static void
add_row(DdlResult *result, char **values)
{
	char	  **row = palloc(sizeof(char *) * result->ncolumns);

	memcpy(row, values, sizeof(char *) * result->ncolumns);
	result->rows = lappend(result->rows, row);
}

/*
 * DescribeConnection
 *		One row: Name, Type (upper case), Endpoint, Comment.
 */
DdlResult *
DescribeConnection(const char *name)
{
	MlConnection *conn = CatalogGetConnection(name, false, false);
	DdlResult  *result = new_result(connection_columns, 4);
	char	   *row[4];

	row[0] = conn->name;
	row[1] = asc_toupper(conn->type, strlen(conn->type));
	row[2] = MlMaskedEndpoint(conn->endpoint);
	row[3] = conn->comment;
	add_row(result, row);
	return result;
}

/*
 * ShowConnections
 *		Names of connections, optionally filtered by [NOT] LIKE.
 */
DdlResult *
ShowConnections(const char *pattern, bool not_like)
{
	DdlResult  *result = new_result(name_column, 1);
	ListCell   *lc;

	foreach(lc, CatalogListConnections())
	{
		char	   *name = lfirst(lc);

		if (pattern && MlLikeMatch(name, pattern) == not_like)
			continue;
		add_row(result, &name);
	}
	return result;
}

/*
 * compare_keys
 *		Sort options by key, as DESCRIBE and SHOW CREATE MODEL list them.
 */
static int
compare_keys(const ListCell *a, const ListCell *b)
{
	return strcmp(((MlOption *) lfirst(a))->key, ((MlOption *) lfirst(b))->key);
}

/*
 * options_text
 *		{KEY=value, ...} with upper-case keys, sorted.
 */
static char *
options_text(List *options)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	options = list_copy(options);
	list_sort(options, compare_keys);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		appendStringInfo(&buf, "%s%s=%s", first ? "" : ", ",
						 asc_toupper(opt->key, strlen(opt->key)), opt->value);
		first = false;
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * DescribeModel
 *		Default version: Inputs, Outputs, Options, Comment.  With a version
 *		($n, $latest, $all) or all_columns: VersionId and IsDefaultVersion
 *		first, one row per version.
 */
DdlResult *
DescribeModel(MlModelRef *ref, bool all_columns)
{
	List	   *versions = CatalogGetModelVersions(ref, false);
	bool		with_version = all_columns || ref->version_kind != ML_VERSION_DEFAULT;
	DdlResult  *result = with_version ? new_result(version_columns, 6) :
		new_result(model_columns, 4);
	ListCell   *lc;

	foreach(lc, versions)
	{
		MlModel    *m = lfirst(lc);
		char	   *row[6];
		int			i = 0;

		if (with_version)
		{
			row[i++] = psprintf("%d", m->version);
			row[i++] = m->version == m->default_version ? "true" : "false";
		}
		row[i++] = psprintf("(%s)", MlColumnsToFlink(m->input));
		row[i++] = psprintf("(%s)", MlColumnsToFlink(m->output));
		row[i++] = options_text(m->options);
		row[i++] = m->comment;
		add_row(result, row);
	}
	return result;
}

/*
 * ShowModels
 *		Model names in a schema (default: first schema of search_path).  A
 *		schema that does not exist is an error, as Flink's SHOW MODELS FROM
 *		a database that does not exist is.
 */
DdlResult *
ShowModels(const char *schema, const char *pattern, bool not_like)
{
	DdlResult  *result = new_result(model_name_column, 1);
	ListCell   *lc;

	if (schema != NULL && !OidIsValid(get_namespace_oid(schema, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("schema \"%s\" does not exist", schema),
				 errhint("SHOW MODELS FROM takes a schema, or Confluent's `environment`.`cluster`, which is this database and lists what SHOW MODELS lists.")));
	foreach(lc, CatalogListModels(schema))
	{
		char	   *name = lfirst(lc);

		if (pattern && MlLikeMatch(name, pattern) == not_like)
			continue;
		add_row(result, &name);
	}
	return result;
}

/*
 * backquote
 *		`name` with embedded backquotes doubled.
 */
static char *
backquote(const char *name)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '`');
	for (p = name; *p; p++)
	{
		if (*p == '`')
			appendStringInfoChar(&buf, '`');
		appendStringInfoChar(&buf, *p);
	}
	appendStringInfoChar(&buf, '`');
	return buf.data;
}

/*
 * ShowCreateModelText
 *		A CREATE MODEL statement that recreates the version (run through
 *		mlpredict.execute() it adds a version to an existing model).
 */
char *
ShowCreateModelText(MlModelRef *ref)
{
	MlModel    *m = CatalogGetModel(ref, false);
	StringInfoData buf;
	List	   *options = list_copy(m->options);
	ListCell   *lc;
	bool		first = true;

	list_sort(options, compare_keys);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE MODEL %s.%s\nINPUT (%s)\nOUTPUT (%s)\n",
					 backquote(m->schema), backquote(m->name),
					 MlColumnsToFlink(m->input), MlColumnsToFlink(m->output));
	if (m->comment)
		appendStringInfo(&buf, "COMMENT %s\n", quote_literal_cstr(m->comment));
	appendStringInfoString(&buf, "WITH (\n");
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		appendStringInfo(&buf, "%s  %s = %s", first ? "" : ",\n",
						 quote_literal_cstr(asc_toupper(opt->key, strlen(opt->key))),
						 quote_literal_cstr(opt->value));
		first = false;
	}
	appendStringInfoString(&buf, "\n)");
	return buf.data;
}

/*
 * ShowCreateModel
 *		One row with the CREATE MODEL text.
 */
DdlResult *
ShowCreateModel(MlModelRef *ref)
{
	DdlResult  *result = new_result(create_model_column, 1);
	char	   *text = ShowCreateModelText(ref);

	add_row(result, &text);
	return result;
}
