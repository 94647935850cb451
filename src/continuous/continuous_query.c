/*-------------------------------------------------------------------------
 *
 * continuous_query.c
 *	  A continuous query's catalog row as a struct, the rights a batch
 *	  needs, and the text of the statements a batch runs.
 *
 * The row is read as the extension owner (catalog_access.c).  The batch
 * statements are generated here, from the row, so the worker side runs
 * them without writing SQL of its own (see continuous.h for their
 * contract).  Every name is quoted, relations are written by OID-derived
 * qualified names, key values travel as text in $1 and are cast to the key
 * columns' types, so nothing a user named can change a statement's shape.
 *
 * IDENTIFICATION
 *	  src/continuous/continuous_query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "compat.h"
#include "catalog/ml_catalog.h"
#include "continuous/continuous.h"
#include "continuous/cq_internal.h"
#include "types/typemap.h"
#include "util.h"

/* the columns of mlpredict.continuous_query that ContinuousQueryLoad reads */
#define LOAD_SQL \
	"SELECT q.name, q.owner::pg_catalog.oid, q.source::pg_catalog.oid, q.source_key::pg_catalog.text[], " \
	"q.sink::pg_catalog.oid, q.sink_key::pg_catalog.text[], q.model_schema::pg_catalog.text, q.model_name, " \
	"q.model_version, q.inputs::pg_catalog.text[], q.where_clause, q.state, q.statement, " \
	"(q.options OPERATOR(pg_catalog.->>) 'backfill')::pg_catalog.bool, " \
	"(q.options OPERATOR(pg_catalog.->>) 'delete')::pg_catalog.bool, " \
	"(q.options OPERATOR(pg_catalog.->>) 'batch_size')::pg_catalog.int4, " \
	"(q.options OPERATOR(pg_catalog.->>) 'max_attempts')::pg_catalog.int4, " \
	"q.options OPERATOR(pg_catalog.->>) 'provenance_column', " \
	"ARRAY(SELECT t OPERATOR(pg_catalog.->>) 'sink' FROM pg_catalog.jsonb_array_elements(q.targets) WITH ORDINALITY AS e(t, n) ORDER BY n), " \
	"ARRAY(SELECT coalesce(t OPERATOR(pg_catalog.->>) 'source', t OPERATOR(pg_catalog.->>) 'output') FROM pg_catalog.jsonb_array_elements(q.targets) WITH ORDINALITY AS e(t, n) ORDER BY n), " \
	"ARRAY(SELECT CASE WHEN t OPERATOR(pg_catalog.?) 'source' THEN 's' WHEN t OPERATOR(pg_catalog.?) 'output' THEN 'o' ELSE 'v' END FROM pg_catalog.jsonb_array_elements(q.targets) WITH ORDINALITY AS e(t, n) ORDER BY n), " \
	"q.options OPERATOR(pg_catalog.->>) 'runtime_options' " \
	"FROM mlpredict.continuous_query q WHERE q.name OPERATOR(pg_catalog.=) $1"

/*
 * text_array
 *		The elements of a text[] column of the current SPI row as C strings
 *		(NULL elements stay NULL); *n receives the count.
 */
static char **
text_array(int col, int *n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	char	  **result;
	int			i;

	*n = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	result = palloc0(sizeof(char *) * (*n + 1));
	for (i = 0; i < *n; i++)
		result[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	return result;
}

static int
int_column(int col, int missing)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? missing : DatumGetInt32(d);
}

static bool
bool_column(int col, bool missing)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? missing : DatumGetBool(d);
}

