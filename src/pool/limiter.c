/*-------------------------------------------------------------------------
 *
 * limiter.c
 *	  The concurrency caps and rate limits the dispatcher consults before
 *	  it starts a request (see limiter.h).
 *
 * One table of per-connection entries plus a count of requests in flight.
 * Shared (under the "mlpredict_limiter" LWLock) when the library was
 * preloaded, backend-local otherwise.  Nothing here raises ERROR once the
 * table exists: it is called from the pool worker's event loop.
 *
 * Never fail open.  The table has room for at least mlpredict.max_connections
 * entries (as set when it was created, and never fewer than
 * LIMITER_MIN_ENTRIES), and only entries with requests in flight are kept
 * from recycling, so every request that may start finds its entry.  Should
 * the table still be full of busy entries (the setting was raised by a
 * reload, or set to 0, no limit), a request of a connection without an
 * entry waits (LIMITER_BUSY) until one is released: it never starts
 * without its connection's limits.
 *
 * Each entry also holds the connection's circuit breaker (circuit.c) and
 * the last error that fed it, so that every pool worker (or, without the
 * pool, the backend) sees one state per connection: LimiterAcquire asks it
 * after the caps and buckets, LimiterReportHealth tells it what an attempt
 * found.  An entry recycled while idle forgets its breaker, which then
 * opens again after CIRCUIT_OPEN_AFTER failures.
 *
 * IDENTIFICATION
 *	  src/pool/limiter.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http/outage_policy.h"
#include "pool/circuit.h"
#include "pool/limiter.h"
#include "pool/pool.h"
#include "pool/token_bucket.h"

#define LIMITER_MIN_ENTRIES	256

typedef struct LimiterEntry
{
	Oid			dboid;
	char		connection[HTTP_ROUTE_NAME_LEN];	/* "" = unused */
	int			in_flight;
	int			max_concurrency;
	TokenBucket requests;
	TokenBucket tokens;
	int64		config_ms;		/* built_ms of the route the limits came from */
	int64		last_used_ms;
	Circuit		circuit;		/* the connection's breaker */
	char		last_error[LIMITER_ERROR_LEN];	/* what its last failure said */
} LimiterEntry;

typedef struct LimiterTable
{
	LWLock	   *lock;			/* NULL when backend-local */
	int			in_flight;		/* all entries, plus connection-less routes */
	int			nentries;
	LimiterEntry entries[FLEXIBLE_ARRAY_MEMBER];
} LimiterTable;

static LimiterTable *limiter = NULL;

/*
 * The entry this process found last: looked at first, since a busy
 * worker asks for the same connection over and over.  Only a hint: it
 * is used only when it still holds the route's connection.
 */
static int	limiter_hint = -1;

static int	limiter_entry_count(void);
static Size limiter_table_size(int nentries);

static LimiterTable *limiter_table(void);
static LimiterVerdict circuit_admit(LimiterEntry *e, int64 now_ms,
									int64 *wait_ms, bool *probe);
static LimiterEntry *slot_entry(LimiterTable *table, int slot);
static LimiterEntry *limiter_entry(LimiterTable *table, const HttpRoute *route,
								   int64 now_ms, bool *full);
static void limiter_lock(LimiterTable *table);
static void limiter_unlock(LimiterTable *table);

/*
 * limiter_entry_count
 *		Entries for the table created now: mlpredict.max_connections, at
 *		least LIMITER_MIN_ENTRIES.
 */
static int
limiter_entry_count(void)
{
	return Max(LIMITER_MIN_ENTRIES, mlpredict_max_connections);
}

static Size
limiter_table_size(int nentries)
{
	return MAXALIGN(add_size(offsetof(LimiterTable, entries),
							 mul_size(nentries, sizeof(LimiterEntry))));
}

Size
LimiterShmemSize(void)
{
	return limiter_table_size(limiter_entry_count());
}

/* From the shmem_request hook. */
void
LimiterShmemRequest(void)
{
	RequestAddinShmemSpace(LimiterShmemSize());
	RequestNamedLWLockTranche("mlpredict_limiter", 1);
}

