/*-------------------------------------------------------------------------
 *
 * cq_ops.c
 *	  The operations on an existing continuous query: pause, resume,
 *	  alter, switch model version, drop, retry parked rows, reprocess,
 *	  and EXPLAIN of its batch statement.
 *
 * Only the query's owner (a member of the owning role) or a superuser may
 * run them (CatalogCheckOwner).  Catalog and queue writes run as the
 * extension owner (catalog_access.c); so does dropping the capture
 * trigger, which its creator could create with the TRIGGER privilege but,
 * not owning the table, could not drop.  EXPLAIN plans as the owner.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "catalog/ml_catalog.h"
#include "continuous/cq_internal.h"
#include "util.h"

/* one statement on the query's row, as the extension owner; returns rows */
static int64
exec_for(const char *sql, const char *name, int nextra, Oid *types, Datum *values,
		 const char *nulls)
{
	CatalogAccess access;
	Oid			argtypes[4] = {TEXTOID};
	Datum		args[4];
	char		argnulls[4] = {' ', ' ', ' ', ' '};
	int			i;
	int64		n;

	args[0] = CStringGetTextDatum(name);
	for (i = 0; i < nextra; i++)
	{
		argtypes[i + 1] = types[i];
		args[i + 1] = values[i];
		argnulls[i + 1] = nulls ? nulls[i] : ' ';
	}
	CatalogBegin(&access);
	n = CatalogExec(sql, nextra + 1, argtypes, args, argnulls, false);
	CatalogEnd(&access);
	return n;
}

/*
 * ContinuousQuerySetState
 *		PAUSE (changes keep being queued) or RESUME.
 */
void
ContinuousQuerySetState(const char *name, bool running)
{
	(void) ContinuousQueryForOwner(name, false);
	(void) exec_for(running ?
					"UPDATE mlpredict.continuous_query SET state = 'running' WHERE name OPERATOR(pg_catalog.=) $1" :
					"UPDATE mlpredict.continuous_query SET state = 'paused' WHERE name OPERATOR(pg_catalog.=) $1",
					name, 0, NULL, NULL, NULL);
	if (running)
		ContinuousWakeAtCommit();
}

/*
 * ContinuousQueryAlter
 *		SET ('batch_size' = ..., 'max_attempts' = ..., 'delete' = ...).
 */
void
ContinuousQueryAlter(const char *name, List *options, const char *statement)
{
	ContinuousQuery *cq = ContinuousQueryForOwner(name, false);
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *current;
	char	   *json;
	char	   *canonical;

	values[0] = CStringGetTextDatum(name);
	CatalogBegin(&access);
	CatalogExec("SELECT options::pg_catalog.text FROM mlpredict.continuous_query WHERE name OPERATOR(pg_catalog.=) $1",
				1, types, values, NULL, true);
	current = CatalogGetText(0, 1);
	CatalogEnd(&access);

	json = ContinuousOptionsJson(options, statement, true, current);
	canonical = ContinuousCanonicalStatement(name, json, ContinuousQueryText(cq->statement));
	{
		Oid			t[2] = {TEXTOID, TEXTOID};
		Datum		v[2] = {CStringGetTextDatum(json), CStringGetTextDatum(canonical)};

		(void) exec_for("UPDATE mlpredict.continuous_query SET options = $2::pg_catalog.jsonb, statement = $3 "
						"WHERE name OPERATOR(pg_catalog.=) $1", name, 2, t, v, NULL);
	}
	ContinuousWakeAtCommit();
}

/*
 * ContinuousQuerySetVersion
 *		SET MODEL VERSION n (0: follow the default version), then queue
 *		every source row again (REPROCESS ALL) or only new changes.
 */
