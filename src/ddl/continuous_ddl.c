/*-------------------------------------------------------------------------
 *
 * continuous_ddl.c
 *	  The continuous query statements of execute() and their function
 *	  forms: CREATE, ALTER (PAUSE, RESUME, SET, SET MODEL VERSION), DROP,
 *	  SHOW CONTINUOUS QUERIES, DESCRIBE, SHOW CREATE and EXPLAIN
 *	  CONTINUOUS QUERY; mlpredict.create_continuous_query() and the other
 *	  functions, retry_parked() and reprocess().
 *
 * Both spellings reach the same code in src/continuous/.  The statement
 * form reports errors at their position in the statement; the function
 * form at their position in the query text it was given.
 *
 * IDENTIFICATION
 *	  src/ddl/continuous_ddl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "continuous/cq_internal.h"
#include "ddl/cq_ddl.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_create_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_pause_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_resume_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_alter_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_drop_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_retry_parked);
PG_FUNCTION_INFO_V1(mlpredict_reprocess);
PG_FUNCTION_INFO_V1(mlpredict_describe_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_show_create_continuous_query);
PG_FUNCTION_INFO_V1(mlpredict_explain_continuous_query);

static const char *const property_columns[] = {"Property", "Value"};
static const char *const show_columns[] = {
	"Name", "Owner", "State", "Source", "Sink", "Model", "Version", "Rows Pending",
	"Rows Parked", "Rows Done", "Rows Failed", "Last Error"
};
static const char *const create_column[] = {"Create Continuous Query"};
static const char *const plan_column[] = {"QUERY PLAN"};

/* a result of one column, one row per string */
static DdlResult *
one_column(const char *const *column, List *values)
{
	DdlResult  *result = palloc0(sizeof(DdlResult));
	ListCell   *lc;

	result->ncolumns = 1;
	result->columns = column;
	foreach(lc, values)
	{
		char	  **row = palloc(sizeof(char *));

		row[0] = lfirst(lc);
		result->rows = lappend(result->rows, row);
	}
	return result;
}

static void
add_property(DdlResult *result, const char *property, const char *value)
{
	char	  **row = palloc(sizeof(char *) * 2);

	row[0] = pstrdup(property);
	row[1] = value ? pstrdup(value) : NULL;
	result->rows = lappend(result->rows, row);
}

/* "a, b" */
static char *
join_names(char **names, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", quote_identifier(names[i]));
	return buf.data;
}

/*
 * DescribeContinuousQuery
 *		One row per property.
 */
DdlResult *
DescribeContinuousQuery(const char *name)
{
	ContinuousQuery *cq = ContinuousQueryLoad(name, false);
	DdlResult  *result = palloc0(sizeof(DdlResult));
	StringInfoData targets;
	int			i;

	result->ncolumns = 2;
	result->columns = property_columns;
	initStringInfo(&targets);
	for (i = 0; i < cq->ntargets; i++)
	{
		ContinuousTarget *t = &cq->targets[i];

		appendStringInfo(&targets, "%s%s = %s", i ? ", " : "", quote_identifier(t->sink_column),
						 t->kind == CQ_TARGET_SOURCE ? psprintf("source.%s", quote_identifier(t->column)) :
						 t->kind == CQ_TARGET_OUTPUT ? psprintf("model.%s", quote_identifier(t->column)) :
						 "model version");
	}
	add_property(result, "Name", cq->name);
	add_property(result, "Owner", CatalogOwnerName(cq->owner));
	add_property(result, "State", cq->running ? "running" : "paused");
	add_property(result, "Source", ContinuousRelationName(cq->source));
	add_property(result, "Source Key", join_names(cq->source_key, cq->nkeys));
	add_property(result, "Sink", ContinuousRelationName(cq->sink));
	add_property(result, "Sink Key", join_names(cq->sink_key, cq->nkeys));
	add_property(result, "Model", MlQualifiedModelName(cq->model_schema, cq->model_name));
	add_property(result, "Model Version", cq->model_version ? psprintf("%d", cq->model_version) : "default");
	add_property(result, "Inputs", join_names(cq->inputs, cq->ninputs));
	add_property(result, "Runtime Options", cq->runtime_options);
	add_property(result, "Targets", targets.data);
	add_property(result, "Where", cq->where_clause);
	add_property(result, "Backfill", cq->backfill ? "true" : "false");
	add_property(result, "Delete", cq->delete_rows ? "true" : "false");
	add_property(result, "Batch Size", psprintf("%d", cq->batch_size));
	add_property(result, "Max Attempts", psprintf("%d", cq->max_attempts));
	add_property(result, "Provenance Column", cq->provenance_column);
	return result;
}

