/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  DROP EXTENSION mlpredict removes the continuous queries' capture
 *	  triggers first.
 *
 * The triggers live on user tables and call an extension function, so
 * PostgreSQL would refuse DROP EXTENSION without CASCADE (and a restored
 * dump's triggers carry no dependency on the extension that could help).
 * This ProcessUtility hook drops every trigger calling
 * mlpredict.continuous_query_capture in the current database, as the user
 * dropping the extension, before the extension goes; the queues go with
 * the extension's tables.  Like the other hooks it runs where the library
 * is loaded; elsewhere DROP EXTENSION ... CASCADE does the same.
 *
 * IDENTIFICATION
 *	  src/continuous/guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

#include "continuous/cq_internal.h"

static ProcessUtility_hook_type prev_utility_hook = NULL;

/* does this DROP name the mlpredict extension (that exists here)? */
static bool
drops_mlpredict(Node *stmt)
{
	DropStmt   *drop = (DropStmt *) stmt;
	ListCell   *lc;

	if (!IsA(stmt, DropStmt) || drop->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, drop->objects)
		if (strcmp(strVal(lfirst(lc)), "mlpredict") == 0)
			return OidIsValid(get_extension_oid("mlpredict", true));
	return false;
}

/* drop every capture trigger of this database */
static void
drop_capture_triggers(void)
{
	uint64		i,
				n;
	List	   *drops = NIL;
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::pg_catalog.regclass) "
					"FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid "
					"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace "
					"WHERE n.nspname OPERATOR(pg_catalog.=) 'mlpredict' "
					"AND p.proname OPERATOR(pg_catalog.=) 'continuous_query_capture'",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the continuous queries' triggers");
	n = SPI_processed;
	for (i = 0; i < n; i++)
		drops = lappend(drops, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	foreach(lc, drops)
		if (SPI_execute(lfirst(lc), false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not drop a continuous query's trigger");
	SPI_finish();
	if (n > 0)
		ereport(NOTICE,
				(errmsg("dropped the capture triggers of %d continuous queries", (int) n)));
}

#if PG_VERSION_NUM >= 140000
#define UTILITY_ARGS pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
static void
guard_utility(PlannedStmt *pstmt, const char *queryString,
			  bool readOnlyTree, ProcessUtilityContext context,
			  ParamListInfo params, QueryEnvironment *queryEnv,
			  DestReceiver *dest, QueryCompletion *qc)
#else
#define UTILITY_ARGS pstmt, queryString, context, params, queryEnv, dest, qc
static void
guard_utility(PlannedStmt *pstmt, const char *queryString,
			  ProcessUtilityContext context,
			  ParamListInfo params, QueryEnvironment *queryEnv,
			  DestReceiver *dest, QueryCompletion *qc)
#endif
{
	if (drops_mlpredict(pstmt->utilityStmt))
		drop_capture_triggers();
	if (prev_utility_hook)
		prev_utility_hook(UTILITY_ARGS);
	else
		standard_ProcessUtility(UTILITY_ARGS);
}

/*
 * ContinuousGuardInit
 *		Install the hook (from _PG_init).
 */
void
ContinuousGuardInit(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = guard_utility;
}
