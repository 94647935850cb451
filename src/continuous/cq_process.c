/*-------------------------------------------------------------------------
 *
 * cq_process.c
 *	  One batch of a continuous query: take due queue rows, run the
 *	  query's generated statement for them as its owner, and record the
 *	  outcome - all in the caller's transaction, so the sink rows, the
 *	  removal of the queue rows and the progress row commit together
 *	  (exactly-once effect).
 *
 * Steps (see continuous.h for the statements, written by the SQL
 * surface):
 *	 1. as the extension owner, lock up to batch_size due rows of the queue
 *		(FOR UPDATE SKIP LOCKED: concurrent processors take other rows);
 *	 2. check the owner's rights, then, as the owner, in a subtransaction,
 *		run the batch statement for all the keys (one statement, so the
 *		pipelined LATERAL join carries the model calls) and the delete
 *		statement;
 *	 3. if that fails: an endpoint that is down (08001) defers the whole
 *		batch without charging its rows; an error that no row can cause (privileges, missing objects,
 *		cancel, shutdown, deadlock) is raised to the caller; any other
 *		error sends the batch through again in halves, each one statement
 *		in its own subtransaction, a failing half split again down to
 *		single rows (retry_split): a row failing with another connection
 *		error (class 08: its call timed out) waits without a charge; any
 *		other failing row gets an attempt, a backoff (1 s
 *		doubling up to mlpredict.continuous_max_backoff, with jitter) and
 *		its error, and is parked at max_attempts, while the others commit;
 *	 4. delete the processed queue rows and add the batch to the progress
 *		row.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_process.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/itemptr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "settings.h"
#include "catalog/ml_catalog.h"
#include "continuous/continuous.h"
#include "continuous/cq_process.h"

PG_FUNCTION_INFO_V1(mlpredict_process_continuous_query);

#define CQ_ERROR_MAX 2000		/* bytes of an error message kept */

/* A locked queue row. */
typedef struct QueuedRow
{
	ItemPointerData ctid;
	int			nkeys;
	Datum	   *key;			/* text values */
	int			attempts;
} QueuedRow;

typedef struct Batch
{
	ContinuousQuery *cq;
	int			nrows;
	QueuedRow  *rows;
	char	   *sql;
	char	   *delete_sql;
	int			version_used;
} Batch;

/* A taken row's outcome. */
#define ROW_PENDING 0			/* not processed: deferred if the batch is */
#define ROW_DONE	1			/* processed: its queue row is deleted */
#define ROW_CHARGED 2			/* failed: rescheduled or parked */
#define ROW_WAIT	3			/* not charged: waits mlpredict.continuous_outage_delay */

/* How an error raised by the batch's statements is handled. */
typedef enum ErrorClass
{
	ERROR_ROW,					/* may be the row's: charge it */
	ERROR_DOWN,					/* the endpoint is down: defer the batch, charge nothing */
	ERROR_TRANSPORT,			/* another connection error (a timeout): may be
								 * one row's, but charge nothing */
	ERROR_QUERY					/* no row causes it: raise it */
} ErrorClass;

static int	take_rows(Batch *b, int limit);
static Datum keys_array(Batch *b, int from, int count);
static Datum ctid_array(Batch *b, const char *state, char wanted);
static uint64 run_statements(Batch *b, Datum keys);
static bool try_statements(Batch *b, Datum keys, ErrorData **error);
static ErrorClass classify(ErrorData *error);
static void handle_failure(Batch *b, int from, int count, ErrorData *error,
						   ContinuousBatchResult *result, char *state,
						   ErrorData **last);
static void retry_split(Batch *b, int from, int count, ContinuousBatchResult *result,
						char *state, ErrorData **last);
static void charge_row(Batch *b, int i, ErrorData *error,
					   ContinuousBatchResult *result, char *state);
static void defer_rows(Batch *b, const char *state, ErrorData *error);
static void delete_rows(Batch *b, const char *state);
static void add_progress(Batch *b, ContinuousBatchResult *result,
						 double ms, ErrorData *error);
static char *clip_message(const char *message);

/*
 * ContinuousProcessBatch
 *		See cq_process.h.  max_rows <= 0 takes the query's batch_size.
 */
