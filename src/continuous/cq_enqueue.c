/*-------------------------------------------------------------------------
 *
 * cq_enqueue.c
 *	  Queueing many keys of a continuous query at once: the backfill at
 *	  creation, REPROCESS ALL, mlpredict.reprocess(), and the sink's keys
 *	  after a TRUNCATE of the source.
 *
 * The rows are read as the query's owner, in a restricted security
 * context, as a batch reads them: the WHERE may call the owner's own
 * (immutable) functions, and they must never run with the extension
 * owner's rights.  Only the queue is written as the extension owner
 * (catalog_access.c), a chunk of keys at a time, so a large source is
 * read through a cursor rather than held in memory.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_enqueue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "catalog/ml_catalog.h"
#include "continuous/cq_internal.h"

/* keys fetched and queued together */
#define ENQUEUE_CHUNK 10000

/* ARRAY[alias.col::text, ...] over the given columns */
static char *
key_array(const char *alias, char **columns, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ARRAY[");
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s.%s::pg_catalog.text", i ? ", " : "", alias,
						 quote_identifier(columns[i]));
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* queue keys (a text[] of text[] literals), as the extension owner */
static int64
queue_chunk(const char *name, Datum keys)
{
	CatalogAccess access;
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2] = {CStringGetTextDatum(name), keys};
	int64		n;

	CatalogBegin(&access);
	n = CatalogExec(CQ_ENQUEUE_INTO "SELECT $1, k::pg_catalog.text[] FROM pg_catalog.unnest($2) AS k "
					CQ_ENQUEUE_CONFLICT, 2, types, values, NULL, false);
	CatalogEnd(&access);
	return n;
}

/*
 * enqueue_rows
 *		Run select_sql (one text[] key column) as the query's owner and
 *		queue every key it returns; how many.
 */
static int64
enqueue_rows(ContinuousQuery *cq, const char *select_sql, int nargs, Oid *types,
			 Datum *values)
{
	ContinuousOwnerContext owner;
	Portal		portal;
	int64		total = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ContinuousBecomeOwner(cq, &owner);
	portal = SPI_cursor_open_with_args(NULL, select_sql, nargs, types, values, NULL,
									   true, 0);
	for (;;)
	{
		Datum	   *keys;
		uint64		i,
					n;

		SPI_cursor_fetch(portal, true, ENQUEUE_CHUNK);
		n = SPI_processed;
		if (n == 0)
			break;
		keys = palloc(sizeof(Datum) * n);
		for (i = 0; i < n; i++)
			keys[i] = CStringGetTextDatum(SPI_getvalue(SPI_tuptable->vals[i],
													   SPI_tuptable->tupdesc, 1));
		SPI_freetuptable(SPI_tuptable);
		/* the queue is written as the extension owner (CatalogBegin) */
		SetUserIdAndSecContext(owner.save_userid, owner.save_sec_context);
		total += queue_chunk(cq->name, PointerGetDatum(construct_array(keys, (int) n, TEXTOID,
																	   -1, false, TYPALIGN_INT)));
		SetUserIdAndSecContext(cq->owner, owner.save_sec_context |
							   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
		pfree(keys);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	ContinuousRestoreUser(&owner);
	SPI_finish();
	if (total > 0)
		ContinuousWakeAtCommit();
	return total;
}

/*
 * ContinuousEnqueueAll
 *		Queue every source row (that matches the WHERE).
 */
int64
ContinuousEnqueueAll(ContinuousQuery *cq)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s FROM %s AS s",
					 key_array("s", cq->source_key, cq->nkeys), ContinuousRelationName(cq->source));
	if (cq->where_clause)
		appendStringInfo(&sql, " WHERE %s", cq->where_clause);
	return enqueue_rows(cq, sql.data, 0, NULL, NULL);
}

/*
 * ContinuousReprocess
 *		Queue every source row again (all), or the keys of the sink rows
 *		whose provenance column holds a version older than the one given,
 *		or none.
 */
int64
ContinuousReprocess(const char *name, int older_than_version, bool all)
{
	ContinuousQuery *cq = ContinuousQueryForOwner(name, false);
	StringInfoData sql;
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(older_than_version)};

	if (all)
		return ContinuousEnqueueAll(cq);
	if (cq->provenance_column == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("continuous query \"%s\" records no model version", name),
				 errhint("Create it WITH ('provenance_column' = 'column') to reprocess by version, or reprocess all rows.")));
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s FROM %s AS t WHERE t.%s IS NULL OR t.%s OPERATOR(pg_catalog.<) $1",
					 key_array("t", cq->sink_key, cq->nkeys), ContinuousRelationName(cq->sink),
					 quote_identifier(cq->provenance_column), quote_identifier(cq->provenance_column));
	return enqueue_rows(cq, sql.data, 1, types, values);
}

/*
 * ContinuousEnqueueSinkKeys
 *		After a TRUNCATE of the source: queue every key of the sink, so that
 *		the batches remove the rows whose source row is gone (only with the
 *		delete option, and not when the sink is the source).
 */
int64
ContinuousEnqueueSinkKeys(ContinuousQuery *cq)
{
	if (cq->sink_is_source || !cq->delete_rows)
		return 0;
	return enqueue_rows(cq, psprintf("SELECT %s FROM %s AS t", key_array("t", cq->sink_key, cq->nkeys),
									 ContinuousRelationName(cq->sink)), 0, NULL, NULL);
}