static Oid
oid_column(int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/*
 * unpack_row
 *		The current SPI row into a ContinuousQuery (in CurrentMemoryContext).
 */
static ContinuousQuery *
unpack_row(void)
{
	ContinuousQuery *cq = palloc0(sizeof(ContinuousQuery));
	char	  **sinks,
			  **columns,
			  **kinds;
	int			n,
				i;

	cq->name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	cq->owner = oid_column(2);
	cq->source = oid_column(3);
	cq->source_key = text_array(4, &cq->nkeys);
	cq->sink = oid_column(5);
	cq->sink_key = text_array(6, &n);
	cq->sink_is_source = (cq->source == cq->sink);
	cq->model_schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
	cq->model_name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8);
	cq->model_version = int_column(9, 0);
	cq->inputs = text_array(10, &cq->ninputs);
	cq->where_clause = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 11);
	cq->running = strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 12), "running") == 0;
	cq->statement = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 13);
	cq->backfill = bool_column(14, true);
	cq->delete_rows = bool_column(15, true);
	cq->batch_size = int_column(16, CQ_DEFAULT_BATCH_SIZE);
	cq->max_attempts = int_column(17, CQ_DEFAULT_MAX_ATTEMPTS);
	cq->provenance_column = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 18);

	cq->runtime_options = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 22);
	sinks = text_array(19, &cq->ntargets);
	columns = text_array(20, &n);
	kinds = text_array(21, &n);
	cq->targets = palloc0(sizeof(ContinuousTarget) * Max(cq->ntargets, 1));
	for (i = 0; i < cq->ntargets; i++)
	{
		cq->targets[i].sink_column = sinks[i];
		cq->targets[i].column = columns[i];
		cq->targets[i].kind = kinds[i][0] == 's' ? CQ_TARGET_SOURCE :
			kinds[i][0] == 'o' ? CQ_TARGET_OUTPUT : CQ_TARGET_VERSION;
	}
	return cq;
}

/*
 * ContinuousQueryLoad
 *		The catalog row of the query called name.
 */
ContinuousQuery *
ContinuousQueryLoad(const char *name, bool missing_ok)
{
	CatalogAccess access;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	ContinuousQuery *cq = NULL;
	int			i;

	values[0] = CStringGetTextDatum(name);
	CatalogBegin(&access);
	if (CatalogExec(LOAD_SQL, 1, argtypes, values, NULL, true) == 1)
	{
		MemoryContext old = MemoryContextSwitchTo(access.caller_context);

		cq = unpack_row();
		MemoryContextSwitchTo(old);
	}
	CatalogEnd(&access);

	if (cq == NULL)
	{
		if (!missing_ok)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("continuous query \"%s\" does not exist", name)));
		return NULL;
	}
	cq->key_types = palloc0(sizeof(Oid) * Max(cq->nkeys, 1));
	for (i = 0; i < cq->nkeys; i++)
	{
		AttrNumber	att = get_attnum(cq->source, cq->source_key[i]);

		cq->key_types[i] = att == InvalidAttrNumber ? InvalidOid :
			get_atttype(cq->source, att);
	}
	return cq;
}

/*
 * ContinuousQueryForOwner
 *		Load a query the current user may manage.
 */
ContinuousQuery *
ContinuousQueryForOwner(const char *name, bool missing_ok)
{
	ContinuousQuery *cq = ContinuousQueryLoad(name, missing_ok);

	if (cq)
		CatalogCheckOwner(GetUserId(), cq->owner, "continuous query", name);
	return cq;
}

/*
 * ContinuousQueryNames
 *		Names of the database's continuous queries, in name order.
 */
List *
ContinuousQueryNames(bool running_only)
{
	CatalogAccess access;
	List	   *names;

	CatalogBegin(&access);
	CatalogExec(running_only ?
				"SELECT name FROM mlpredict.continuous_query WHERE state OPERATOR(pg_catalog.=) 'running' ORDER BY name" :
				"SELECT name FROM mlpredict.continuous_query ORDER BY name",
				0, NULL, NULL, NULL, true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}

/*
 * relation_name
 *		The schema-qualified, quoted name of a relation; ERROR if it is gone.
 */
char *
ContinuousRelationName(Oid relid)
{
	char	   *name = get_rel_name(relid);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name);
}