/*
 * ShowContinuousQueries
 *		The status view's main columns, filtered by a LIKE pattern.
 */
DdlResult *
ShowContinuousQueries(const char *pattern, bool not_like)
{
	DdlResult  *result = palloc0(sizeof(DdlResult));
	MemoryContext caller = CurrentMemoryContext;
	uint64		i;
	int			j;

	result->ncolumns = lengthof(show_columns);
	result->columns = show_columns;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT name, owner, state, source, sink, model, coalesce(version::pg_catalog.text, 'default'), "
					"rows_pending, rows_parked, rows_done, rows_failed, last_error "
					"FROM mlpredict.continuous_queries ORDER BY name", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read mlpredict.continuous_queries");
	for (i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(caller);
		char	  **row = palloc(sizeof(char *) * result->ncolumns);

		for (j = 0; j < result->ncolumns; j++)
		{
			char	   *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, j + 1);

			row[j] = v ? pstrdup(v) : NULL;
		}
		if (pattern == NULL || MlLikeMatch(row[0], pattern) != not_like)
			result->rows = lappend(result->rows, row);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

/*
 * ContinuousStatement
 *		Run one continuous query statement: its result rows, or NULL with
 *		*status set to the line to report.
 */
DdlResult *
ContinuousStatement(DdlStatement *stmt, const char *sql, char **status)
{
	const char *name = stmt->cq_name;

	*status = NULL;
	switch (stmt->kind)
	{
		case DDL_CREATE_CQ:
			*status = ContinuousQueryCreate(name, sql, stmt->query_location, stmt->options,
											stmt->if_not_exists) ?
				psprintf("Continuous query %s created.", quote_identifier(name)) :
				psprintf("Continuous query %s already exists; nothing was created.", quote_identifier(name));
			return NULL;
		case DDL_ALTER_CQ_PAUSE:
		case DDL_ALTER_CQ_RESUME:
			ContinuousQuerySetState(name, stmt->kind == DDL_ALTER_CQ_RESUME);
			*status = psprintf(stmt->kind == DDL_ALTER_CQ_RESUME ? "Continuous query %s resumed." :
							   "Continuous query %s paused.", quote_identifier(name));
			return NULL;
		case DDL_ALTER_CQ_SET:
			ContinuousQueryAlter(name, stmt->options, sql);
			*status = psprintf("Continuous query %s altered.", quote_identifier(name));
			return NULL;
		case DDL_ALTER_CQ_VERSION:
			ContinuousQuerySetVersion(name, stmt->cq_version, stmt->reprocess_all);
			*status = psprintf("Continuous query %s now calls %s%s.", quote_identifier(name),
							   stmt->cq_version ? psprintf("model version %d", stmt->cq_version) :
							   "the model's default version",
							   stmt->reprocess_all ? "; every source row is queued again" : " for new rows");
			return NULL;
		case DDL_DROP_CQ:
			*status = ContinuousQueryDrop(name, stmt->if_exists) ?
				psprintf("Continuous query %s dropped.", quote_identifier(name)) :
				psprintf("Continuous query %s does not exist; nothing was done.", quote_identifier(name));
			return NULL;
		case DDL_SHOW_CQS:
			return ShowContinuousQueries(stmt->like_pattern, stmt->not_like);
		case DDL_DESCRIBE_CQ:
			return DescribeContinuousQuery(name);
		case DDL_SHOW_CREATE_CQ:
			return one_column(create_column, list_make1(ContinuousQueryLoad(name, false)->statement));
		case DDL_EXPLAIN_CQ:
			return one_column(plan_column, ContinuousExplain(name));
		default:
			elog(ERROR, "unrecognized statement kind: %d", (int) stmt->kind);
	}
}

/* text argument n, required */
static char *
text_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

Datum
mlpredict_create_continuous_query(PG_FUNCTION_ARGS)
{
	char	   *name = text_arg(fcinfo, 0, "name");
	char	   *query = text_arg(fcinfo, 1, "query");
	List	   *options = PG_ARGISNULL(2) ? NIL :
		MlOptionsFromJsonb(PG_GETARG_JSONB_P(2), "continuous query");

	(void) ContinuousQueryCreate(name, query, 0, options, false);
	PG_RETURN_VOID();
}

Datum
mlpredict_pause_continuous_query(PG_FUNCTION_ARGS)
{
	ContinuousQuerySetState(text_to_cstring(PG_GETARG_TEXT_PP(0)), false);
	PG_RETURN_VOID();
}

Datum
mlpredict_resume_continuous_query(PG_FUNCTION_ARGS)
{
	ContinuousQuerySetState(text_to_cstring(PG_GETARG_TEXT_PP(0)), true);
	PG_RETURN_VOID();
}

/*
 * mlpredict_alter_continuous_query
 *		Options as jsonb; "model_version" (a number or "default") and
 *		"reprocess" ("all" or "new") switch the model version.
 */
Datum
mlpredict_alter_continuous_query(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *options = MlOptionsFromJsonb(PG_GETARG_JSONB_P(1), "continuous query");
	List	   *rest = NIL;
	const char *version = NULL;
	const char *reprocess = NULL;
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (pg_strcasecmp(opt->key, "model_version") == 0)
			version = opt->value;
		else if (pg_strcasecmp(opt->key, "reprocess") == 0)
			reprocess = opt->value;
		else
			rest = lappend(rest, opt);
	}
	if (rest)
		ContinuousQueryAlter(name, rest, NULL);
	if (reprocess && !version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"reprocess\" goes with \"model_version\""),
				 errhint("To queue every row again, call mlpredict.reprocess(name).")));
	if (version)
	{
		int64		n = 0;

		if (pg_strcasecmp(version, "default") != 0 &&
			(!MlParseInt(version, &n) || n < 1 || n > 10))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"model_version\" must be a version from 1 to 10 or \"default\", not \"%s\"",
							version)));
		if (reprocess && pg_strcasecmp(reprocess, "all") != 0 && pg_strcasecmp(reprocess, "new") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"reprocess\" must be \"all\" or \"new\", not \"%s\"", reprocess)));
		ContinuousQuerySetVersion(name, (int) n, reprocess && pg_strcasecmp(reprocess, "all") == 0);
	}
	PG_RETURN_VOID();
}

