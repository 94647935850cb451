/*-------------------------------------------------------------------------
 *
 * test_token_bucket.c
 *	  Unit tests of src/pool/token_bucket.c: a plain C11 program, no server
 *	  and no framework.  Built and run by "make unit".
 *
 * Prints one line per failed check and ends with "N passed, M failed";
 * exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_token_bucket.c
 *
 *-------------------------------------------------------------------------
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pool/token_bucket.h"

#include "unit_check.h"

/* An arbitrary start on the caller's monotonic scale. */
#define T0			((int64_t) 1000000)


/* Record a check of an int64 value against the expected one. */
static void
check_i64(int64_t got, int64_t want, int line, const char *what)
{
	char		text[512];

	snprintf(text, sizeof(text), "%s: got %lld, want %lld", what,
			 (long long) got, (long long) want);
	check(got == want, line, text);
}

/* Record a check of a double against the expected one, within 1e-6. */
static void
check_near(double got, double want, int line, const char *what)
{
	char		text[512];

	snprintf(text, sizeof(text), "%s: got %.9g, want %.9g", what, got, want);
	check(fabs(got - want) <= 1e-6, line, text);
}

#define CHECK(cond)				check((cond) != 0, __LINE__, #cond)
#define CHECK_I64(expr, want)	check_i64((expr), (want), __LINE__, #expr)
#define CHECK_NEAR(expr, want)	check_near((expr), (want), __LINE__, #expr)

/* A fresh bucket, as shared memory hands it out, configured at T0. */
static TokenBucket
new_bucket(double per_minute)
{
	TokenBucket b;

	memset(&b, 0, sizeof(b));
	TokenBucketConfigure(&b, per_minute, T0);
	return b;
}

/* Take one token n times at now; returns how many takes succeeded. */
static int
take_n(TokenBucket *b, int n, int64_t now)
{
	int			ok = 0;
	int			i;

	for (i = 0; i < n; i++)
		ok += TokenBucketTake(b, 1, now);
	return ok;
}

/* Capacity 0, negative, NaN or infinite: never waits, always takes. */
static void
test_unlimited(void)
{
	static const double rates[] = {0, -1, -60, NAN, INFINITY, -INFINITY};
	size_t		i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
	{
		TokenBucket b = new_bucket(rates[i]);
		char		what[64];

		snprintf(what, sizeof(what), "unlimited rate %g", rates[i]);
		check(b.capacity == 0, __LINE__, what);
		check(TokenBucketWaitMs(&b, 1, T0) == 0, __LINE__, what);
		check(TokenBucketWaitMs(&b, 1e12, T0) == 0, __LINE__, what);
		check(take_n(&b, 100000, T0) == 100000, __LINE__, what);
		check(TokenBucketTake(&b, 1e300, T0), __LINE__, what);
		/* charges are ignored */
		TokenBucketCharge(&b, 1e9, T0);
		check(TokenBucketWaitMs(&b, 1, T0) == 0, __LINE__, what);
		check(TokenBucketTake(&b, 1, T0), __LINE__, what);
		check(b.level == 0, __LINE__, what);
	}
}

/* A new bucket starts full: a burst of capacity, then it waits. */
static void
test_initial_full(void)
{
	TokenBucket b = new_bucket(60);

	CHECK_NEAR(b.capacity, 60);
	CHECK_NEAR(b.level, 60);
	CHECK_I64(b.updated_ms, T0);
	CHECK_I64(b.paused_until_ms, 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 0);
	CHECK_I64(TokenBucketWaitMs(&b, 60, T0), 0);
	CHECK(take_n(&b, 60, T0) == 60);
	CHECK_NEAR(b.level, 0);
	CHECK(!TokenBucketTake(&b, 1, T0));
	CHECK_NEAR(b.level, 0);

	/* a whole-capacity take at once */
	b = new_bucket(1000);
	CHECK(TokenBucketTake(&b, 1000, T0));
	CHECK(!TokenBucketTake(&b, 1, T0));
}

