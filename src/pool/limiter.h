/*-------------------------------------------------------------------------
 *
 * limiter.h
 *	  Who may start a request now: the cluster-wide (or, without the pool,
 *	  per-backend) cap on requests in flight, and per connection object
 *	  the max_concurrency cap and the requests- and tokens-per-minute
 *	  buckets, including the pause a throttling answer imposes.
 *
 * With the pool the table lives in shared memory under one LWLock and is
 * used by every pool worker (and by backends charging tokens); without it
 * the same table lives in the backend.  Entries are keyed by database and
 * connection name, take their limits from the latest request's route, and
 * are recycled when idle if the table fills up.  Each entry also keeps its
 * connection's circuit breaker (circuit.h), consulted by LimiterAcquire.
 *
 * IDENTIFICATION
 *	  src/pool/limiter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_LIMITER_H
#define MLPREDICT_LIMITER_H

#include "http/http.h"

/* Why a request may not start yet. */
typedef enum LimiterVerdict
{
	LIMITER_GO,					/* started: a slot and a token were taken */
	LIMITER_BUSY,				/* a concurrency cap is full: wait for a release */
	LIMITER_LATER,				/* a bucket, a pause or the circuit breaker:
								 * wait *wait_ms */
	LIMITER_DOWN				/* the breaker is open and the endpoint has
								 * been failing longer than
								 * mlpredict.retry_outage_window: fail now */
} LimiterVerdict;

/* Room for the last error of a connection (longer texts are cut). */
#define LIMITER_ERROR_LEN		160

/* A connection's circuit breaker, for mlpredict.circuit_breakers(). */
typedef struct LimiterCircuitInfo
{
	char		connection[HTTP_ROUTE_NAME_LEN];
	int			state;			/* a CircuitState */
	int			failures;
	int64		failing_since_ms;	/* 0: none (LimiterNowMs clock) */
	int64		last_failure_ms;
	int64		next_probe_ms;	/* 0: closed */
	char		last_error[LIMITER_ERROR_LEN];
} LimiterCircuitInfo;

extern Size LimiterShmemSize(void);
extern void LimiterShmemRequest(void);
extern void LimiterShmemInit(void);

/*
 * Try to start a request of route at now_ms.  On LIMITER_GO, *slot
 * identifies the entry to release later (-1 for routes without a
 * connection), and *probe says that the request is the circuit breaker's
 * probe: its result must be reported (LimiterReportHealth) or its end
 * without one (LimiterProbeEnded) before the slot is released.
 */
extern LimiterVerdict LimiterAcquire(const HttpRoute *route, int64 now_ms,
									 int *slot, int64 *wait_ms, bool *probe);
extern void LimiterRelease(int slot);

/* Circuit breakers (limiter.c keeps one per connection; see circuit.h). */
extern void LimiterReportHealth(int slot, int health, bool probe,
								const char *error, int64 now_ms,
								int64 *failing_since_ms);
extern void LimiterProbeEnded(int slot);
extern void LimiterDescribeOutage(const HttpRoute *route, int64 now_ms,
								  int64 *failing_ms, char *last_error,
								  size_t len);
extern LimiterCircuitInfo *LimiterCircuits(Oid dboid, int *n);

/* A throttling answer: pause the route's buckets until until_ms. */
extern void LimiterPause(const HttpRoute *route, int64 until_ms, int64 now_ms);

/* Charge model tokens to the route's tokens-per-minute bucket. */
extern void LimiterChargeTokens(const HttpRoute *route, int64 tokens,
								int64 now_ms);

/* Requests in flight, all routes together (for the worker's status). */
extern int	LimiterInFlight(void);

/* Milliseconds on the clock the limiter uses. */
extern int64 LimiterNowMs(void);

#endif							/* MLPREDICT_LIMITER_H */
