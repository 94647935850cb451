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
 * are recycled when idle if the table fills up.
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
	LIMITER_LATER				/* a bucket or a pause: wait *wait_ms */
} LimiterVerdict;

extern Size LimiterShmemSize(void);
extern void LimiterShmemRequest(void);
extern void LimiterShmemInit(void);

/*
 * Try to start a request of route at now_ms.  On LIMITER_GO, *slot
 * identifies the entry to release later (-1 for routes without a
 * connection).
 */
extern LimiterVerdict LimiterAcquire(const HttpRoute *route, int64 now_ms,
									 int *slot, int64 *wait_ms);
extern void LimiterRelease(int slot);

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
