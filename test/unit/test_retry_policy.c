/*-------------------------------------------------------------------------
 *
 * test_retry_policy.c
 *	  Unit tests of src/http/retry_policy.c: a plain C11 program, no server
 *	  and no framework.  Built and run by "make unit".
 *
 * Prints one line per failed check and ends with "N passed, M failed";
 * exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_retry_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http/retry_policy.h"

#include "unit_check.h"

/* Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110. */
#define NOW_1994	((time_t) 784111777)
/* Wed, 01 Jan 2025 00:00:00 GMT */
#define NOW_2025	((time_t) 1735689600)
#define CAP			RETRY_SERVER_MAX_MS


/* Record a check of a long value against the expected one. */
static void
check_long(long got, long want, int line, const char *what)
{
	char		text[512];

	snprintf(text, sizeof(text), "%s: got %ld, want %ld", what, got, want);
	check(got == want, line, text);
}

#define CHECK(cond)					check((cond) != 0, __LINE__, #cond)
#define CHECK_LONG(expr, want)		check_long((expr), (want), __LINE__, #expr)

/* Server delay from the two Retry-After headers alone, at NOW_1994. */
static long
delay2(const char *ms, const char *ra)
{
	return RetryServerDelayMs(ms, ra, NULL, NULL, NOW_1994);
}

/* Server delay from the x-ratelimit-reset-* headers alone. */
static long
reset_delay(const char *requests, const char *tokens)
{
	return RetryServerDelayMs(NULL, NULL, requests, tokens, NOW_1994);
}

/* Seconds of an HTTP-date, or LLONG_MIN if it does not parse. */
static long long
date_at(const char *value, time_t now)
{
	long long	seconds = 0;

	return RetryParseHttpDate(value, now, &seconds) ? seconds : LLONG_MIN;
}

/* Which statuses are worth another attempt. */
static void
test_transient_statuses(void)
{
	static const long yes[] = {408, 429, 500, 502, 503, 504, 529};
	static const long no[] = {-1, 0, 100, 200, 201, 204, 301, 304, 400, 401,
	403, 404, 407, 409, 413, 422, 424, 428, 430, 499, 501, 505, 511, 528, 530,
	599, 600, 999, LONG_MAX, LONG_MIN};
	size_t		i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		check_long(RetryIsTransientStatus(yes[i]), 1, __LINE__, "transient");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		check_long(RetryIsTransientStatus(no[i]), 0, __LINE__, "not transient");
}

/* Each quota marker, only on a 429, case-sensitive. */
static void
test_quota_markers(void)
{
	const char *openai = "{\"error\":{\"message\":\"You exceeded your current quota\","
		"\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}";
	const char *rate = "{\"error\":{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
	const char *markers[] = {"insufficient_quota", "quota_exceeded",
	"billing_hard_limit_reached", "enforced_spend_limit_reached", "PerDay"};
	size_t		i;

	CHECK(RetryQuotaExhausted(429, openai, strlen(openai)));
	CHECK(!RetryQuotaExhausted(429, rate, strlen(rate)));
	CHECK(!RetryQuotaExhausted(500, openai, strlen(openai)));
	CHECK(!RetryQuotaExhausted(403, openai, strlen(openai)));
	CHECK(!RetryQuotaExhausted(200, openai, strlen(openai)));
	CHECK(!RetryQuotaExhausted(429, NULL, 0));
	CHECK(!RetryQuotaExhausted(429, NULL, 100));
	CHECK(!RetryQuotaExhausted(429, "", 0));
	CHECK(!RetryQuotaExhausted(429, openai, 0));
	/* markers are codes: case matters, as before */
	CHECK(!RetryQuotaExhausted(429, "INSUFFICIENT_QUOTA", 18));
	CHECK(!RetryQuotaExhausted(429, "Quota exceeded", 14));
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
	{
		char		body[128];
		int			n = snprintf(body, sizeof(body), "{\"type\":\"%s\"}", markers[i]);

		check(RetryQuotaExhausted(429, body, (size_t) n), __LINE__, markers[i]);
		check(RetryQuotaExhausted(429, markers[i], strlen(markers[i])), __LINE__, markers[i]);
		check(!RetryQuotaExhausted(429, markers[i], strlen(markers[i]) - 1), __LINE__, markers[i]);
		check(!RetryQuotaExhausted(503, body, (size_t) n), __LINE__, markers[i]);
	}
}