/* 60 per minute is one per second: the waits are exact milliseconds. */
static void
test_wait_maths(void)
{
	TokenBucket b = new_bucket(60);
	int64_t		t;

	CHECK(take_n(&b, 60, T0) == 60);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 1000);
	CHECK_I64(TokenBucketWaitMs(&b, 2, T0), 2000);
	CHECK_I64(TokenBucketWaitMs(&b, 0.5, T0), 500);
	CHECK_I64(TokenBucketWaitMs(&b, 60, T0), 60000);
	CHECK_I64(TokenBucketWaitMs(&b, 0, T0), 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1), 999);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 999), 1);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1000), 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 5000), 0);
	/* waiting does not change the bucket */
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 1000);
	CHECK_NEAR(b.level, 0);

	/* one ms early is refused, on time succeeds */
	CHECK(!TokenBucketTake(&b, 1, T0 + 999));
	CHECK(TokenBucketTake(&b, 1, T0 + 1000));
	CHECK(!TokenBucketTake(&b, 1, T0 + 1000));
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1000), 1000);

	/* a steady stream at exactly the rate never waits longer than 1 s */
	for (t = T0 + 2000; t <= T0 + 120000; t += 1000)
		if (!TokenBucketTake(&b, 1, t))
			break;
	CHECK_I64(t, T0 + 121000);

	/* fractional waits round up: 7 per minute is 8571.43 ms per token */
	b = new_bucket(7);
	CHECK(take_n(&b, 7, T0) == 7);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 8572);
	CHECK(!TokenBucketTake(&b, 1, T0 + 8571));
	CHECK(TokenBucketTake(&b, 1, T0 + 8572));

	/* 6000 per minute: 10 ms per token */
	b = new_bucket(6000);
	CHECK(take_n(&b, 6000, T0) == 6000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 10);
	CHECK_I64(TokenBucketWaitMs(&b, 3, T0), 30);
}

/* Refill over time, never past the capacity. */
static void
test_refill(void)
{
	TokenBucket b = new_bucket(60);

	CHECK(take_n(&b, 60, T0) == 60);
	/* 10.5 s later there are 10.5 tokens: 10 takes succeed, the 11th not */
	CHECK(take_n(&b, 11, T0 + 10500) == 10);
	CHECK_NEAR(b.level, 0.5);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 10500), 500);
	/* an hour later the bucket is full, not fuller */
	CHECK(take_n(&b, 100, T0 + 3600000) == 60);
	/* refills in many small steps add up like one big one */
	b = new_bucket(60);
	CHECK(take_n(&b, 60, T0) == 60);
	{
		int64_t		t;
		int			exact = 1;

		for (t = T0 + 1; t <= T0 + 30000; t++)
			if (TokenBucketWaitMs(&b, 30, t) != T0 + 30000 - t)
				exact = 0;
		CHECK(exact);
		/* Charge 0 brings the level up to date without changing it */
		for (t = T0 + 1; t <= T0 + 30000; t += 7)
			TokenBucketCharge(&b, 0, t);
		TokenBucketCharge(&b, 0, T0 + 30000);
		CHECK_NEAR(b.level, 30);
		CHECK(TokenBucketTake(&b, 30, T0 + 30000));
		CHECK(!TokenBucketTake(&b, 1, T0 + 30000));
	}
	/* a clock that goes backwards credits nothing and takes nothing back */
	b = new_bucket(60);
	CHECK(take_n(&b, 60, T0) == 60);
	CHECK(!TokenBucketTake(&b, 1, T0 - 5000));
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 - 5000), 6000);
	CHECK(TokenBucketTake(&b, 1, T0 + 1000));
}