/* From the shmem_startup hook, with AddinShmemInitLock held. */
void
LimiterShmemInit(void)
{
	bool		found;

	limiter = ShmemInitStruct("mlpredict limiter", LimiterShmemSize(), &found);
	if (!found)
	{
		memset(limiter, 0, LimiterShmemSize());
		limiter->nentries = limiter_entry_count();
	}
	limiter->lock = &(GetNamedLWLockTranche("mlpredict_limiter"))->lock;
}

/*
 * limiter_table
 *		The shared table, or this backend's own (allocated on first use).
 */
static LimiterTable *
limiter_table(void)
{
	if (limiter == NULL)
	{
		int			n = limiter_entry_count();

		limiter = MemoryContextAllocZero(TopMemoryContext, limiter_table_size(n));
		limiter->nentries = n;
	}
	return limiter;
}

static void
limiter_lock(LimiterTable *table)
{
	if (table->lock)
		LWLockAcquire(table->lock, LW_EXCLUSIVE);
}

static void
limiter_unlock(LimiterTable *table)
{
	if (table->lock)
		LWLockRelease(table->lock);
}

int64
LimiterNowMs(void)
{
	return (int64) (GetCurrentTimestamp() / 1000);
}

/*
 * limiter_entry
 *		The entry of route's connection, created (or recycled from the least
 *		recently used idle entry) if needed and configured from the route;
 *		NULL if the route has no connection or the table is full of busy
 *		entries (*full is then set: the caller must not start the request).
 */
static LimiterEntry *
limiter_entry(LimiterTable *table, const HttpRoute *route, int64 now_ms,
			  bool *full)
{
	LimiterEntry *victim = NULL;
	LimiterEntry *e = NULL;

	*full = false;
	if (route->connection[0] == '\0')
		return NULL;
	if (limiter_hint >= 0 && limiter_hint < table->nentries)
	{
		LimiterEntry *c = &table->entries[limiter_hint];

		if (c->connection[0] != '\0' && c->dboid == route->dboid &&
			strcmp(c->connection, route->connection) == 0)
			e = c;
	}
	for (int i = 0; e == NULL && i < table->nentries; i++)
	{
		LimiterEntry *c = &table->entries[i];

		if (c->connection[0] != '\0' && c->dboid == route->dboid &&
			strcmp(c->connection, route->connection) == 0)
		{
			e = c;
			break;
		}
		if (c->in_flight == 0 &&
			(victim == NULL || c->connection[0] == '\0' ||
			 (victim->connection[0] != '\0' && c->last_used_ms < victim->last_used_ms)))
			victim = c;
	}
	if (e == NULL)
	{
		if (victim == NULL)
		{
			*full = true;
			return NULL;
		}
		e = victim;
		memset(e, 0, sizeof(LimiterEntry));
		e->dboid = route->dboid;
		strlcpy(e->connection, route->connection, sizeof(e->connection));
	}
	limiter_hint = (int) (e - table->entries);
	/*
	 * Limits come from the newest route: a statement that started before an
	 * ALTER CONNECTION must not flip them back (and refill the buckets).
	 */
	if (route->built_ms >= e->config_ms)
	{
		e->config_ms = route->built_ms;
		e->max_concurrency = route->max_concurrency;
		TokenBucketConfigure(&e->requests, route->requests_per_minute, now_ms);
		TokenBucketConfigure(&e->tokens, route->tokens_per_minute, now_ms);
	}
	e->last_used_ms = now_ms;
	return e;
}

/*
 * LimiterAcquire
 *		Start a request if the caps, the buckets and any pause allow it.
 */