/*
 * ContinuousQueryModel
 *		The model version a batch calls: pinned, or the default now.
 */
MlModel *
ContinuousQueryModel(ContinuousQuery *cq)
{
	MlModelRef	ref;

	ref.schema = cq->model_schema;
	ref.name = cq->model_name;
	ref.version_kind = cq->model_version > 0 ? ML_VERSION_NUMBER : ML_VERSION_DEFAULT;
	ref.version = cq->model_version;
	return CatalogGetModel(&ref, false);
}

/*
 * check_relation_rights
 *		role's mode on relid, or 42501 saying what is missing.
 */
static void
check_relation_rights(ContinuousQuery *cq, Oid relid, AclMode mode, const char *what)
{
	if (pg_class_aclcheck(relid, cq->owner, mode) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("owner %s of continuous query \"%s\" lacks %s privilege on table %s",
						CatalogOwnerName(cq->owner), cq->name, what,
						ContinuousRelationName(relid)),
				 errdetail("A continuous query runs as its owner, who needs the rights the one-shot INSERT ... SELECT needs.")));
}

/*
 * ContinuousCheckPrivileges
 *		Every right a batch needs, for the query's owner: SELECT on the
 *		source; SELECT, INSERT, UPDATE (and DELETE with the delete option)
 *		on a sink, UPDATE when the sink is the source; EXECUTE on the
 *		model's typed function.
 */
void
ContinuousCheckPrivileges(ContinuousQuery *cq)
{
	MlModel    *model;
	Oid			fn;

	check_relation_rights(cq, cq->source, ACL_SELECT, "SELECT");
	if (cq->sink_is_source)
		check_relation_rights(cq, cq->sink, ACL_UPDATE, "UPDATE");
	else
	{
		/* the upsert reads the sink's key (ON CONFLICT), so does the delete */
		check_relation_rights(cq, cq->sink, ACL_SELECT, "SELECT");
		check_relation_rights(cq, cq->sink, ACL_INSERT, "INSERT");
		check_relation_rights(cq, cq->sink, ACL_UPDATE, "UPDATE");
		if (cq->delete_rows)
			check_relation_rights(cq, cq->sink, ACL_DELETE, "DELETE");
	}
	model = ContinuousQueryModel(cq);
	fn = TypedFunctionLookup(model);
	if (!OidIsValid(fn) || MlProcAclCheck(fn, cq->owner, ACL_EXECUTE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("owner %s of continuous query \"%s\" may not call model %s",
						CatalogOwnerName(cq->owner), cq->name,
						MlQualifiedModelName(model->schema, model->name)),
				 errhint("The model's owner grants it with GRANT EXECUTE ON MODEL.")));
}

/* ($1::text[])[k.i][n]::type: the n-th key value of the batch row k.i */
static void
append_key_value(StringInfo buf, int n, Oid type)
{
	appendStringInfo(buf, "($1::pg_catalog.text[])[k.i][%d]::%s", n + 1,
					 format_type_be_qualified(type));
}

/* s.key1 = <key 1> AND ... */
static void
append_key_match(StringInfo buf, ContinuousQuery *cq, const char *alias)
{
	int			i;

	for (i = 0; i < cq->nkeys; i++)
	{
		if (!OidIsValid(cq->key_types[i]))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" of continuous query \"%s\" no longer exists in %s",
							cq->source_key[i], cq->name, ContinuousRelationName(cq->source))));
		appendStringInfo(buf, "%s%s.%s OPERATOR(pg_catalog.=) ", i ? " AND " : "", alias,
						 quote_identifier(cq->source_key[i]));
		append_key_value(buf, i, cq->key_types[i]);
	}
}

/*
 * append_rows_query
 *		SELECT <targets> FROM <batch keys> JOIN source s ... LATERAL
 *		ml_predict(...) p [WHERE ...]: the rows to write.
 */
