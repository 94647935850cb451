/*-------------------------------------------------------------------------
 *
 * cq_worker.c
 *	  A database's continuous-query worker: processes the due rows of
 *	  every running query of its database, then sleeps on its latch.
 *
 * The loop:
 *	 1. take the "work may be pending" flag (cq_wake.c) and list the
 *		running queries with the time of their earliest due queue row;
 *	 2. for each query with rows due now, process batches, each in its own
 *		transaction (cq_process.c), until none is left, the endpoint is
 *		found down (the batch was deferred) or a shutdown is asked for;
 *	 3. sleep until the latch is set (a captured change committed, a
 *		create or resume) or the earliest next attempt of a waiting row or
 *		of a failing query comes: zero CPU when idle.
 * A worker that finds no mlpredict extension (or one of another version)
 * or no running query exits (code 0) unless a wake-up came meanwhile;
 * the next wake-up makes the launcher start a new one.
 *
 * An error of a whole query (its owner lost a right, a table is gone) is
 * logged and recorded in the query's progress row (last_error), and the
 * query is left alone for a backoff (1 s doubling up to
 * mlpredict.continuous_max_backoff) while the others go on.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "catalog/ml_catalog.h"
#include "continuous/cq_process.h"
#include "continuous/cq_wake.h"

/* the worker's deadlock_timeout (the server's default is 1 s) */
#define CQ_DEADLOCK_TIMEOUT "100ms"
/* wait when rows are due but another processor holds them */
#define CQ_BUSY_WAIT_MS 1000

PGDLLEXPORT void mlpredict_cq_worker_main(Datum arg);

/* A query that failed as a whole, left alone until retry_at. */
typedef struct FailingQuery
{
	char		name[NAMEDATALEN * 2];
	int			failures;
	TimestampTz retry_at;
} FailingQuery;

/* A running query as one round sees it. */
typedef struct RoundQuery
{
	char	   *name;
	bool		queued;			/* it has unparked queue rows */
	double		due_in_ms;		/* until its earliest one is due */
} RoundQuery;

static Oid	worker_db;
static List *failing = NIL;		/* of FailingQuery, in TopMemoryContext */

static void worker_exit(int code, Datum arg);
static List *list_queries(bool *usable);
static long run_round(List *queries);
static int	drain(const char *name);
static FailingQuery *find_failing(const char *name);
static void query_failed(const char *name, ErrorData *error);

/*
 * mlpredict_cq_worker_main
 *		Entry point of a database worker; arg is the database's OID.
 */
void
mlpredict_cq_worker_main(Datum arg)
{
	MemoryContext loop_context;

	worker_db = DatumGetObjectId(arg);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(worker_db, InvalidOid, 0);
	if (!ContinuousWorkerAttach(worker_db, MyLatch))
		proc_exit(0);			/* another worker serves this database */
	before_shmem_exit(worker_exit, (Datum) 0);
	pgstat_report_appname("mlpredict continuous queries");
	/*
	 * When a batch and a user's DDL (DROP EXTENSION, DROP TABLE) deadlock,
	 * the worker should be the one to give way: it checks first.
	 */
	SetConfigOption("deadlock_timeout", CQ_DEADLOCK_TIMEOUT, PGC_SUSET, PGC_S_OVERRIDE);
	loop_context = AllocSetContextCreate(TopMemoryContext, "mlpredict continuous queries",
										 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		List	   *queries;
		bool		usable;
		long		timeout;

		MemoryContextReset(loop_context);
		MemoryContextSwitchTo(loop_context);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		(void) ContinuousTakePending(worker_db);
		queries = list_queries(&usable);
		if (queries == NIL)
		{
			if (ContinuousWorkerDetachIfIdle(worker_db))
			{
				elog(DEBUG1, "mlpredict continuous queries: nothing to run in this database, exiting");
				proc_exit(0);
			}
			continue;			/* a wake-up came: look again */
		}
		timeout = run_round(queries);
		elog(DEBUG2, "mlpredict continuous queries: %d running, sleeping %ld ms",
			 list_length(queries), timeout);
		if (timeout == 0)
			continue;
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout > 0 ? WL_TIMEOUT : 0),
						 timeout, PG_WAIT_EXTENSION);
	}
}

static void
worker_exit(int code, Datum arg)
{
	ContinuousWorkerDetach(worker_db);
}

/*
 * list_queries
 *		The database's running continuous queries (NIL when the extension
 *		is missing or at another version than the library).
 */
