/*-------------------------------------------------------------------------
 *
 * token_bucket.c
 *	  Token buckets for the pool's rate limits (contract in token_bucket.h).
 *
 * Pure C11 with libc only, deliberately without "postgres.h", like
 * retry_policy.c: the module build compiles this file with the server's
 * flags, and the unit tests (make unit) link it into a plain program.
 *
 * The level is brought up to date lazily: every function first credits
 * the tokens that accrued since updated_ms at capacity per minute.  No
 * tokens accrue while the bucket is paused, so a pause both empties the
 * bucket and keeps it empty until it ends; the refill starts then.
 *
 * Time differences are taken in unsigned arithmetic and converted to
 * double, and every result is clamped before it goes back to an integer,
 * so no pair of int64 times, however far apart, can overflow.  A clock
 * that goes backwards credits nothing.
 *
 * IDENTIFICATION
 *	  src/pool/token_bucket.c
 *
 *-------------------------------------------------------------------------
 */
#include <float.h>
#include <math.h>

#include "token_bucket.h"

#define MS_PER_MINUTE	60000.0

/*
 * Slack for rounding: the level is a running sum of doubles, so "exactly
 * enough" may come out a few ulps short.  A wait a millionth of a
 * millisecond over a whole number is that number, and a level within a
 * billionth of the capacity below zero is zero.
 */
#define WAIT_EPSILON_MS		1e-6
#define LEVEL_EPSILON		1e-9

/* later - earlier in ms as a double, or 0 if later is not after earlier. */
static double
ElapsedMs(int64_t earlier, int64_t later)
{
	if (later <= earlier)
		return 0.0;
	return (double) ((uint64_t) later - (uint64_t) earlier);
}

/* The larger of two times. */
static int64_t
MaxTime(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/*
 * The level the bucket would have at time at: the stored level plus what
 * accrued since the later of updated_ms and the end of the pause, at most
 * the capacity.
 */
static double
LevelAt(const TokenBucket *bucket, int64_t at)
{
	double		elapsed = ElapsedMs(MaxTime(bucket->updated_ms,
											bucket->paused_until_ms), at);
	double		level = bucket->level;

	if (level >= bucket->capacity)
		return bucket->capacity;
	/* a minute or more refills any level, even the deepest debt */
	if (elapsed >= 2 * MS_PER_MINUTE)
		return bucket->capacity;
	level += elapsed * bucket->capacity / MS_PER_MINUTE;
	return level < bucket->capacity ? level : bucket->capacity;
}

/* Bring the level up to date at now_ms (never moves updated_ms back). */
static void
Refill(TokenBucket *bucket, int64_t now_ms)
{
	if (bucket->capacity > 0)
		bucket->level = LevelAt(bucket, now_ms);
	bucket->updated_ms = MaxTime(bucket->updated_ms, now_ms);
}

/* Keep the level within [-capacity, capacity]. */
static void
ClampLevel(TokenBucket *bucket)
{
	if (bucket->level > bucket->capacity)
		bucket->level = bucket->capacity;
	else if (bucket->level < -bucket->capacity)
		bucket->level = -bucket->capacity;
}

/* cost as the bucket understands it: within [0, capacity]. */
static double
ClampCost(const TokenBucket *bucket, double cost)
{
	if (!(cost > 0))			/* also catches NaN */
		return 0;
	return cost < bucket->capacity ? cost : bucket->capacity;
}

/*
 * TokenBucketConfigure
 *		Set the rate; a bucket that was unlimited starts full, a live one
 *		keeps its level (clamped) and its pause.
 */
void
TokenBucketConfigure(TokenBucket *bucket, double per_minute, int64_t now_ms)
{
	/* NaN, zero, negative and infinite rates are all "unlimited" */
	bool		unlimited = !(per_minute > 0 && per_minute <= DBL_MAX);

	if (unlimited)
	{
		bucket->capacity = 0;
		bucket->level = 0;
		return;
	}
	if (!(bucket->capacity > 0))
	{
		bucket->capacity = per_minute;
		bucket->level = per_minute;
		bucket->updated_ms = now_ms;
		return;
	}
	Refill(bucket, now_ms);
	bucket->capacity = per_minute;
	ClampLevel(bucket);
}

/*
 * TokenBucketWaitMs
 *		Milliseconds until cost tokens can be taken: the rest of the pause,
 *		then the time the refill needs to cover what is missing, rounded up.
 *
 * A limited bucket refills no earlier than updated_ms, so a caller whose
 * clock is a little behind the last update (another process's) waits for
 * that too.
 */
int64_t
TokenBucketWaitMs(const TokenBucket *bucket, double cost, int64_t now_ms)
{
	bool		limited = bucket->capacity > 0;
	int64_t		start = MaxTime(now_ms, bucket->paused_until_ms);
	uint64_t	pause_ms;
	double		missing;
	double		refill_ms = 0;

	if (limited)
		start = MaxTime(start, bucket->updated_ms);
	pause_ms = (uint64_t) start - (uint64_t) now_ms;
	if (pause_ms >= (uint64_t) INT64_MAX)
		return INT64_MAX;
	if (limited)
	{
		missing = ClampCost(bucket, cost) - LevelAt(bucket, start);
		if (missing > 0)
			refill_ms = ceil(missing / bucket->capacity * MS_PER_MINUTE
							 - WAIT_EPSILON_MS);
	}
	if (!(refill_ms > 0))
		return (int64_t) pause_ms;
	/* saturate rather than overflow; 2^63 is exactly representable */
	if (refill_ms >= 9223372036854775807.0 ||
		(int64_t) refill_ms > INT64_MAX - (int64_t) pause_ms)
		return INT64_MAX;
	return (int64_t) pause_ms + (int64_t) refill_ms;
}

/*
 * TokenBucketTake
 *		Take cost tokens (clamped to the capacity) if they are there now.
 */
bool
TokenBucketTake(TokenBucket *bucket, double cost, int64_t now_ms)
{
	if (TokenBucketWaitMs(bucket, cost, now_ms) != 0)
		return false;
	if (bucket->capacity > 0)
	{
		Refill(bucket, now_ms);
		bucket->level -= ClampCost(bucket, cost);
		/* keep rounding dust out of the level */
		if (bucket->level < 0 &&
			bucket->level > -bucket->capacity * LEVEL_EPSILON)
			bucket->level = 0;
		ClampLevel(bucket);
	}
	return true;
}

/*
 * TokenBucketCharge
 *		Charge (or, negative, refund) amount tokens after the fact, keeping
 *		the level within [-capacity, capacity].
 */
void
TokenBucketCharge(TokenBucket *bucket, double amount, int64_t now_ms)
{
	if (!(bucket->capacity > 0) || isnan(amount))
		return;
	Refill(bucket, now_ms);
	if (amount >= 2 * bucket->capacity)
		bucket->level = -bucket->capacity;
	else if (amount <= -2 * bucket->capacity)
		bucket->level = bucket->capacity;
	else
		bucket->level -= amount;
	ClampLevel(bucket);
}

/*
 * TokenBucketPause
 *		Pause until until_ms unless a pause at least as long is in place;
 *		empty the bucket (a debt stays).
 */
void
TokenBucketPause(TokenBucket *bucket, int64_t until_ms, int64_t now_ms)
{
	if (until_ms <= bucket->paused_until_ms)
		return;
	Refill(bucket, now_ms);
	if (bucket->level > 0)
		bucket->level = 0;
	bucket->paused_until_ms = until_ms;
}