LimiterVerdict
LimiterAcquire(const HttpRoute *route, int64 now_ms, int *slot, int64 *wait_ms,
			   bool *probe)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;
	LimiterVerdict verdict = LIMITER_GO;
	bool		full;

	*slot = -1;
	*wait_ms = 0;
	*probe = false;
	limiter_lock(table);
	e = limiter_entry(table, route, now_ms, &full);
	if (full)
		verdict = LIMITER_BUSY; /* no entry to hold its limits: wait */
	else if (mlpredict_max_connections > 0 &&
			 table->in_flight >= mlpredict_max_connections)
		verdict = LIMITER_BUSY;
	else if (e != NULL && e->max_concurrency > 0 &&
			 e->in_flight >= e->max_concurrency)
		verdict = LIMITER_BUSY;
	else if (e != NULL)
	{
		int64		wait = Max(TokenBucketWaitMs(&e->requests, 1, now_ms),
							   TokenBucketWaitMs(&e->tokens, 1, now_ms));

		if (wait > 0)
		{
			verdict = LIMITER_LATER;
			*wait_ms = wait;
		}
		else if ((verdict = circuit_admit(e, now_ms, wait_ms, probe)) == LIMITER_GO)
			(void) TokenBucketTake(&e->requests, 1, now_ms);
	}
	if (verdict == LIMITER_GO)
	{
		table->in_flight++;
		if (e != NULL)
		{
			e->in_flight++;
			*slot = (int) (e - table->entries);
		}
	}
	limiter_unlock(table);
	return verdict;
}

/*
 * circuit_admit
 *		The breaker's verdict on a request the caps and buckets let start:
 *		LIMITER_GO (*probe set if it is the probe), LIMITER_LATER while the
 *		endpoint is expected back, LIMITER_DOWN once it has been failing
 *		longer than mlpredict.retry_outage_window.  A probe whose process
 *		died is given up after the longest an attempt may take.
 */
static LimiterVerdict
circuit_admit(LimiterEntry *e, int64 now_ms, int64 *wait_ms, bool *probe)
{
	long long	stale = (long long) mlpredict_max_client_timeout * 1000 + 5000;
	long long	wait = 0;

	switch (CircuitAdmit(&e->circuit, now_ms, mlpredict_retry_outage_window,
						 stale, &wait))
	{
		case CIRCUIT_GO:
			return LIMITER_GO;
		case CIRCUIT_PROBE:
			*probe = true;
			return LIMITER_GO;
		case CIRCUIT_WAIT:
			*wait_ms = wait;
			return LIMITER_LATER;
		case CIRCUIT_FAIL:
			break;
	}
	return LIMITER_DOWN;
}

/* The entry a slot names, or NULL. */
static LimiterEntry *
slot_entry(LimiterTable *table, int slot)
{
	if (slot < 0 || slot >= table->nentries ||
		table->entries[slot].connection[0] == '\0')
		return NULL;
	return &table->entries[slot];
}

/*
 * LimiterReportHealth
 *		What an attempt started on slot found out about its endpoint (a
 *		RetryHealth); probe: it was the breaker's probe.  error is the
 *		failure's text, kept for the fail-fast error and the view.
 *		*failing_since_ms is when the endpoint's current run of failures
 *		began (0: none).
 */
void
LimiterReportHealth(int slot, int health, bool probe, const char *error,
					int64 now_ms, int64 *failing_since_ms)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;

	*failing_since_ms = 0;
	/*
	 * The common case, an answer while the breaker is closed, needs no lock:
	 * the entry cannot be recycled while this request holds its slot, and
	 * should a failure elsewhere be counted meanwhile, the next answer
	 * closes the breaker.
	 */
	e = slot_entry(table, slot);
	if (e == NULL || (health == RETRY_HEALTH_UP && !probe && e->circuit.failures == 0))
		return;
	limiter_lock(table);
	e = slot_entry(table, slot);
	if (e != NULL)
	{
		if (health == RETRY_HEALTH_UP)
			CircuitSucceeded(&e->circuit);
		else if (health == RETRY_HEALTH_DOWN)
		{
			CircuitFailed(&e->circuit, now_ms, probe);
			strlcpy(e->last_error, error, sizeof(e->last_error));
		}
		else if (probe)
			CircuitProbeEnded(&e->circuit);
		*failing_since_ms = e->circuit.failing_since_ms;
	}
	limiter_unlock(table);
}