static List *
list_queries(bool *usable)
{
	List	   *result = NIL;
	CatalogAccess access;
	int			n;
	MemoryContext outer = CurrentMemoryContext;	/* outlives the transaction */

	*usable = false;
	/* now() is the start of the transaction: a worker sets it itself */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (OidIsValid(get_extension_oid("mlpredict", true)) && CatalogIsCurrent())
	{
		*usable = true;
		CatalogBegin(&access);
		/* (extract, not a subtraction: next_attempt_at may be -infinity) */
		n = CatalogExec("SELECT q.name, (extract(epoch FROM"
						" (SELECT min(u.next_attempt_at) FROM mlpredict.continuous_query_queue u"
						"  WHERE u.query = q.name AND NOT u.parked))"
						" - extract(epoch FROM clock_timestamp())) * 1000"
						" FROM mlpredict.continuous_query q WHERE q.state = 'running'"
						" ORDER BY q.name",
						0, NULL, NULL, NULL, true);
		for (int i = 0; i < n; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);
			RoundQuery *q = palloc0(sizeof(RoundQuery));
			char	   *due = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			q->name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			q->queued = due != NULL;
			/* -infinity reads as "-Infinity": due now */
			q->due_in_ms = due == NULL ? 0 : strtod(due, NULL);
			result = lappend(result, q);
			MemoryContextSwitchTo(old);
		}
		CatalogEnd(&access);
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(outer);
	return result;
}

/*
 * run_round
 *		Drain every query with rows due; the time to sleep then (0: look
 *		again at once, -1: until woken).
 */
static long
run_round(List *queries)
{
	TimestampTz now = GetCurrentTimestamp();
	double		sleep_ms = -1;
	bool		again = false;
	ListCell   *lc;

	foreach(lc, queries)
	{
		RoundQuery *q = lfirst(lc);
		FailingQuery *f = find_failing(q->name);
		double		wait = -1;

		if (ShutdownRequestPending)
			return 0;
		if (f != NULL && f->retry_at > now)
			wait = (double) (f->retry_at - now) / 1000.0;
		else if (q->queued && q->due_in_ms <= 0)
		{
			int			taken = drain(q->name);

			if (taken > 0)
				again = true;
			else if (find_failing(q->name) != NULL)
				again = true;	/* the retry time is set: the next round sleeps */
			else
				wait = CQ_BUSY_WAIT_MS;	/* due rows held by another processor */
		}
		else if (q->queued)
			wait = q->due_in_ms;
		if (wait >= 0 && (sleep_ms < 0 || wait < sleep_ms))
			sleep_ms = wait;
	}
	if (again)
		return 0;
	return sleep_ms < 0 ? -1 : (long) Max(sleep_ms + 1, 1);
}

/*
 * drain
 *		Batches of one query, each in its own transaction, until none is
 *		due, the batch is deferred (endpoint down) or the query fails; the
 *		rows taken.
 */
static int
drain(const char *name)
{
	MemoryContext context = CurrentMemoryContext;
	volatile int taken = 0;

	for (;;)
	{
		ContinuousBatchResult result;

		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			break;
		pgstat_report_activity(STATE_RUNNING, name);
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		PG_TRY();
		{
			ContinuousProcessBatch(name, 0, &result);
			PopActiveSnapshot();
			CommitTransactionCommand();
		}
		PG_CATCH();
		{
			ErrorData  *error;

			MemoryContextSwitchTo(context);
			error = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			query_failed(name, error);
			return taken;
		}
		PG_END_TRY();
		MemoryContextSwitchTo(context);
		{
			FailingQuery *f = find_failing(name);

			if (f != NULL)
				failing = list_delete_ptr(failing, f);
		}
		taken += result.taken;
		if (result.missing || result.deferred || result.taken == 0)
			break;
	}
	return taken;
}

static FailingQuery *
find_failing(const char *name)
{
	ListCell   *lc;

	foreach(lc, failing)
	{
		FailingQuery *f = lfirst(lc);

		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

/*
 * query_failed
 *		Log the error of a whole query, record it in its progress row, and
 *		leave the query alone for its backoff.
 */
static void
query_failed(const char *name, ErrorData *error)
{
	MemoryContext context = CurrentMemoryContext;
	FailingQuery *f = find_failing(name);
	int			backoff;

	if (f == NULL)
	{
		f = MemoryContextAllocZero(TopMemoryContext, sizeof(FailingQuery));
		strlcpy(f->name, name, sizeof(f->name));
		MemoryContextSwitchTo(TopMemoryContext);
		failing = lappend(failing, f);
		MemoryContextSwitchTo(context);
	}
	f->failures++;
	backoff = ContinuousBackoffMs(f->failures);
	f->retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backoff);
	ereport(LOG,
			(errcode(error->sqlerrcode),
			 errmsg("continuous query \"%s\" failed: %s", name, error->message),
			 errdetail("It is tried again in %d ms.", backoff)));

	/* the query may be gone, or the extension: then there is nothing to record */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		ContinuousRecordError(name, unpack_sql_state(error->sqlerrcode), error->message);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(context);
}