/* Bodies that are not NUL-terminated, and markers at the edge of len. */
static void
test_quota_len_limits(void)
{
	char		body[64];
	char		tail[40];
	const char *m = "insufficient_quota";
	size_t		mlen = strlen(m);

	/* "xx" + marker + 'y' filling the rest, no NUL anywhere */
	memset(body, 'y', sizeof(body));
	memcpy(body, "xx", 2);
	memcpy(body + 2, m, mlen);
	CHECK(RetryQuotaExhausted(429, body, sizeof(body)));
	CHECK(RetryQuotaExhausted(429, body, 2 + mlen));
	CHECK(!RetryQuotaExhausted(429, body, 2 + mlen - 1));
	CHECK(!RetryQuotaExhausted(429, body, 2));
	/* the marker only past len */
	memset(tail, 'z', sizeof(tail));
	memcpy(tail + 20, "quota_exceeded", 14);
	CHECK(!RetryQuotaExhausted(429, tail, 20));
	CHECK(!RetryQuotaExhausted(429, tail, 33));
	CHECK(RetryQuotaExhausted(429, tail, 34));
	/* an embedded NUL does not stop the search within len */
	memcpy(body, "ab\0", 3);
	memcpy(body + 3, m, mlen);
	CHECK(RetryQuotaExhausted(429, body, 3 + mlen));
	/* a lone prefix of a marker at the very end */
	memcpy(tail + 30, "insuffic", 8);
	CHECK(!RetryQuotaExhausted(429, tail + 26, sizeof(tail) - 26));
}

/* retry-after-ms and Retry-After in seconds. */
static void
test_delta_headers(void)
{
	CHECK_LONG(delay2(NULL, NULL), -1);
	CHECK_LONG(delay2("1500", NULL), 1500);
	CHECK_LONG(delay2("0", NULL), 0);
	CHECK_LONG(delay2(" 20 ", NULL), 20);
	CHECK_LONG(delay2("\t20\t", NULL), 20);
	CHECK_LONG(delay2("3599999", NULL), 3599999);
	CHECK_LONG(delay2("3600000", NULL), CAP);
	CHECK_LONG(delay2("3600001", NULL), CAP);
	CHECK_LONG(delay2("99999999999999999999999999999", NULL), CAP);
	CHECK_LONG(delay2("", NULL), -1);
	CHECK_LONG(delay2("   ", NULL), -1);
	CHECK_LONG(delay2("abc", NULL), -1);
	CHECK_LONG(delay2("1.5", NULL), -1);
	CHECK_LONG(delay2("-5", NULL), -1);
	CHECK_LONG(delay2("+5", NULL), -1);
	CHECK_LONG(delay2("12 34", NULL), -1);
	CHECK_LONG(delay2("12ms", NULL), -1);
	/* a malformed retry-after-ms gives way to Retry-After */
	CHECK_LONG(delay2("-5", "2"), 2000);
	CHECK_LONG(delay2("soon", "2"), 2000);
	/* retry-after-ms wins over Retry-After */
	CHECK_LONG(delay2("250", "7"), 250);
	CHECK_LONG(delay2(NULL, "7"), 7000);
	CHECK_LONG(delay2(NULL, "0"), 0);
	CHECK_LONG(delay2(NULL, " 7\t"), 7000);
	CHECK_LONG(delay2(NULL, "60"), 60000);
	CHECK_LONG(delay2(NULL, "3599"), 3599000);
	CHECK_LONG(delay2(NULL, "3600"), CAP);
	CHECK_LONG(delay2(NULL, "3601"), CAP);
	CHECK_LONG(delay2(NULL, "18446744073709551616"), CAP);
	CHECK_LONG(delay2(NULL, ""), -1);
	CHECK_LONG(delay2(NULL, "1e3"), -1);
	CHECK_LONG(delay2(NULL, "+5"), -1);
	CHECK_LONG(delay2(NULL, "-1"), -1);
	CHECK_LONG(delay2(NULL, "5 s"), -1);
	CHECK_LONG(delay2(NULL, "1.5"), -1);
	CHECK_LONG(delay2(NULL, "0x10"), -1);
}