static void
append_rows_query(StringInfo buf, ContinuousQuery *cq, MlModel *model)
{
	ListCell   *lc;
	int			i;

	appendStringInfoString(buf, "SELECT ");
	for (i = 0; i < cq->ntargets; i++)
	{
		ContinuousTarget *t = &cq->targets[i];

		appendStringInfoString(buf, i ? ", " : "");
		if (t->kind == CQ_TARGET_SOURCE)
			appendStringInfo(buf, "s.%s", quote_identifier(t->column));
		else if (t->kind == CQ_TARGET_OUTPUT)
			appendStringInfo(buf, "p.%s", quote_identifier(t->column));
		else
			appendStringInfo(buf, "%d", model->version);
		appendStringInfo(buf, " AS %s", quote_identifier(t->sink_column));
	}
	appendStringInfo(buf, " FROM pg_catalog.generate_subscripts($1::pg_catalog.text[], 1) AS k(i)"
					 " JOIN %s AS s ON ", ContinuousRelationName(cq->source));
	append_key_match(buf, cq, "s");
	appendStringInfoString(buf, " CROSS JOIN LATERAL mlpredict.ml_predict(");
	appendStringInfo(buf, "%s",
					 quote_literal_cstr(psprintf("%s$%d", MlQualifiedModelName(model->schema, model->name),
												 model->version)));
	for (i = 0; i < cq->ninputs; i++)
		appendStringInfo(buf, ", s.%s", quote_identifier(cq->inputs[i]));
	if (cq->runtime_options)
		appendStringInfo(buf, ", %s", cq->runtime_options);
	appendStringInfoString(buf, ") AS p(");
	i = 0;
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(buf, "%s%s %s", i++ ? ", " : "", quote_identifier(col->name), col->pgtype);
	}
	appendStringInfoChar(buf, ')');
	if (cq->where_clause)
		appendStringInfo(buf, " WHERE %s", cq->where_clause);
}

/*
 * ContinuousBatchSQL
 *		The statement that writes one batch's sink rows.
 */
