/*-------------------------------------------------------------------------
 *
 * retry_policy.h
 *	  When to retry a provider request and how long to wait: pure C11 with
 *	  only libc, so that it can be unit-tested without a server
 *	  (test/unit/test_retry_policy.c).
 *
 * Nothing here allocates, raises errors or looks at the clock: the caller
 * passes header values, the response body and the current time.  Every
 * parser treats a malformed value as absent and never reads past a NUL
 * (or, for bodies, past the given length).
 *
 * Delays are in milliseconds.  A delay the server asks for is capped at
 * RETRY_SERVER_MAX_MS before the caller applies its own, smaller cap.
 *
 * IDENTIFICATION
 *	  src/http/retry_policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_RETRY_POLICY_H
#define MLPREDICT_RETRY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Upper bound of any delay parsed from a response (one hour). */
#define RETRY_SERVER_MAX_MS		3600000L

/*
 * Statuses worth another attempt: 408, 429, 500, 502, 503, 504 and 529
 * (Anthropic's "overloaded").  A 429 may still be final, see
 * RetryQuotaExhausted.
 */
extern bool RetryIsTransientStatus(long status);

/*
 * A 429 whose body (len bytes, need not be NUL-terminated) carries a marker
 * of an exhausted quota or spending limit, which waiting will not clear:
 * "insufficient_quota", "quota_exceeded", "billing_hard_limit_reached",
 * "enforced_spend_limit_reached", and Google's daily quota ids ("PerDay").
 */
extern bool RetryQuotaExhausted(long status, const char *body, size_t len);

/*
 * The delay in Google's RetryInfo detail of an error body
 * ("retryDelay": "22s", "1.5s"), in ms, or -1 when there is none.  len
 * bytes of body are read; it need not be NUL-terminated.
 */
extern long RetryBodyDelayMs(const char *body, size_t len);

/*
 * The delay the server asks for, in ms, or -1 if it asks for none.  Any
 * argument may be NULL (header absent).  In order of preference:
 *	 retry-after-ms			  integer milliseconds (Azure);
 *	 Retry-After			  delta-seconds, or an HTTP-date (IMF-fixdate,
 *							  RFC 850 or asctime) turned into a delay from
 *							  now; a date in the past gives 0;
 *	 x-ratelimit-reset-*	  Go durations ("6m0s", "12ms"; OpenAI), the
 *							  larger of the two, only when neither header
 *							  above gave a usable value.
 * The result is at most RETRY_SERVER_MAX_MS.
 */
extern long RetryServerDelayMs(const char *retry_after_ms,
							   const char *retry_after,
							   const char *ratelimit_reset_requests,
							   const char *ratelimit_reset_tokens,
							   time_t now);

/*
 * Seconds since the epoch (UTC) of an HTTP-date in any of the three formats
 * of RFC 9110 section 5.6.7; false if value is not one.  now decides the
 * century of an RFC 850 two-digit year (at most 50 years ahead of now).
 */
extern bool RetryParseHttpDate(const char *value, time_t now,
							   long long *seconds);

/*
 * A Go duration ("1h2m3.5s", "0.5s", "300ms", "0") in ms, rounded up to
 * whole ms and capped at RETRY_SERVER_MAX_MS; -1 if malformed or negative.
 */
extern long RetryParseGoDurationMs(const char *value);

/*
 * The wait before retry number attempt + 1 (attempt counts from 0):
 *
 *	 window = min(cap_ms, base_ms * 2^attempt)
 *	 delay	= window / 2 + random01 * window / 2	 (exponential, equal jitter)
 *	 result = min(max(delay, server_ms), cap_ms)
 *
 * random01 is a uniform random number in [0, 1) (clamped into [0, 1]);
 * server_ms is RetryServerDelayMs' answer (-1 for none).  Negative
 * arguments count as 0; no attempt number overflows.
 */
extern long RetryBackoffMs(int attempt, double random01, long base_ms,
						   long cap_ms, long server_ms);

#endif							/* MLPREDICT_RETRY_POLICY_H */