/* The three formats of the same instant. */
static void
test_http_date_formats(void)
{
	CHECK(date_at("Sun, 06 Nov 1994 08:49:37 GMT", NOW_1994) == 784111777LL);
	CHECK(date_at("Sunday, 06-Nov-94 08:49:37 GMT", NOW_1994) == 784111777LL);
	CHECK(date_at("Sun Nov  6 08:49:37 1994", NOW_1994) == 784111777LL);
	/* tolerated variations */
	CHECK(date_at("Sun Nov 6 08:49:37 1994", NOW_1994) == 784111777LL);
	CHECK(date_at("Sun Nov 06 08:49:37 1994", NOW_1994) == 784111777LL);
	CHECK(date_at("Sun, 6 Nov 1994 08:49:37 GMT", NOW_1994) == 784111777LL);
	CHECK(date_at("sun, 06 nov 1994 08:49:37 gmt", NOW_1994) == 784111777LL);
	CHECK(date_at("Sun, 06 Nov 1994 08:49:37 UTC", NOW_1994) == 784111777LL);
	CHECK(date_at("  Sun, 06 Nov 1994 08:49:37 GMT  ", NOW_1994) == 784111777LL);
	CHECK(date_at("Sunday, 06-Nov-1994 08:49:37 GMT", NOW_1994) == 784111777LL);
	CHECK(date_at("Sunday, 6-Nov-94 08:49:37 GMT", NOW_1994) == 784111777LL);
	/* the day name is not checked against the date */
	CHECK(date_at("Mon, 06 Nov 1994 08:49:37 GMT", NOW_1994) == 784111777LL);
}

/* Calendar arithmetic: epoch, leap years, far past and future. */
static void
test_http_date_values(void)
{
	CHECK(date_at("Thu, 01 Jan 1970 00:00:00 GMT", NOW_1994) == 0);
	CHECK(date_at("Thu, 01 Jan 1970 00:00:01 GMT", NOW_1994) == 1);
	CHECK(date_at("Wed, 31 Dec 1969 23:59:59 GMT", NOW_1994) == -1);
	CHECK(date_at("Fri, 01 Jan 1960 00:00:00 GMT", NOW_1994) == -315619200LL);
	CHECK(date_at("Thu, 29 Feb 2024 12:00:00 GMT", NOW_1994) == 1709208000LL);
	CHECK(date_at("Tue, 29 Feb 2000 00:00:00 GMT", NOW_1994) == 951782400LL);
	CHECK(date_at("Fri, 31 Dec 9999 23:59:59 GMT", NOW_1994) == 253402300799LL);
	CHECK(date_at("Mon, 01 Jan 0001 00:00:00 GMT", NOW_1994) == -62135596800LL);
	CHECK(date_at("Wed, 01 Jan 2025 00:00:00 GMT", NOW_1994) == 1735689600LL);
	/* a leap second runs into the next minute */
	CHECK(date_at("Sat, 31 Dec 2016 23:59:60 GMT", NOW_1994) == 1483228800LL);
	/* invalid days */
	CHECK(date_at("Wed, 29 Feb 2023 00:00:00 GMT", NOW_1994) == LLONG_MIN);
	CHECK(date_at("Thu, 29 Feb 1900 00:00:00 GMT", NOW_1994) == LLONG_MIN);
	CHECK(date_at("Thu, 31 Apr 2024 00:00:00 GMT", NOW_1994) == LLONG_MIN);
	CHECK(date_at("Sun, 32 Dec 2024 00:00:00 GMT", NOW_1994) == LLONG_MIN);
	CHECK(date_at("Sun, 00 Dec 2024 00:00:00 GMT", NOW_1994) == LLONG_MIN);
}