void
ContinuousProcessBatch(const char *name, int max_rows, ContinuousBatchResult *result)
{
	Batch		b;
	TimestampTz start = GetCurrentTimestamp();
	ErrorData  *error = NULL;
	char	   *state;

	memset(result, 0, sizeof(*result));
	memset(&b, 0, sizeof(b));
	b.cq = ContinuousQueryLoad(name, true);
	if (b.cq == NULL || !b.cq->running)
	{
		result->missing = true;
		return;
	}
	result->batch_size = b.cq->batch_size;
	ContinuousCheckPrivileges(b.cq);
	result->taken = take_rows(&b, max_rows > 0 ? max_rows : b.cq->batch_size);
	if (result->taken == 0)
		return;
	b.sql = ContinuousBatchSQL(b.cq, &b.version_used);
	b.delete_sql = ContinuousDeleteSQL(b.cq);
	state = palloc0(b.nrows);

	if (try_statements(&b, keys_array(&b, 0, b.nrows), &error))
	{
		memset(state, ROW_DONE, b.nrows);
		result->done = b.nrows;
	}
	else
		handle_failure(&b, 0, b.nrows, error, result, state, &error);
	if (result->deferred)
	{
		for (int i = 0; i < b.nrows; i++)
			if (state[i] == ROW_PENDING)
				state[i] = ROW_WAIT;
	}
	defer_rows(&b, state, error);
	delete_rows(&b, state);
	add_progress(&b, result,
				 (double) (GetCurrentTimestamp() - start) / 1000.0, error);
}

/*
 * MlProcessContinuousQuery
 *		One batch of the named query; the number of rows done.
 */
int
MlProcessContinuousQuery(const char *name, int max_rows)
{
	ContinuousBatchResult result;

	ContinuousProcessBatch(name, max_rows, &result);
	return result.done;
}

/*
 * take_rows
 *		Lock up to limit due queue rows, oldest first, as the extension
 *		owner; rows other processors hold are skipped.
 */
static int
take_rows(Batch *b, int limit)
{
	CatalogAccess access;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	int			n;

	values[0] = CStringGetTextDatum(b->cq->name);
	values[1] = Int32GetDatum(limit);
	CatalogBegin(&access);
	n = CatalogExec("SELECT ctid, key, attempts FROM mlpredict.continuous_query_queue"
					" WHERE query = $1 AND NOT parked AND next_attempt_at <= now()"
					" ORDER BY enqueued_at LIMIT $2 FOR UPDATE SKIP LOCKED",
					2, argtypes, values, NULL, false);
	b->rows = MemoryContextAllocZero(access.caller_context, sizeof(QueuedRow) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		QueuedRow  *row = &b->rows[i];
		bool		isnull;
		MemoryContext old;
		ArrayType  *key;

		row->ctid = *(ItemPointer) DatumGetPointer(SPI_getbinval(tup, desc, 1, &isnull));
		row->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
		old = MemoryContextSwitchTo(access.caller_context);
		key = DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 2, &isnull));
		deconstruct_array(key, TEXTOID, -1, false, TYPALIGN_INT,
						  &row->key, NULL, &row->nkeys);
		MemoryContextSwitchTo(old);
	}
	CatalogEnd(&access);
	b->nrows = n;
	return n;
}

/*
 * keys_array
 *		The statements' $1: a count x nkeys text array of rows from..from+count-1.
 */
static Datum
keys_array(Batch *b, int from, int count)
{
	int			nkeys = b->rows[from].nkeys;
	Datum	   *elems = palloc(sizeof(Datum) * count * nkeys);
	int			dims[2] = {count, nkeys};
	int			lbs[2] = {1, 1};

	for (int i = 0; i < count; i++)
	{
		QueuedRow  *row = &b->rows[from + i];

		if (row->nkeys != nkeys)
			elog(ERROR, "queue row of continuous query \"%s\" has %d key values, not %d",
				 b->cq->name, row->nkeys, nkeys);
		memcpy(&elems[i * nkeys], row->key, sizeof(Datum) * nkeys);
	}
	return PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * ctid_array
 *		The ctids of the rows whose state is wanted, as a tid[] (NULL
 *		Datum when there are none).
 */
static Datum
ctid_array(Batch *b, const char *state, char wanted)
{
	Datum	   *elems = palloc(sizeof(Datum) * b->nrows);
	int			n = 0;

	for (int i = 0; i < b->nrows; i++)
		if (state[i] == wanted)
			elems[n++] = PointerGetDatum(&b->rows[i].ctid);
	if (n == 0)
		return (Datum) 0;
	return PointerGetDatum(construct_array(elems, n, TIDOID, sizeof(ItemPointerData),
										   false, TYPALIGN_SHORT));
}

/*
 * run_statements
 *		The batch and delete statements for keys, as the query's owner with
 *		a search_path that no object of anyone's can capture a name in, in
 *		a security-restricted operation whose setting changes are undone
 *		(ContinuousBecomeOwner).
 */
static uint64
run_statements(Batch *b, Datum keys)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1] = {keys};
	ContinuousOwnerContext owner;
	int			rc;
	uint64		written;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ContinuousBecomeOwner(b->cq, &owner);
	rc = SPI_execute_with_args(b->sql, 1, argtypes, values, NULL, false, 0);
	if (rc < 0)
		elog(ERROR, "batch statement of continuous query \"%s\" failed: %s",
			 b->cq->name, SPI_result_code_string(rc));
	written = SPI_processed;
	if (b->delete_sql != NULL)
	{
		rc = SPI_execute_with_args(b->delete_sql, 1, argtypes, values, NULL, false, 0);
		if (rc < 0)
			elog(ERROR, "delete statement of continuous query \"%s\" failed: %s",
				 b->cq->name, SPI_result_code_string(rc));
	}
	ContinuousRestoreUser(&owner);
	SPI_finish();
	return written;
}

