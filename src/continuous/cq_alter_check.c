/*-------------------------------------------------------------------------
 *
 * cq_alter_check.c
 *	  mlpredict.continuous_query_check_tables(): the ddl_command_end event
 *	  trigger that refuses an ALTER TABLE breaking a continuous query.
 *
 * A continuous query names its source's and sink's columns (key, inputs,
 * WHERE, targets).  After an ALTER TABLE of a source or a sink (RENAME
 * COLUMN, ALTER COLUMN ... TYPE, ...), the query's batch statements are
 * parse-analyzed again; if they no longer hold, the ALTER TABLE fails with
 * 2BP01, naming the query and what broke.  Parse analysis only: nothing
 * is planned or run, so no function of the tables' owners is called.
 * (DROP COLUMN of a followed column drops the capture trigger, and with
 * it the query: the sql_drop event trigger sees to that.)
 *
 * IDENTIFICATION
 *	  src/continuous/cq_alter_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog/ml_catalog.h"
#include "continuous/cq_internal.h"

PG_FUNCTION_INFO_V1(mlpredict_continuous_query_check_tables);

/* the continuous queries whose source or sink this command altered */
static List *
affected_queries(void)
{
	CatalogAccess access;
	List	   *names;

	CatalogBegin(&access);
	CatalogExec("SELECT q.name FROM mlpredict.continuous_query q "
				"WHERE q.source::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c) "
				"   OR q.sink::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c) "
				"ORDER BY q.name", 0, NULL, NULL, NULL, true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}

/* parse-analyze the query's batch statements; ERROR if they fail */
static void
check_query(const char *name)
{
	MemoryContext context = CurrentMemoryContext;

	ContinuousQuery *cq = ContinuousQueryLoad(name, false);
	MlModelRef	ref = {cq->model_schema, cq->model_name,
		cq->model_version > 0 ? ML_VERSION_NUMBER : ML_VERSION_DEFAULT, cq->model_version};

	/* a query whose model is gone fails on its own; the table is not to blame */
	if (CatalogGetModel(&ref, true) == NULL)
		return;
	PG_TRY();
	{
		Oid			argtypes[1] = {TEXTARRAYOID};
		char	   *del;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_prepare(ContinuousBatchSQL(cq, NULL), 1, argtypes) == NULL)
			elog(ERROR, "%s", SPI_result_code_string(SPI_result));
		del = ContinuousDeleteSQL(cq);
		if (del && SPI_prepare(del, 1, argtypes) == NULL)
			elog(ERROR, "%s", SPI_result_code_string(SPI_result));
		SPI_finish();
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("this change breaks continuous query \"%s\"", name),
				 errdetail("Its batch statement fails: %s", error->message),
				 errhint("Drop the continuous query first, and create it again after the change.")));
	}
	PG_END_TRY();
}

/*
 * mlpredict_continuous_query_check_tables
 *		The event trigger (ddl_command_end, ALTER TABLE).
 */
Datum
mlpredict_continuous_query_check_tables(PG_FUNCTION_ARGS)
{
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("continuous_query_check_tables() must be called as an event trigger")));
	if (!CatalogIsCurrent())
		PG_RETURN_VOID();
	foreach(lc, affected_queries())
		check_query(lfirst(lc));
	PG_RETURN_VOID();
}