/* A cost above the capacity is the capacity: it never waits forever. */
static void
test_cost_clamped(void)
{
	TokenBucket b = new_bucket(10);

	CHECK_I64(TokenBucketWaitMs(&b, 11, T0), 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1e12, T0), 0);
	CHECK(TokenBucketTake(&b, 1e12, T0));
	CHECK_NEAR(b.level, 0);
	/* empty: a huge cost waits one minute, like the capacity itself */
	CHECK_I64(TokenBucketWaitMs(&b, 1e12, T0), 60000);
	CHECK_I64(TokenBucketWaitMs(&b, 10, T0), 60000);
	CHECK_I64(TokenBucketWaitMs(&b, INFINITY, T0), 60000);
	CHECK(TokenBucketTake(&b, 1e12, T0 + 60000));
	/* negative and NaN costs cost nothing, but still respect a debt */
	b = new_bucket(10);
	CHECK(TokenBucketTake(&b, -5, T0));
	CHECK(TokenBucketTake(&b, NAN, T0));
	CHECK_NEAR(b.level, 10);
	TokenBucketCharge(&b, 15, T0);
	CHECK_NEAR(b.level, -5);
	CHECK_I64(TokenBucketWaitMs(&b, -1, T0), 30000);
	CHECK_I64(TokenBucketWaitMs(&b, 0, T0), 30000);
}

/* Charges after the fact: debt, its bound, and refunds. */
static void
test_charge(void)
{
	TokenBucket b = new_bucket(600);

	/* 600 tokens per minute; an answer used 900 */
	CHECK(TokenBucketTake(&b, 1, T0));
	TokenBucketCharge(&b, 900, T0);
	CHECK_NEAR(b.level, -301);
	/* the debt of 301 plus the token wanted: 302 tokens, 100 ms each */
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 30200);
	CHECK_I64(TokenBucketWaitMs(&b, 0, T0), 30100);
	CHECK(!TokenBucketTake(&b, 1, T0 + 30199));
	CHECK(TokenBucketTake(&b, 1, T0 + 30200));

	/* never below -capacity: at most two minutes to a full bucket */
	b = new_bucket(600);
	TokenBucketCharge(&b, 1e9, T0);
	CHECK_NEAR(b.level, -600);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 60100);
	CHECK_I64(TokenBucketWaitMs(&b, 600, T0), 120000);
	TokenBucketCharge(&b, 1e300, T0);
	CHECK_NEAR(b.level, -600);
	TokenBucketCharge(&b, INFINITY, T0);
	CHECK_NEAR(b.level, -600);
	TokenBucketCharge(&b, NAN, T0);
	CHECK_NEAR(b.level, -600);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 60100);
	/* repeated charges add up, to the same bound */
	b = new_bucket(600);
	TokenBucketCharge(&b, 500, T0);
	TokenBucketCharge(&b, 500, T0);
	CHECK_NEAR(b.level, -400);
	TokenBucketCharge(&b, 500, T0);
	CHECK_NEAR(b.level, -600);

	/* refunds give tokens back, up to the capacity */
	b = new_bucket(600);
	CHECK(TokenBucketTake(&b, 600, T0));
	TokenBucketCharge(&b, -250, T0);
	CHECK_NEAR(b.level, 250);
	TokenBucketCharge(&b, -1000, T0);
	CHECK_NEAR(b.level, 600);
	TokenBucketCharge(&b, -1e300, T0);
	CHECK_NEAR(b.level, 600);
	TokenBucketCharge(&b, -INFINITY, T0);
	CHECK_NEAR(b.level, 600);
	CHECK(take_n(&b, 601, T0) == 600);
	/* a refund repays a debt */
	TokenBucketCharge(&b, 100, T0);
	TokenBucketCharge(&b, -100, T0);
	CHECK_NEAR(b.level, 0);

	/* a charge brings the level up to date first */
	b = new_bucket(60);
	CHECK(take_n(&b, 60, T0) == 60);
	TokenBucketCharge(&b, 5, T0 + 10000);
	CHECK_NEAR(b.level, 5);
	CHECK_I64(b.updated_ms, T0 + 10000);
}