/*
 * try_statements
 *		run_statements in a subtransaction; false with *error (in the
 *		caller's memory context) if it raised one.  The subtransaction's
 *		abort restores the user id, the GUCs and SPI.
 */
static bool
try_statements(Batch *b, Datum keys, ErrorData **error)
{
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		(void) run_statements(b, keys);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		*error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * classify
 *		08001: the endpoint could not be reached (after
 *		mlpredict.retry_outage_window, or its breaker is open); the rest of
 *		class 08: a connection error that may be one row's (a timeout).
 *		Errors no row can
 *		cause: insufficient privilege, undefined objects and other class 42,
 *		feature not supported, wrong object state, cancel and shutdown,
 *		resources, transaction rollback (deadlocks), invalid transaction
 *		state.  Everything else (model errors 38000, data errors, the sink's
 *		constraints) may be the row's.
 */
static ErrorClass
classify(ErrorData *error)
{
	int			category = ERRCODE_TO_CATEGORY(error->sqlerrcode);

	if (error->sqlerrcode == ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION)
		return ERROR_DOWN;
	if (category == ERRCODE_CONNECTION_EXCEPTION)
		return ERROR_TRANSPORT;
	if (category == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION ||
		category == ERRCODE_FEATURE_NOT_SUPPORTED ||
		category == ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE ||
		category == ERRCODE_OPERATOR_INTERVENTION ||
		category == ERRCODE_INSUFFICIENT_RESOURCES ||
		category == ERRCODE_TRANSACTION_ROLLBACK ||
		category == ERRCODE_INVALID_TRANSACTION_STATE ||
		category == ERRCODE_INVALID_SCHEMA_NAME ||
		category == ERRCODE_INVALID_CATALOG_NAME)
		return ERROR_QUERY;
	return ERROR_ROW;
}

/*
 * retry_split
 *		Rows from .. from + count - 1 failed together with an error that may
 *		be one row's: run each half again as one statement (pipelined), and
 *		split a failing half further, down to single rows, which are
 *		charged.  The good rows of a failing half are called again at each
 *		level, but the calls stay pipelined: one bad row in a batch of 500
 *		costs about 2 x 9 more statements, not 500 calls one after
 *		another.  Stops at an outage (the rows not yet done stay pending);
 *		raises errors of the query.  *last receives the last error seen.
 */
static void
retry_split(Batch *b, int from, int count, ContinuousBatchResult *result,
			char *state, ErrorData **last)
{
	int			half = count / 2;

	for (int part = 0; part < 2 && !result->deferred; part++)
	{
		int			start = part == 0 ? from : from + half;
		int			n = part == 0 ? half : count - half;
		ErrorData  *error = NULL;

		if (n == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (try_statements(b, keys_array(b, start, n), &error))
		{
			memset(state + start, ROW_DONE, n);
			result->done += n;
			continue;
		}
		handle_failure(b, start, n, error, result, state, last);
	}
}

/*
 * handle_failure
 *		Rows from .. from + count - 1 failed together with error: raise an
 *		error of the query; defer the whole batch when the endpoint is down
 *		(08001: it could not be reached for mlpredict.retry_outage_window,
 *		or its circuit breaker is open); split the rows otherwise, down to
 *		a single row, which is charged an attempt - or, for another
 *		connection error (a timeout: a row that makes the model slow),
 *		left to wait without a charge, so that it never holds up the rows
 *		around it.
 */
static void
handle_failure(Batch *b, int from, int count, ErrorData *error,
			   ContinuousBatchResult *result, char *state, ErrorData **last)
{
	ErrorClass	class = classify(error);

	*last = error;
	if (class == ERROR_QUERY)
		ReThrowError(error);
	if (class == ERROR_DOWN)
		result->deferred = true;
	else if (count > 1)
		retry_split(b, from, count, result, state, last);
	else if (class == ERROR_TRANSPORT)
		state[from] = ROW_WAIT;
	else
		charge_row(b, from, error, result, state);
}

/*
 * ContinuousBackoffMs
 *		Wait before attempt attempts + 1: 1 s doubling with each attempt,
 *		at most mlpredict.continuous_max_backoff, times 0.75 to 1.25.
 */
int
ContinuousBackoffMs(int attempts)
{
	int64		cap = (int64) mlpredict_continuous_max_backoff * 1000;
	int64		ms = (int64) 1000 << Min(Max(attempts - 1, 0), 20);

	ms = Min(ms, cap);
	ms = (int64) (ms * (0.75 + 0.5 * pg_prng_double(&pg_global_prng_state)));
	return (int) Min(ms, cap);
}

/*
 * charge_row
 *		One more attempt against row i, its error, its next attempt; parked
 *		(dead letter) at max_attempts.
 */
static void
charge_row(Batch *b, int i, ErrorData *error, ContinuousBatchResult *result, char *state)
{
	CatalogAccess access;
	Oid			argtypes[6] = {TIDOID, INT4OID, FLOAT8OID, TEXTOID, TEXTOID, BOOLOID};
	Datum		values[6];
	QueuedRow  *row = &b->rows[i];
	int			attempts = row->attempts + 1;
	bool		parked = attempts >= b->cq->max_attempts;

	values[0] = PointerGetDatum(&row->ctid);
	values[1] = Int32GetDatum(attempts);
	values[2] = Float8GetDatum(ContinuousBackoffMs(attempts) / 1000.0);
	values[3] = CStringGetTextDatum(unpack_sql_state(error->sqlerrcode));
	values[4] = CStringGetTextDatum(clip_message(error->message));
	values[5] = BoolGetDatum(parked);
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.continuous_query_queue SET attempts = $2,"
				" next_attempt_at = clock_timestamp() + make_interval(secs => $3),"
				" last_sqlstate = $4, last_error = $5, last_attempt_at = clock_timestamp(),"
				" parked = $6 WHERE ctid = $1",
				6, argtypes, values, NULL, false);
	CatalogEnd(&access);
	state[i] = ROW_CHARGED;
	result->failed++;
	if (parked)
		result->parked++;
}

/*
 * defer_rows
 *		The rows left waiting (the endpoint is down, or their calls timed
 *		out) wait mlpredict.continuous_outage_delay, their attempts
 *		unchanged.
 */
static void
defer_rows(Batch *b, const char *state, ErrorData *error)
{
	CatalogAccess access;
	Oid			argtypes[4] = {TIDARRAYOID, FLOAT8OID, TEXTOID, TEXTOID};
	Datum		values[4];

	values[0] = ctid_array(b, state, ROW_WAIT);
	if (values[0] == (Datum) 0)
		return;
	values[1] = Float8GetDatum(mlpredict_continuous_outage_delay / 1000.0);
	values[2] = CStringGetTextDatum(unpack_sql_state(error->sqlerrcode));
	values[3] = CStringGetTextDatum(clip_message(error->message));
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.continuous_query_queue SET"
				" next_attempt_at = clock_timestamp() + make_interval(secs => $2),"
				" last_sqlstate = $3, last_error = $4, last_attempt_at = clock_timestamp()"
				" WHERE ctid = ANY ($1)",
				4, argtypes, values, NULL, false);
	CatalogEnd(&access);
}