Datum
mlpredict_drop_continuous_query(PG_FUNCTION_ARGS)
{
	(void) ContinuousQueryDrop(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_BOOL(1));
	PG_RETURN_VOID();
}

Datum
mlpredict_retry_parked(PG_FUNCTION_ARGS)
{
	char	   *name = text_arg(fcinfo, 0, "name");

	PG_RETURN_INT64(ContinuousRetryParked(name, PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1)));
}

Datum
mlpredict_reprocess(PG_FUNCTION_ARGS)
{
	char	   *name = text_arg(fcinfo, 0, "name");

	PG_RETURN_INT64(ContinuousReprocess(name, PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1),
										PG_ARGISNULL(1)));
}

/* the rows of a DdlResult as the function's result set */
static void
emit_rows(FunctionCallInfo fcinfo, DdlResult *result)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	MlInitMaterializedSRF(fcinfo, result->ncolumns == 1);
	foreach(lc, result->rows)
	{
		char	  **row = lfirst(lc);
		Datum		values[2];
		bool		nulls[2];
		int			i;

		for (i = 0; i < result->ncolumns; i++)
		{
			nulls[i] = row[i] == NULL;
			values[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(row[i]);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

Datum
mlpredict_describe_continuous_query(PG_FUNCTION_ARGS)
{
	emit_rows(fcinfo, DescribeContinuousQuery(text_to_cstring(PG_GETARG_TEXT_PP(0))));
	return (Datum) 0;
}

Datum
mlpredict_show_create_continuous_query(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ContinuousQueryLoad(text_to_cstring(PG_GETARG_TEXT_PP(0)),
														 false)->statement));
}

Datum
mlpredict_explain_continuous_query(PG_FUNCTION_ARGS)
{
	emit_rows(fcinfo, one_column(plan_column, ContinuousExplain(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
	return (Datum) 0;
}
