/*-------------------------------------------------------------------------
 *
 * outage_policy.c
 *	  Which failed attempts are retried by count and which by time, what
 *	  they tell a circuit breaker, and the waits between attempts at an
 *	  endpoint that cannot be reached (see outage_policy.h).
 *
 * Pure C11 with libc only, deliberately without "postgres.h": the module
 * build compiles this file with the server's flags, and the unit tests
 * (make unit) link it into a plain program.
 *
 * Why time and not a count: a provider, a proxy or a load balancer that
 * restarts refuses connections (or answers 502/503/504) for seconds, and
 * a count of retries spent with sub-second backoff is gone in about one.
 * Waiting by time also does not depend on how many requests are queued.
 * Dropped connections stay counted: a request that makes the server hang
 * up every time must not be retried for the whole window.
 *
 * IDENTIFICATION
 *	  src/http/outage_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "http/outage_policy.h"
#include "http/retry_policy.h"

/*
 * RetryClassify
 *		The class of an attempt (table in outage_policy.h).
 */
RetryClass
RetryClassify(RetryFailure failure, long status, bool quota_exhausted,
			  long server_ms)
{
	switch (failure)
	{
		case RETRY_UNREACHABLE:
			return RETRY_OUTAGE;
		case RETRY_DROPPED:
			return RETRY_COUNTED;
		case RETRY_OTHER:
			return RETRY_NEVER;
		case RETRY_ANSWERED:
			break;
	}
	if (quota_exhausted || !RetryIsTransientStatus(status))
		return RETRY_NEVER;
	if (status == 502 || status == 504 || (status == 503 && server_ms < 0))
		return RETRY_OUTAGE;
	return RETRY_COUNTED;
}

/*
 * RetryEndpointHealth
 *		DOWN for outage-class attempts, UP for any other answer.
 */
RetryHealth
RetryEndpointHealth(RetryFailure failure, RetryClass retry_class)
{
	if (retry_class == RETRY_OUTAGE)
		return RETRY_HEALTH_DOWN;
	if (failure == RETRY_ANSWERED)
		return RETRY_HEALTH_UP;
	return RETRY_HEALTH_NONE;
}

/*
 * RetryOutageAgain
 *		Whether the request and the endpoint have been failing for less
 *		than the window (and the request for less than its timeout).
 */
bool
RetryOutageAgain(long long now_ms, long long request_since_ms,
				 long long endpoint_since_ms, long window_ms, long timeout_ms)
{
	long long	limit = window_ms;

	if (window_ms <= 0)
		return false;
	if (timeout_ms > 0 && timeout_ms < limit)
		limit = timeout_ms;
	if (request_since_ms > 0 && now_ms - request_since_ms >= limit)
		return false;
	if (endpoint_since_ms > 0 && now_ms - endpoint_since_ms >= window_ms)
		return false;
	return true;
}

/*
 * RetryOutageDelayMs
 *		Short capped backoff with jitter, never below the server's delay
 *		(within the cap).
 */
long
RetryOutageDelayMs(int failures, double random01, long server_ms)
{
	return RetryBackoffMs(failures > 0 ? failures - 1 : 0, random01,
						  OUTAGE_BASE_MS, OUTAGE_CAP_MS, server_ms);
}