/*
 * delete_rows
 *		Remove the queue rows processed successfully.
 */
static void
delete_rows(Batch *b, const char *state)
{
	CatalogAccess access;
	Oid			argtypes[1] = {TIDARRAYOID};
	Datum		values[1];

	values[0] = ctid_array(b, state, ROW_DONE);
	if (values[0] == (Datum) 0)
		return;
	CatalogBegin(&access);
	CatalogExec("DELETE FROM mlpredict.continuous_query_queue WHERE ctid = ANY ($1)",
				1, argtypes, values, NULL, false);
	CatalogEnd(&access);
}

/*
 * add_progress
 *		Add the batch to the query's progress row (created if missing).
 */
static void
add_progress(Batch *b, ContinuousBatchResult *result, double ms, ErrorData *error)
{
	CatalogAccess access;
	Oid			argtypes[9] = {TEXTOID, INT8OID, INT8OID, INT8OID, INT4OID,
	FLOAT8OID, INT4OID, TEXTOID, TEXTOID};
	Datum		values[9];
	char		nulls[9];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(b->cq->name);
	values[1] = Int64GetDatum(result->done);
	values[2] = Int64GetDatum(result->failed);
	values[3] = Int64GetDatum(result->parked);
	values[4] = Int32GetDatum(b->nrows);
	values[5] = Float8GetDatum(ms);
	values[6] = Int32GetDatum(b->version_used);
	if (b->version_used <= 0)
		nulls[6] = 'n';
	if (error != NULL)
	{
		values[7] = CStringGetTextDatum(unpack_sql_state(error->sqlerrcode));
		values[8] = CStringGetTextDatum(clip_message(error->message));
	}
	else
		nulls[7] = nulls[8] = 'n';
	CatalogBegin(&access);
	CatalogExec("INSERT INTO mlpredict.continuous_query_progress AS p"
				" (query, rows_done, rows_failed, rows_parked, batches, last_batch_at,"
				"  last_batch_rows, last_batch_ms, model_version_used,"
				"  last_sqlstate, last_error, last_error_at)"
				" VALUES ($1, $2, $3, $4, 1, clock_timestamp(), $5, $6, $7, $8, $9,"
				"  CASE WHEN $8 IS NULL THEN NULL ELSE clock_timestamp() END)"
				" ON CONFLICT (query) DO UPDATE SET"
				" rows_done = p.rows_done + excluded.rows_done,"
				" rows_failed = p.rows_failed + excluded.rows_failed,"
				" rows_parked = p.rows_parked + excluded.rows_parked,"
				" batches = p.batches + 1,"
				" last_batch_at = excluded.last_batch_at,"
				" last_batch_rows = excluded.last_batch_rows,"
				" last_batch_ms = excluded.last_batch_ms,"
				" model_version_used = coalesce(excluded.model_version_used, p.model_version_used),"
				" last_sqlstate = coalesce(excluded.last_sqlstate, p.last_sqlstate),"
				" last_error = coalesce(excluded.last_error, p.last_error),"
				" last_error_at = coalesce(excluded.last_error_at, p.last_error_at)",
				9, argtypes, values, nulls, false);
	CatalogEnd(&access);
}