/* Pauses: the later wins, they empty the bucket, waits count them. */
static void
test_pause(void)
{
	TokenBucket b = new_bucket(60);

	/* a full bucket, paused for 2 s: empty afterwards, so 2 s + 1 s */
	TokenBucketPause(&b, T0 + 2000, T0);
	CHECK_I64(b.paused_until_ms, T0 + 2000);
	CHECK_NEAR(b.level, 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 3000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1500), 1500);
	/* nothing accrues during the pause */
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 2000), 1000);
	CHECK(!TokenBucketTake(&b, 1, T0 + 1999));
	CHECK(!TokenBucketTake(&b, 1, T0 + 2999));
	CHECK(TokenBucketTake(&b, 1, T0 + 3000));
	/* after the pause the refill rate holds: no burst */
	CHECK(!TokenBucketTake(&b, 1, T0 + 3000));
	CHECK(take_n(&b, 5, T0 + 8000) == 5);
	CHECK(!TokenBucketTake(&b, 1, T0 + 8000));

	/* a later pause wins, an earlier or equal one is ignored */
	b = new_bucket(60);
	TokenBucketPause(&b, T0 + 5000, T0);
	TokenBucketPause(&b, T0 + 3000, T0 + 100);
	CHECK_I64(b.paused_until_ms, T0 + 5000);
	TokenBucketPause(&b, T0 + 5000, T0 + 100);
	CHECK_I64(b.paused_until_ms, T0 + 5000);
	TokenBucketPause(&b, T0 + 7000, T0 + 100);
	CHECK_I64(b.paused_until_ms, T0 + 7000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 100), 7900);
	CHECK_I64(TokenBucketWaitMs(&b, 0, T0 + 100), 6900);

	/* an ignored pause leaves the level alone */
	b = new_bucket(60);
	CHECK(take_n(&b, 60, T0) == 60);
	TokenBucketPause(&b, T0 + 1000, T0);
	CHECK(TokenBucketTake(&b, 1, T0 + 2000));
	CHECK(take_n(&b, 10, T0 + 12000) == 10);
	TokenBucketPause(&b, T0 + 500, T0 + 42000);
	CHECK_I64(b.paused_until_ms, T0 + 1000);
	CHECK(take_n(&b, 31, T0 + 42000) == 30);

	/* a pause keeps a debt: emptied means at most 0 */
	b = new_bucket(60);
	TokenBucketCharge(&b, 90, T0);
	CHECK_NEAR(b.level, -30);
	TokenBucketPause(&b, T0 + 1000, T0);
	CHECK_NEAR(b.level, -30);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 1000 + 31000);

	/* a pause that already ended (Retry-After: 0) still empties */
	b = new_bucket(60);
	TokenBucketPause(&b, T0, T0);
	CHECK_NEAR(b.level, 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 1000);

	/* unlimited buckets pause too, and then only the pause counts */
	b = new_bucket(0);
	TokenBucketPause(&b, T0 + 1000, T0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 1000);
	CHECK_I64(TokenBucketWaitMs(&b, 1e9, T0 + 250), 750);
	CHECK(!TokenBucketTake(&b, 1, T0 + 999));
	CHECK(TokenBucketTake(&b, 1, T0 + 1000));
	CHECK(take_n(&b, 1000, T0 + 1000) == 1000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1000), 0);
}

/* Changing the rate: the level is kept, clamped; the pause is kept. */
static void
test_reconfigure(void)
{
	TokenBucket b = new_bucket(60);

	/* full at 60, lowered to 10: clamped to 10 */
	TokenBucketConfigure(&b, 10, T0);
	CHECK_NEAR(b.capacity, 10);
	CHECK_NEAR(b.level, 10);
	CHECK(take_n(&b, 11, T0) == 10);
	/* raised to 600: the level stays (empty), the refill is faster */
	TokenBucketConfigure(&b, 600, T0);
	CHECK_NEAR(b.level, 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), 100);
	/* the time before the change accrues at the old rate */
	b = new_bucket(60);
	CHECK(take_n(&b, 60, T0) == 60);
	TokenBucketConfigure(&b, 600, T0 + 2000);
	CHECK_NEAR(b.level, 2);
	CHECK_I64(b.updated_ms, T0 + 2000);
	CHECK_I64(TokenBucketWaitMs(&b, 3, T0 + 2000), 100);
	/* the same rate again changes nothing */
	TokenBucketConfigure(&b, 600, T0 + 2000);
	CHECK_NEAR(b.level, 2);
	/* a debt is clamped to the new -capacity */
	b = new_bucket(600);
	TokenBucketCharge(&b, 1200, T0);
	CHECK_NEAR(b.level, -600);
	TokenBucketConfigure(&b, 60, T0);
	CHECK_NEAR(b.level, -60);
	/* the pause survives a change of rate */
	b = new_bucket(60);
	TokenBucketPause(&b, T0 + 4000, T0);
	TokenBucketConfigure(&b, 120, T0 + 1000);
	CHECK_I64(b.paused_until_ms, T0 + 4000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1000), 3500);
	/* limited to unlimited: no waits, but the pause stays */
	TokenBucketConfigure(&b, 0, T0 + 1000);
	CHECK_NEAR(b.capacity, 0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1000), 3000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 4000), 0);
	/* unlimited to limited again: a new bucket, full */
	TokenBucketConfigure(&b, 30, T0 + 5000);
	CHECK_NEAR(b.level, 30);
	CHECK(take_n(&b, 31, T0 + 5000) == 30);
}