void
ContinuousQuerySetVersion(const char *name, int version, bool reprocess_all)
{
	ContinuousQuery *cq = ContinuousQueryForOwner(name, false);
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(version)};

	cq->model_version = version;
	(void) ContinuousQueryModel(cq);	/* the version must exist */
	ContinuousCheckPrivileges(cq);
	(void) exec_for("UPDATE mlpredict.continuous_query SET model_version = NULLIF($2, 0) "
					"WHERE name OPERATOR(pg_catalog.=) $1", name, 1, types, values,
					NULL);
	if (reprocess_all)
		(void) ContinuousEnqueueAll(cq);
}

/*
 * ContinuousQueryDrop
 *		The triggers, the catalog row (the queue and progress rows go with
 *		it); the sink keeps its rows.
 */
bool
ContinuousQueryDrop(const char *name, bool if_exists)
{
	ContinuousQuery *cq = ContinuousQueryForOwner(name, if_exists);
	CatalogAccess access;

	if (cq == NULL)
	{
		ereport(NOTICE,
				(errmsg("continuous query \"%s\" does not exist, skipping", name)));
		return false;
	}
	/* the row first: the sql_drop event trigger then has nothing to say */
	(void) exec_for("DELETE FROM mlpredict.continuous_query WHERE name OPERATOR(pg_catalog.=) $1",
					name, 0, NULL, NULL, NULL);
	CatalogBegin(&access);
	if (get_rel_name(cq->source) != NULL)
	{
		CatalogExec(psprintf("DROP TRIGGER IF EXISTS %s ON %s",
							 quote_identifier(psprintf(CQ_TRIGGER_PREFIX "%s", name)),
							 ContinuousRelationName(cq->source)),
					0, NULL, NULL, NULL, false);
		CatalogExec(psprintf("DROP TRIGGER IF EXISTS %s ON %s",
							 quote_identifier(psprintf(CQ_TRUNCATE_PREFIX "%s", name)),
							 ContinuousRelationName(cq->source)),
					0, NULL, NULL, NULL, false);
	}
	CatalogEnd(&access);
	return true;
}

/*
 * ContinuousRetryParked
 *		Queue parked rows again (one key, or all); how many.
 */
int64
ContinuousRetryParked(const char *name, ArrayType *key)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1] = {key ? PointerGetDatum(key) : (Datum) 0};
	char		nulls[1] = {key ? ' ' : 'n'};
	int64		n;

	(void) ContinuousQueryForOwner(name, false);
	n = exec_for("UPDATE mlpredict.continuous_query_queue SET parked = false, attempts = 0, "
				 "next_attempt_at = '-infinity' "
				 "WHERE query OPERATOR(pg_catalog.=) $1 AND parked "
				 "AND ($2 IS NULL OR key OPERATOR(pg_catalog.=) $2)",
				 name, 1, types, values, nulls);
	if (n > 0)
		ContinuousWakeAtCommit();
	return n;
}

/*
 * ContinuousExplain
 *		EXPLAIN of the batch statement, as the query's owner (whoever asks:
 *		the owner or a superuser), for an empty batch: the plan's shape,
 *		with the pipelined model call.
 */
List *
ContinuousExplain(const char *name)
{
	ContinuousQuery *cq = ContinuousQueryForOwner(name, false);
	char	   *sql = psprintf("EXPLAIN %s", ContinuousBatchSQL(cq, NULL));
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	MemoryContext caller = CurrentMemoryContext;
	List	   *lines = NIL;
	uint64		i;
	ContinuousOwnerContext owner;

	values[0] = PointerGetDatum(construct_empty_array(TEXTOID));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * planned as the owner, with the batch's search_path: constant folding
	 * may call the owner's functions
	 */
	ContinuousBecomeOwner(cq, &owner);
	if (SPI_execute_with_args(sql, 1, types, values, NULL, false, 0) < 0)
		elog(ERROR, "EXPLAIN of the batch statement failed");
	ContinuousRestoreUser(&owner);
	for (i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(caller);

		lines = lappend(lines, pstrdup(SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return lines;
}
