/*-------------------------------------------------------------------------
 *
 * outage_policy.h
 *	  How a failed attempt is retried: by count (throttling and overload,
 *	  the request's retry_count) or by time (an endpoint that cannot be
 *	  reached, for as long as an outage is expected to last).  Pure C11
 *	  with only libc, unit-tested without a server
 *	  (test/unit/test_outage_policy.c).
 *
 * Nothing here allocates, raises errors or looks at the clock: callers
 * pass the times (milliseconds on one clock) and a random number.
 *
 * IDENTIFICATION
 *	  src/http/outage_policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_OUTAGE_POLICY_H
#define MLPREDICT_OUTAGE_POLICY_H

#include <stdbool.h>

/* Waits between attempts at an unreachable endpoint: 50..100 ms doubling to 0.5..1 s. */
#define OUTAGE_BASE_MS		100
#define OUTAGE_CAP_MS		1000

/* What an attempt came to, as far as retrying is concerned. */
typedef enum RetryFailure
{
	RETRY_ANSWERED,				/* an HTTP answer arrived (any status) */
	RETRY_UNREACHABLE,			/* no connection: refused, name resolution,
								 * a timeout while connecting */
	RETRY_DROPPED,				/* connected, then reset or closed before an
								 * answer (or the TLS handshake failed) */
	RETRY_OTHER					/* a timeout after connecting, an answer too
								 * large, refused by policy, anything else */
} RetryFailure;

/* How an attempt is retried. */
typedef enum RetryClass
{
	RETRY_NEVER,				/* final */
	RETRY_COUNTED,				/* up to retry_count times, with backoff */
	RETRY_OUTAGE				/* while the outage is young enough (by time) */
} RetryClass;

/* What an attempt says about the endpoint, for its circuit breaker. */
typedef enum RetryHealth
{
	RETRY_HEALTH_NONE,			/* nothing either way */
	RETRY_HEALTH_UP,			/* it answered */
	RETRY_HEALTH_DOWN			/* it could not be reached */
} RetryHealth;

/*
 * The class of an attempt.  status is the HTTP status of an answer;
 * quota_exhausted says that a 429 reports a quota waiting will not clear;
 * server_ms is the delay the answer asks for (-1: none).
 *
 *	 unreachable							 RETRY_OUTAGE
 *	 502 or 504; 503 asking for no delay		 RETRY_OUTAGE (a gateway whose
 *											 upstream is down or restarting)
 *	 503 with a delay, 408, 429, 500, 529		 RETRY_COUNTED (throttling,
 *											 overload, errors)
 *	 dropped								 RETRY_COUNTED (may be the
 *											 request itself)
 *	 an exhausted quota, anything else		 RETRY_NEVER
 */
extern RetryClass RetryClassify(RetryFailure failure, long status,
								bool quota_exhausted, long server_ms);

/*
 * What the attempt says about the endpoint: RETRY_OUTAGE attempts are
 * DOWN, any other answer is UP, a dropped or otherwise failed attempt is
 * NONE (a poisoned request must not open the breaker, nor close it).
 */
extern RetryHealth RetryEndpointHealth(RetryFailure failure, RetryClass retry_class);

/*
 * Whether an attempt of class RETRY_OUTAGE is tried again at now_ms:
 * while the request has been failing (since request_since_ms) for less
 * than both window_ms and timeout_ms (its client_timeout), and the
 * endpoint (failing since endpoint_since_ms, 0: unknown) for less than
 * window_ms.  A window_ms of 0 or less never retries.
 */
extern bool RetryOutageAgain(long long now_ms, long long request_since_ms,
							 long long endpoint_since_ms, long window_ms,
							 long timeout_ms);

/*
 * The wait before the next attempt after the failures-th (from 1)
 * failure of class RETRY_OUTAGE: RetryBackoffMs from OUTAGE_BASE_MS,
 * capped at OUTAGE_CAP_MS, at least server_ms (-1: none) up to that cap,
 * so that an endpoint back from a restart is found within a second.
 */
extern long RetryOutageDelayMs(int failures, double random01, long server_ms);

#endif							/* MLPREDICT_OUTAGE_POLICY_H */