/*
 * LimiterProbeEnded
 *		The probe started on slot ends without a result (cancelled, or
 *		taken off the wire): another may start.
 */
void
LimiterProbeEnded(int slot)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;

	limiter_lock(table);
	if ((e = slot_entry(table, slot)) != NULL)
		CircuitProbeEnded(&e->circuit);
	limiter_unlock(table);
}

/*
 * LimiterDescribeOutage
 *		For the error of a request refused with LIMITER_DOWN: how long
 *		route's endpoint has been failing and the last error (len bytes).
 */
void
LimiterDescribeOutage(const HttpRoute *route, int64 now_ms, int64 *failing_ms,
					  char *last_error, size_t len)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;
	bool		full;

	*failing_ms = 0;
	last_error[0] = '\0';
	limiter_lock(table);
	e = limiter_entry(table, route, now_ms, &full);
	if (e != NULL && e->circuit.failing_since_ms != 0)
	{
		*failing_ms = now_ms - e->circuit.failing_since_ms;
		strlcpy(last_error, e->last_error, len);
	}
	limiter_unlock(table);
}

/*
 * LimiterCircuits
 *		A copy of the breakers of database dboid (palloc'd), their number
 *		in *n.  Only entries in use; names and times, no secrets.
 */
LimiterCircuitInfo *
LimiterCircuits(Oid dboid, int *n)
{
	LimiterTable *table = limiter_table();
	LimiterCircuitInfo *rows = palloc0(sizeof(LimiterCircuitInfo) * table->nentries);

	*n = 0;
	limiter_lock(table);
	for (int i = 0; i < table->nentries; i++)
	{
		LimiterEntry *e = &table->entries[i];
		LimiterCircuitInfo *r = &rows[*n];

		if (e->connection[0] == '\0' || e->dboid != dboid)
			continue;
		strlcpy(r->connection, e->connection, sizeof(r->connection));
		r->state = (int) CircuitStateOf(&e->circuit);
		r->failures = e->circuit.failures;
		r->failing_since_ms = e->circuit.failing_since_ms;
		r->last_failure_ms = e->circuit.last_failure_ms;
		r->next_probe_ms = r->state == CIRCUIT_CLOSED ? 0 : e->circuit.next_probe_ms;
		strlcpy(r->last_error, e->circuit.failures > 0 ? e->last_error : "",
				sizeof(r->last_error));
		(*n)++;
	}
	limiter_unlock(table);
	return rows;
}

/*
 * LimiterRelease
 *		A request started by LimiterAcquire has ended.
 */
void
LimiterRelease(int slot)
{
	LimiterTable *table = limiter_table();

	limiter_lock(table);
	if (table->in_flight > 0)
		table->in_flight--;
	if (slot >= 0 && slot < table->nentries &&
		table->entries[slot].in_flight > 0)
		table->entries[slot].in_flight--;
	limiter_unlock(table);
}

void
LimiterPause(const HttpRoute *route, int64 until_ms, int64 now_ms)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;
	bool		full;

	limiter_lock(table);
	e = limiter_entry(table, route, now_ms, &full);
	if (e != NULL)
	{
		TokenBucketPause(&e->requests, until_ms, now_ms);
		TokenBucketPause(&e->tokens, until_ms, now_ms);
	}
	limiter_unlock(table);
}

void
LimiterChargeTokens(const HttpRoute *route, int64 tokens, int64 now_ms)
{
	LimiterTable *table = limiter_table();
	LimiterEntry *e;
	bool		full;

	if (route->tokens_per_minute <= 0 || tokens <= 0)
		return;
	limiter_lock(table);
	e = limiter_entry(table, route, now_ms, &full);
	if (e != NULL)
		TokenBucketCharge(&e->tokens, (double) tokens, now_ms);
	limiter_unlock(table);
}

int
LimiterInFlight(void)
{
	return limiter_table()->in_flight;
}