/* Malformed dates of every kind are rejected. */
static void
test_http_date_malformed(void)
{
	static const char *const bad[] = {
		"", " ", "GMT", "0", "7",
		"Sun, 06 Nov 1994 08:49:37",
		"Sun, 06 Nov 1994 08:49:37 PST",
		"Sun, 06 Nov 1994 08:49:37 GMT+1",
		"Sun, 06 Nov 1994 08:49:37 GMTx",
		"Sun, 06 Nov 1994 08:49:37 GMT x",
		"Sun, 06 Foo 1994 08:49:37 GMT",
		"Sun, 06 November 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun, 06 Nov 1994 08:49:61 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 19945 08:49:37 GMT",
		"Sun, 06 Nov 1994 8:49:37 GMT",
		"Sun, 06 Nov 1994 08:49 GMT",
		"Sun, 06 Nov 1994 08-49-37 GMT",
		"Sun, 006 Nov 1994 08:49:37 GMT",
		"Sun 06 Nov 1994 08:49:37 GMT",
		"Xyz, 06 Nov 1994 08:49:37 GMT",
		"Sun,06 Nov 1994 08:49:37 GMT",
		"Sun, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-994 08:49:37 GMT",
		"Sunday, 06-Nov-9 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37",
		"Sundae, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 94",
		"Sun Nov  6 08:49:37 1994 GMT",
		"Sun Nov  6 08:49:37",
		"Sun Nov 36 08:49:37 1994",
		"Sun, 06 Nov 1994 08:49:37 GMT\n",
		"Sun, 06 Nov 1994 08:49:37 GMT\x80",
		"Sun, \xff\xfe Nov 1994 08:49:37 GMT",
		"Sun, -6 Nov 1994 08:49:37 GMT",
		"Sun, +6 Nov 1994 08:49:37 GMT",
	};
	size_t		i;

	CHECK(!RetryParseHttpDate(NULL, NOW_1994, NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check(date_at(bad[i], NOW_1994) == LLONG_MIN, __LINE__, bad[i]);
}

/* Every proper prefix of a valid date is rejected (and read safely). */
static void
test_http_date_prefixes(void)
{
	static const char *const good[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	};
	size_t		i;
	size_t		n;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		int			accepted = 0;

		for (n = 0; n < strlen(good[i]); n++)
		{
			char		prefix[64];

			memcpy(prefix, good[i], n);
			prefix[n] = '\0';
			accepted += date_at(prefix, NOW_1994) != LLONG_MIN;
		}
		check(accepted == 0, __LINE__, good[i]);
	}
}

/* RFC 850 two-digit years: at most 50 years ahead of now. */
static void
test_rfc850_century(void)
{
	CHECK(date_at("Tuesday, 01-Jan-30 00:00:00 GMT", NOW_2025) == 1893456000LL);
	CHECK(date_at("Saturday, 06-Nov-94 08:49:37 GMT", NOW_2025) == 784111777LL);
	CHECK(date_at("Tuesday, 01-Jan-75 00:00:00 GMT", NOW_2025) == 3313526400LL);
	CHECK(date_at("Thursday, 01-Jan-76 00:00:00 GMT", NOW_2025) == 189302400LL);
	CHECK(date_at("Wednesday, 01-Jan-25 00:00:00 GMT", NOW_2025) == 1735689600LL);
	/* seen from 1994, 30 is 2030 and 44 is 2044, 45 is 1945 */
	CHECK(date_at("Tuesday, 01-Jan-30 00:00:00 GMT", NOW_1994) == 1893456000LL);
	CHECK(date_at("Friday, 01-Jan-44 00:00:00 GMT", NOW_1994) > 2000000000LL);
	CHECK(date_at("Monday, 01-Jan-45 00:00:00 GMT", NOW_1994) < 0);
	/* absurd clocks do not break it */
	/* seen from 1970, 2030 would be 60 years ahead */
	CHECK(date_at("Wednesday, 01-Jan-30 00:00:00 GMT", (time_t) 0) == -1262304000LL);
	CHECK(date_at("Tuesday, 01-Jan-30 00:00:00 GMT", (time_t) -1) != LLONG_MIN);
	CHECK(date_at("Tuesday, 01-Jan-30 00:00:00 GMT", (time_t) LLONG_MAX) != LLONG_MIN);
	CHECK(date_at("Tuesday, 01-Jan-30 00:00:00 GMT", (time_t) LLONG_MIN) != LLONG_MIN);
}

/* Retry-After as a date becomes a delay from now. */
static void
test_date_delays(void)
{
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 08:49:47 GMT"), 10000);
	CHECK_LONG(delay2(NULL, "Sunday, 06-Nov-94 08:49:47 GMT"), 10000);
	CHECK_LONG(delay2(NULL, "Sun Nov  6 08:49:47 1994"), 10000);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 08:49:38 GMT"), 1000);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 08:49:37 GMT"), 0);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 08:49:27 GMT"), 0);
	CHECK_LONG(delay2(NULL, "Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	CHECK_LONG(delay2(NULL, "Mon, 01 Jan 0001 00:00:00 GMT"), 0);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 09:49:36 GMT"), 3599000);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 09:49:37 GMT"), CAP);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 09:49:38 GMT"), CAP);
	CHECK_LONG(delay2(NULL, "Fri, 31 Dec 9999 23:59:59 GMT"), CAP);
	CHECK_LONG(delay2(NULL, "Sun, 06 Nov 1994 08:49:99 GMT"), -1);
	/* retry-after-ms still wins over a date */
	CHECK_LONG(delay2("5", "Sun, 06 Nov 1994 08:49:47 GMT"), 5);
	/* extreme clocks */
	CHECK_LONG(RetryServerDelayMs(NULL, "Fri, 31 Dec 9999 23:59:59 GMT", NULL, NULL,
								  (time_t) LLONG_MIN), CAP);
	CHECK_LONG(RetryServerDelayMs(NULL, "Mon, 01 Jan 0001 00:00:00 GMT", NULL, NULL,
								  (time_t) LLONG_MAX), 0);
}