/*
 * ContinuousRecordError
 *		An error of the whole query (the worker's, after its transaction
 *		was rolled back): into the progress row, in the current
 *		transaction.  Does nothing if the query is gone.
 */
void
ContinuousRecordError(const char *name, const char *sqlstate, const char *message)
{
	CatalogAccess access;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(sqlstate);
	values[2] = CStringGetTextDatum(clip_message(message));
	CatalogBegin(&access);
	CatalogExec("INSERT INTO mlpredict.continuous_query_progress AS p"
				" (query, last_sqlstate, last_error, last_error_at)"
				" SELECT $1, $2, $3, clock_timestamp()"
				" FROM mlpredict.continuous_query WHERE name = $1"
				" ON CONFLICT (query) DO UPDATE SET last_sqlstate = excluded.last_sqlstate,"
				" last_error = excluded.last_error, last_error_at = excluded.last_error_at",
				3, argtypes, values, NULL, false);
	CatalogEnd(&access);
}

static char *
clip_message(const char *message)
{
	int			len;

	if (message == NULL)
		return pstrdup("");
	len = strlen(message);
	if (len <= CQ_ERROR_MAX)
		return pstrdup(message);
	return pnstrdup(message, pg_mbcliplen(message, len, CQ_ERROR_MAX));
}

/*
 * mlpredict_process_continuous_query
 *		process_continuous_query(name text, max_rows int): one batch now, in
 *		the caller's transaction; the rows done.  Only the query's owner (or
 *		a superuser) may run it.
 */
Datum
mlpredict_process_continuous_query(PG_FUNCTION_ARGS)
{
	char	   *name;
	int			max_rows = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1);
	ContinuousQuery *cq;
	ContinuousBatchResult result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("continuous query name must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (max_rows < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_rows must not be negative")));
	cq = ContinuousQueryLoad(name, false);
	CatalogCheckOwner(GetUserId(), cq->owner, "continuous query", name);
	if (!cq->running)
		ereport(NOTICE,
				(errmsg("continuous query \"%s\" is paused", name)));
	ContinuousProcessBatch(name, max_rows, &result);
	if (result.deferred)
		ereport(NOTICE,
				(errmsg("the model's endpoint could not be reached; the batch of continuous query \"%s\" will be retried", name)));
	PG_RETURN_INT32(result.done);
}