/* Times and rates at the edges of their types: no overflow, no UB. */
static void
test_extremes(void)
{
	TokenBucket b;

	/* the whole int64 range between two calls */
	memset(&b, 0, sizeof(b));
	b.paused_until_ms = INT64_MIN;	/* a zeroed bucket is paused until 0 */
	TokenBucketConfigure(&b, 60, INT64_MIN);
	CHECK(take_n(&b, 60, INT64_MIN) == 60);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MIN), 1000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MAX), 0);
	CHECK(take_n(&b, 61, INT64_MAX) == 60);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MAX), 1000);
	CHECK_I64(b.updated_ms, INT64_MAX);

	/* a pause to the end of time saturates the wait */
	b = new_bucket(60);
	TokenBucketPause(&b, INT64_MAX, T0);
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0), INT64_MAX - T0 + 1000);
	CHECK_I64(TokenBucketWaitMs(&b, 1, 0), INT64_MAX);
	CHECK_I64(TokenBucketWaitMs(&b, 1, -1), INT64_MAX);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MIN), INT64_MAX);
	CHECK(!TokenBucketTake(&b, 1, INT64_MAX - 1));
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MAX), 1000);

	/* pauses and now far apart in both directions */
	b = new_bucket(0);
	TokenBucketPause(&b, INT64_MAX, INT64_MIN);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MIN), INT64_MAX);
	CHECK_I64(TokenBucketWaitMs(&b, 1, 0), INT64_MAX);
	CHECK_I64(TokenBucketWaitMs(&b, 1, INT64_MAX), 0);

	/* huge and tiny rates */
	b = new_bucket(DBL_MAX);
	CHECK(take_n(&b, 1000, T0) == 1000);
	CHECK(TokenBucketTake(&b, 1e300, T0));
	CHECK_I64(TokenBucketWaitMs(&b, 1, T0 + 1), 0);
	TokenBucketCharge(&b, INFINITY, T0 + 1);
	CHECK(b.level == -DBL_MAX);
	CHECK(TokenBucketWaitMs(&b, 1, T0 + 2) > 59990);
	CHECK(TokenBucketWaitMs(&b, 1, T0 + 2) <= 60000);
	CHECK(TokenBucketTake(&b, 1, T0 + 1000000));

	b = new_bucket(1e-300);
	CHECK(TokenBucketTake(&b, 1, T0));	/* the whole capacity */
	CHECK(!TokenBucketTake(&b, 1, T0 + 59999));
	CHECK(TokenBucketTake(&b, 1, T0 + 60000));
	CHECK(TokenBucketWaitMs(&b, 1, T0 + 60000) == 60000);

	/* very long idle periods refill to exactly the capacity */
	b = new_bucket(60);
	TokenBucketCharge(&b, 60, T0);
	CHECK(take_n(&b, 100, INT64_MAX) == 60);
	CHECK(!isnan(b.level) && !isinf(b.level));
}

/* Run every test; the exit status says whether all checks passed. */
int
main(void)
{
	test_unlimited();
	test_initial_full();
	test_wait_maths();
	test_refill();
	test_cost_clamped();
	test_charge();
	test_pause();
	test_reconfigure();
	test_extremes();
	return unit_report();
}