/* Go durations: units, fractions, rounding up to ms, the cap. */
static void
test_go_durations(void)
{
	CHECK_LONG(RetryParseGoDurationMs("1s"), 1000);
	CHECK_LONG(RetryParseGoDurationMs("6m0s"), 360000);
	CHECK_LONG(RetryParseGoDurationMs("12ms"), 12);
	CHECK_LONG(RetryParseGoDurationMs("0h2m3.5s"), 123500);
	CHECK_LONG(RetryParseGoDurationMs("2m3.5s"), 123500);
	CHECK_LONG(RetryParseGoDurationMs("1h2m3.5s"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("0.5s"), 500);
	CHECK_LONG(RetryParseGoDurationMs("0.1s"), 100);
	CHECK_LONG(RetryParseGoDurationMs("0.3s"), 300);
	CHECK_LONG(RetryParseGoDurationMs("1.1s"), 1100);
	CHECK_LONG(RetryParseGoDurationMs("0.001s"), 1);
	CHECK_LONG(RetryParseGoDurationMs("20.57s"), 20570);
	CHECK_LONG(RetryParseGoDurationMs(".5s"), 500);
	CHECK_LONG(RetryParseGoDurationMs("1.s"), 1000);
	CHECK_LONG(RetryParseGoDurationMs("0"), 0);
	CHECK_LONG(RetryParseGoDurationMs("0s"), 0);
	CHECK_LONG(RetryParseGoDurationMs("0ms"), 0);
	CHECK_LONG(RetryParseGoDurationMs("+1s"), 1000);
	CHECK_LONG(RetryParseGoDurationMs(" 2s "), 2000);
	CHECK_LONG(RetryParseGoDurationMs("1m1m"), 120000);
	CHECK_LONG(RetryParseGoDurationMs("1m30s"), 90000);
	/* below a millisecond rounds up, never down to no wait */
	CHECK_LONG(RetryParseGoDurationMs("1ns"), 1);
	CHECK_LONG(RetryParseGoDurationMs("999999ns"), 1);
	CHECK_LONG(RetryParseGoDurationMs("1000000ns"), 1);
	CHECK_LONG(RetryParseGoDurationMs("1000001ns"), 2);
	CHECK_LONG(RetryParseGoDurationMs("500us"), 1);
	CHECK_LONG(RetryParseGoDurationMs("1500us"), 2);
	CHECK_LONG(RetryParseGoDurationMs("1500\xc2\xb5s"), 2);
	CHECK_LONG(RetryParseGoDurationMs("1500\xce\xbcs"), 2);
	CHECK_LONG(RetryParseGoDurationMs("0.0000001s"), 1);
	CHECK_LONG(RetryParseGoDurationMs("1.5ms"), 2);
	CHECK_LONG(RetryParseGoDurationMs("1.00000000000000000000000001s"), 1000);
	/* the cap */
	CHECK_LONG(RetryParseGoDurationMs("59m59.999s"), 3599999);
	CHECK_LONG(RetryParseGoDurationMs("1h"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("2h"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("60m0.001s"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("99999999999999999999999h"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("9223372036854775807ns"), CAP);
	CHECK_LONG(RetryParseGoDurationMs("3599999999999ns1h1h1h1h"), CAP);
}

/* Malformed or negative Go durations give -1. */
static void
test_go_malformed(void)
{
	static const char *const bad[] = {
		"", " ", "+", "-", "-1s", "-0", "1", "00", "1.5", "s", ".", ".s",
		"1..5s", "1x", "1S", "1sec", "1s2", "1 s", "1s 2s", "1s-2s", "1s+2s",
		"u", "1u", "1\xc2s", "1\xc2", "\xc2\xb5s", "1mss", "1e3s", "0x10s",
		"1,5s", "1s;", "inf", "nan",
	};
	size_t		i;

	CHECK_LONG(RetryParseGoDurationMs(NULL), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_long(RetryParseGoDurationMs(bad[i]), -1, __LINE__, bad[i]);
}

/* x-ratelimit-reset-*: the larger, and only without Retry-After. */
static void
test_reset_headers(void)
{
	CHECK_LONG(reset_delay(NULL, NULL), -1);
	CHECK_LONG(reset_delay("1s", NULL), 1000);
	CHECK_LONG(reset_delay(NULL, "6m0s"), 360000);
	CHECK_LONG(reset_delay("1s", "6m0s"), 360000);
	CHECK_LONG(reset_delay("20s", "6ms"), 20000);
	CHECK_LONG(reset_delay("6ms", "0s"), 6);
	CHECK_LONG(reset_delay("bad", "2s"), 2000);
	CHECK_LONG(reset_delay("2s", "bad"), 2000);
	CHECK_LONG(reset_delay("bad", "worse"), -1);
	CHECK_LONG(reset_delay("2h", "1s"), CAP);
	/* a usable Retry-After or retry-after-ms wins, even a smaller one */
	CHECK_LONG(RetryServerDelayMs(NULL, "3", "1s", "6m0s", NOW_1994), 3000);
	CHECK_LONG(RetryServerDelayMs(NULL, "0", "1s", "6m0s", NOW_1994), 0);
	CHECK_LONG(RetryServerDelayMs("40", NULL, "1s", "6m0s", NOW_1994), 40);
	CHECK_LONG(RetryServerDelayMs(NULL, "Sun, 06 Nov 1994 08:49:39 GMT", "1m", NULL,
								  NOW_1994), 2000);
	/* a malformed one does not */
	CHECK_LONG(RetryServerDelayMs("x", "soon", "1s", "2s", NOW_1994), 2000);
}

/* The backoff table for base 250 ms and cap 60 s, as request.c uses it. */
static void
test_backoff_table(void)
{
	static const double randoms[] = {0.0, 0.5, 0.999};
	/* window 250 * 2^attempt, capped at 60000; values by hand */
	static const long want[][3] = {
		{125, 187, 249}, {250, 375, 499}, {500, 750, 999}, {1000, 1500, 1999},
		{2000, 3000, 3998}, {4000, 6000, 7996}, {8000, 12000, 15992},
		{16000, 24000, 31984}, {30000, 45000, 59970},
	};
	int			attempt;
	size_t		r;

	for (attempt = 0; attempt <= 20; attempt++)
		for (r = 0; r < 3; r++)
		{
			char		what[64];
			int			row = attempt < 8 ? attempt : 8;

			snprintf(what, sizeof(what), "backoff attempt %d random %.3f",
					 attempt, randoms[r]);
			check_long(RetryBackoffMs(attempt, randoms[r], 250, 60000, -1),
					   want[row][r], __LINE__, what);
		}
}

/* Invariants over many random values: within [window/2, window]. */
static void
test_backoff_bounds(void)
{
	int			attempt;
	int			ok = 1;
	int			monotone = 1;

	for (attempt = 0; attempt <= 40; attempt++)
	{
		long		window = attempt >= 8 ? 60000 : 250L << attempt;
		int			i;

		for (i = 0; i < 1000; i++)
		{
			double		r = i / 1000.0;
			long		d = RetryBackoffMs(attempt, r, 250, 60000, -1);

			if (d < window / 2 || d > window)
				ok = 0;
			if (attempt > 0 && d < RetryBackoffMs(attempt - 1, r, 250, 60000, -1))
				monotone = 0;
		}
	}
	CHECK(ok);
	CHECK(monotone);
}

/* Backoff with odd arguments: floors, caps, no overflow, no UB. */
static void
test_backoff_edges(void)
{
	/* the server's delay is a floor, the cap a ceiling */
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, 5000), 5000);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, 0), 125);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, 100), 125);
	CHECK_LONG(RetryBackoffMs(10, 0.999, 250, 60000, 100), 59970);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, 60000), 60000);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, 100000), 60000);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, CAP), 60000);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, LONG_MAX), 60000);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 250, 60000, LONG_MIN), 125);
	/* odd attempt numbers and random values */
	CHECK_LONG(RetryBackoffMs(-1, 0.0, 250, 60000, -1), 125);
	CHECK_LONG(RetryBackoffMs(INT_MIN, 0.0, 250, 60000, -1), 125);
	CHECK_LONG(RetryBackoffMs(INT_MAX, 0.0, 250, 60000, -1), 30000);
	CHECK_LONG(RetryBackoffMs(0, -1.0, 250, 60000, -1), 125);
	CHECK_LONG(RetryBackoffMs(0, 1.0, 250, 60000, -1), 250);
	CHECK_LONG(RetryBackoffMs(0, 5.0, 250, 60000, -1), 250);
	CHECK_LONG(RetryBackoffMs(0, (double) NAN, 250, 60000, -1), 125);
	CHECK_LONG(RetryBackoffMs(0, (double) INFINITY, 250, 60000, -1), 250);
	/* odd bases and caps */
	CHECK_LONG(RetryBackoffMs(INT_MAX, 0.5, 0, 60000, -1), 0);
	CHECK_LONG(RetryBackoffMs(INT_MAX, 0.5, -250, 60000, -1), 0);
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, 0, 5000), 0);
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, -1, 5000), 0);
	CHECK_LONG(RetryBackoffMs(0, 0.0, 100000, 60000, -1), 30000);
	CHECK_LONG(RetryBackoffMs(5, 0.0, LONG_MAX, 60000, -1), 30000);
	CHECK_LONG(RetryBackoffMs(3, 0.0, 1, 60000, -1), 4);
	CHECK_LONG(RetryBackoffMs(3, 0.0, 3, 60000, -1), 12);
	CHECK_LONG(RetryBackoffMs(INT_MAX, 1.0, 1, LONG_MAX, -1), LONG_MAX);
	CHECK(RetryBackoffMs(INT_MAX, 0.999, 1, LONG_MAX, -1) > 0);
	CHECK(RetryBackoffMs(INT_MAX, 0.0, 1, LONG_MAX, -1) > 0);
}