char *
ContinuousBatchSQL(ContinuousQuery *cq, int *version_used)
{
	MlModel    *model = ContinuousQueryModel(cq);
	StringInfoData buf;
	int			i;
	bool		first = true;

	if (version_used)
		*version_used = model->version;
	initStringInfo(&buf);
	if (cq->sink_is_source)
	{
		appendStringInfo(&buf, "UPDATE %s AS t SET ", ContinuousRelationName(cq->sink));
		for (i = 0; i < cq->ntargets; i++)
		{
			if (cq->targets[i].kind == CQ_TARGET_SOURCE)
				continue;
			appendStringInfo(&buf, "%s%s = r.%s", first ? "" : ", ",
							 quote_identifier(cq->targets[i].sink_column),
							 quote_identifier(cq->targets[i].sink_column));
			first = false;
		}
		appendStringInfoString(&buf, " FROM (");
		append_rows_query(&buf, cq, model);
		appendStringInfoString(&buf, ") AS r WHERE ");
		for (i = 0; i < cq->nkeys; i++)
			appendStringInfo(&buf, "%st.%s OPERATOR(pg_catalog.=) r.%s", i ? " AND " : "",
							 quote_identifier(cq->source_key[i]), quote_identifier(cq->sink_key[i]));
		return buf.data;
	}

	appendStringInfo(&buf, "INSERT INTO %s AS t (", ContinuousRelationName(cq->sink));
	for (i = 0; i < cq->ntargets; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", quote_identifier(cq->targets[i].sink_column));
	appendStringInfoString(&buf, ") ");
	append_rows_query(&buf, cq, model);
	appendStringInfoString(&buf, " ON CONFLICT (");
	for (i = 0; i < cq->nkeys; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", quote_identifier(cq->sink_key[i]));
	appendStringInfoString(&buf, ") DO ");
	for (i = 0; i < cq->ntargets; i++)
	{
		const char *col = cq->targets[i].sink_column;
		int			k;
		bool		is_key = false;

		for (k = 0; k < cq->nkeys; k++)
			is_key |= strcmp(cq->sink_key[k], col) == 0;
		if (is_key)
			continue;
		appendStringInfo(&buf, "%s%s = EXCLUDED.%s", first ? "UPDATE SET " : ", ",
						 quote_identifier(col), quote_identifier(col));
		first = false;
	}
	if (first)
		appendStringInfoString(&buf, "NOTHING");
	return buf.data;
}

/*
 * ContinuousDeleteSQL
 *		Remove the sink rows of the batch's keys whose source row is gone
 *		or no longer matches the WHERE; NULL when there is nothing to do.
 */
char *
ContinuousDeleteSQL(ContinuousQuery *cq)
{
	StringInfoData buf;
	int			i;
	bool		first = true;

	if (!cq->delete_rows)
		return NULL;
	initStringInfo(&buf);
	if (cq->sink_is_source)
	{
		/* a deleted row takes its derived columns with it */
		if (cq->where_clause == NULL)
			return NULL;
		appendStringInfo(&buf, "UPDATE %s AS s SET ", ContinuousRelationName(cq->sink));
		for (i = 0; i < cq->ntargets; i++)
		{
			if (cq->targets[i].kind == CQ_TARGET_SOURCE)
				continue;
			appendStringInfo(&buf, "%s%s = NULL", first ? "" : ", ",
							 quote_identifier(cq->targets[i].sink_column));
			first = false;
		}
		appendStringInfoString(&buf, " FROM pg_catalog.generate_subscripts($1::pg_catalog.text[], 1) AS k(i) WHERE ");
		append_key_match(&buf, cq, "s");
		appendStringInfo(&buf, " AND NOT coalesce((%s), false)", cq->where_clause);
		return buf.data;
	}
	appendStringInfo(&buf, "DELETE FROM %s AS t USING pg_catalog.generate_subscripts($1::pg_catalog.text[], 1) AS k(i) WHERE ",
					 ContinuousRelationName(cq->sink));
	for (i = 0; i < cq->nkeys; i++)
	{
		AttrNumber	att = get_attnum(cq->sink, cq->sink_key[i]);

		if (att == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("sink column \"%s\" of continuous query \"%s\" no longer exists",
							cq->sink_key[i], cq->name)));
		appendStringInfo(&buf, "%st.%s OPERATOR(pg_catalog.=) ", i ? " AND " : "",
						 quote_identifier(cq->sink_key[i]));
		append_key_value(&buf, i, get_atttype(cq->sink, att));
	}
	appendStringInfo(&buf, " AND NOT EXISTS (SELECT FROM %s AS s WHERE ",
					 ContinuousRelationName(cq->source));
	append_key_match(&buf, cq, "s");
	if (cq->where_clause)
		appendStringInfo(&buf, " AND coalesce((%s), false)", cq->where_clause);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * ContinuousBecomeOwner
 *		Become the query's owner for its statements (see continuous.h).
 */
void
ContinuousBecomeOwner(ContinuousQuery *cq, ContinuousOwnerContext *ctx)
{
	GetUserIdAndSecContext(&ctx->save_userid, &ctx->save_sec_context);
	ctx->save_nestlevel = MlPinSearchPath();
	SetUserIdAndSecContext(cq->owner,
						   ctx->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

/*
 * ContinuousRestoreUser
 *		Undo ContinuousBecomeOwner, discarding the owner's GUC changes.
 */
void
ContinuousRestoreUser(ContinuousOwnerContext *ctx)
{
	SetUserIdAndSecContext(ctx->save_userid, ctx->save_sec_context);
	AtEOXact_GUC(false, ctx->save_nestlevel);
}
