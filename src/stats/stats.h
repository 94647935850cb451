/*-------------------------------------------------------------------------
 *
 * stats.h
 *	  Usage statistics per model and per connection object: calls, rows,
 *	  errors by class, retries, throttled waits, requests in flight, bytes,
 *	  prompt and completion tokens, and a latency histogram.
 *
 * With shared_preload_libraries the counters live in shared memory and
 * cover every session of the cluster (the pool worker records the HTTP
 * side, backends record rows and tokens).  Without it they live in the
 * backend and cover that session only.  The views mlpredict.stat_models
 * and mlpredict.stat_connections show the rows of the current database;
 * mlpredict.stat_reset() clears them.
 *
 * Every recording function is cheap, never raises ERROR and ignores a
 * route whose name is empty; when the table is full, a new key takes the
 * place of a row of a dropped object, or if there is none is not tracked
 * (and a counter of dropped entries says so).
 *
 * IDENTIFICATION
 *	  src/stats/stats.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_STATS_H
#define MLPREDICT_STATS_H

#include "datatype/timestamp.h"
#include "http/http.h"

/* How a call that did not succeed failed. */
typedef enum MlStatError
{
	ML_STAT_ERR_CLIENT,			/* HTTP 4xx other than 429 */
	ML_STAT_ERR_THROTTLED,		/* HTTP 429 after the last retry */
	ML_STAT_ERR_SERVER,			/* HTTP 5xx */
	ML_STAT_ERR_TIMEOUT,		/* connect or total timeout */
	ML_STAT_ERR_CONNECTION,		/* DNS, refused, reset, TLS */
	ML_STAT_ERR_RESPONSE,		/* undecodable or oversized answer */
	ML_STAT_ERR_CANCELED,		/* abandoned by cancel or session exit */
	ML_STAT_NERRORS
} MlStatError;

/*
 * Shared memory (called from the pool's shmem hooks when preloaded):
 * MlStatsShmemRequest from shmem_request_hook (it requests the space and
 * the "mlpredict_stats" LWLock tranche), MlStatsShmemInit from
 * shmem_startup_hook with AddinShmemInitLock held.
 */
extern Size MlStatsShmemSize(void);
extern void MlStatsShmemRequest(void);
extern void MlStatsShmemInit(void);

/*
 * Recorded by the dispatcher, in the worker or in the backend:
 *  - MlStatsAttempt: one HTTP attempt ended: it left the wire (in flight
 *    down by one), its latency and bytes; retried says whether another
 *    attempt follows, and when none does it was the request's final
 *    outcome, counted as MlStatsCallDone counts it (one update of the
 *    statistics for what were three);
 *  - MlStatsCallDone: a request's final outcome without an attempt of
 *    its own (a call; an error by class when the final response is not a
 *    2xx);
 *  - MlStatsThrottled: a request was held back by a cap, a rate limit or
 *    a provider's Retry-After for waited_ms before it could start;
 *  - MlStatsInFlight: requests on the wire went up or down by delta;
 *  - MlStatsCanceled: a request was abandoned before it finished (a call
 *    that ended in the class "canceled": record it instead of, not in
 *    addition to, MlStatsCallDone).
 */
extern void MlStatsAttempt(const HttpRoute *route, const HttpResponse *attempt,
						   size_t bytes_sent, bool retried);
extern void MlStatsCallDone(const HttpRoute *route, const HttpResponse *final);
extern void MlStatsThrottled(const HttpRoute *route, double waited_ms);
extern void MlStatsInFlight(const HttpRoute *route, int delta);
extern void MlStatsCanceled(const HttpRoute *route);

/*
 * Recorded by the backend that decoded an answer: rows produced and the
 * provider's token usage (0 when it reports none); and answers that
 * could not be decoded.
 */
extern void MlStatsRows(const HttpRoute *route, int64 rows,
						int64 prompt_tokens, int64 completion_tokens);
extern void MlStatsResponseError(const HttpRoute *route);

/*
 * Recorded by the backend that looked up the response cache (cache/):
 * rows answered from it and rows it could not answer.
 */
extern void MlStatsCache(const HttpRoute *route, int64 hits, int64 misses);

/*
 * The error class of a final response, or -1 for a 2xx answer.
 */
extern int	MlStatErrorClass(const HttpResponse *final);

/*
 * One row of a view, copied out of the table (stats_views.c).  model is ""
 * in connection rows; has_latency is false when no attempt was timed, and
 * latency_ms then holds zeros.
 */
typedef struct MlStatRow
{
	char		connection[HTTP_ROUTE_NAME_LEN];
	char		model[HTTP_ROUTE_NAME_LEN];
	int64		calls;
	int64		rows;
	int64		errors[ML_STAT_NERRORS];
	int64		retries;
	int64		throttled;
	double		throttled_ms;
	int32		in_flight;
	int64		bytes_sent;
	int64		bytes_received;
	int64		prompt_tokens;
	int64		completion_tokens;
	bool		has_latency;
	double		latency_ms[3];	/* p50, p95, p99 */
	TimestampTz stats_reset;	/* row created or last reset */
	int64		cache_hits;		/* model rows only: response cache */
	int64		cache_misses;
} MlStatRow;

/*
 * The rows of database dboid, model rows or connection rows, palloc'd in
 * CurrentMemoryContext; returns how many.  MlStatsReset clears that
 * database's rows (rows with requests in flight keep their gauge).
 */
extern int	MlStatsSnapshot(Oid dboid, bool models, MlStatRow **rows);
extern void MlStatsReset(Oid dboid);

/*
 * DROP CONNECTION (connection, model NULL: its rows and its model rows)
 * and DROP MODEL (model as schema.name, connection NULL) free the rows of
 * the object; rows with requests in flight are freed once idle.
 */
extern void MlStatsForget(Oid dboid, const char *connection, const char *model);

/*
 * Rows of dropped databases: marked for reuse by a backend (in a
 * transaction) when the shared table is full.
 */
extern void MlStatsForgetMissingDatabases(void);

/*
 * Whether counters are cluster-wide (preloaded) or this session's; and how
 * many recordings were lost since startup because the table was full.
 */
extern bool MlStatsIsShared(void);
extern int64 MlStatsDropped(void);

#endif							/* MLPREDICT_STATS_H */