/* Google's RetryInfo retryDelay inside an error body. */
static void
test_body_delay(void)
{
	const char *google = "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\","
		"\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
		"\"retryDelay\": \"22s\"}]}}";
	const char *fraction = "{\"retryDelay\":\"1.5s\"}";
	const char *unterminated = "{\"retryDelay\":\"15";

	CHECK_LONG(RetryBodyDelayMs(google, strlen(google)), 22000);
	CHECK_LONG(RetryBodyDelayMs(fraction, strlen(fraction)), 1500);
	CHECK_LONG(RetryBodyDelayMs(fraction, 10), -1);
	CHECK_LONG(RetryBodyDelayMs(unterminated, strlen(unterminated)), -1);
	CHECK_LONG(RetryBodyDelayMs("{\"retryDelay\": 22}", 19), -1);
	CHECK_LONG(RetryBodyDelayMs("{\"other\":\"22s\"}", 15), -1);
	CHECK_LONG(RetryBodyDelayMs(NULL, 0), -1);
	CHECK_LONG(RetryBodyDelayMs("{\"retryDelay\":\"soon\"}", 21), -1);
}

/* The server's delay against the jittered window at later attempts. */
static void
test_backoff_server_floor(void)
{
	/* attempt 3: window 2000, jittered 1000..1999 */
	CHECK_LONG(RetryBackoffMs(3, 0.0, 250, 60000, 1500), 1500);
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, 60000, 1500), 1500);
	CHECK_LONG(RetryBackoffMs(3, 0.9, 250, 60000, 1500), 1900);
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, 60000, 999), 1500);
	/* a Retry-After of 1 s (the pool's 429 storms) beats the early windows */
	CHECK_LONG(RetryBackoffMs(0, 0.999, 250, 60000, 1000), 1000);
	CHECK_LONG(RetryBackoffMs(1, 0.999, 250, 60000, 1000), 1000);
	CHECK_LONG(RetryBackoffMs(2, 0.999, 250, 60000, 1000), 1000);
	CHECK_LONG(RetryBackoffMs(3, 0.0, 250, 60000, 1000), 1000);
	CHECK_LONG(RetryBackoffMs(3, 0.001, 250, 60000, 1000), 1001);
	/* a smaller cap wins over the server */
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, 1200, 1500), 1200);
	CHECK_LONG(RetryBackoffMs(3, 0.5, 250, 1200, -1), 900);
}

/* Run every test; the exit status says whether all checks passed. */
int
main(void)
{
	test_transient_statuses();
	test_quota_markers();
	test_body_delay();
	test_quota_len_limits();
	test_delta_headers();
	test_http_date_formats();
	test_http_date_values();
	test_http_date_malformed();
	test_http_date_prefixes();
	test_rfc850_century();
	test_date_delays();
	test_go_durations();
	test_go_malformed();
	test_reset_headers();
	test_backoff_table();
	test_backoff_bounds();
	test_backoff_edges();
	test_backoff_server_floor();
	return unit_report();
}
