/*-------------------------------------------------------------------------
 *
 * token_bucket.h
 *	  Token buckets for the pool's rate limits (requests per minute and
 *	  tokens per minute of one connection object): pure C11 with only libc,
 *	  so that it can be unit-tested without a server
 *	  (test/unit/test_token_bucket.c).
 *
 * A bucket holds at most capacity tokens and refills continuously at
 * capacity per minute.  Time is passed in by the caller as milliseconds
 * on any monotonic scale; nothing here reads the clock, allocates or
 * fails.  A bucket with capacity 0 is unlimited.
 *
 * Requests take one token before they start (TokenBucketTake).  Model
 * tokens are only known after the answer, so they are charged afterwards
 * (TokenBucketCharge), which may drive the level below zero: later
 * requests then wait until the debt is repaid.  A throttling answer from
 * the provider pauses the whole bucket (TokenBucketPause), so every
 * session using the connection slows down, not only the request that was
 * refused.
 *
 * IDENTIFICATION
 *	  src/pool/token_bucket.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TOKEN_BUCKET_H
#define MLPREDICT_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

typedef struct TokenBucket
{
	double		capacity;		/* tokens per minute; 0 = unlimited */
	double		level;			/* tokens available now (may be < 0) */
	int64_t		updated_ms;		/* when level was last brought up to date */
	int64_t		paused_until_ms;	/* nothing is taken before this time */
} TokenBucket;

/*
 * Set the rate (per_minute <= 0: unlimited).  A new bucket (capacity 0
 * before) starts full; changing the rate of a live bucket keeps its level,
 * clamped to the new capacity, and its pause.
 */
extern void TokenBucketConfigure(TokenBucket *bucket, double per_minute,
								 int64_t now_ms);

/*
 * Milliseconds until cost tokens can be taken (0: now), counting the
 * pause.  Always 0 for an unlimited bucket that is not paused.  A cost
 * larger than the capacity is treated as the capacity, so it never waits
 * forever.
 */
extern int64_t TokenBucketWaitMs(const TokenBucket *bucket, double cost,
								 int64_t now_ms);

/* Take cost tokens if TokenBucketWaitMs is 0; returns whether it did. */
extern bool TokenBucketTake(TokenBucket *bucket, double cost, int64_t now_ms);

/*
 * Charge amount tokens after the fact (may leave the level negative, but
 * never below -capacity, so one huge answer cannot block a bucket for
 * more than a minute).  Negative amounts give tokens back, up to capacity.
 */
extern void TokenBucketCharge(TokenBucket *bucket, double amount,
							  int64_t now_ms);

/*
 * Pause the bucket until until_ms (a later pause wins; an earlier one is
 * ignored) and empty it, so that after the pause requests resume at the
 * refill rate rather than in a burst.  Works on unlimited buckets too:
 * a throttled provider pauses every connection object.
 */
extern void TokenBucketPause(TokenBucket *bucket, int64_t until_ms,
							 int64_t now_ms);

#endif							/* MLPREDICT_TOKEN_BUCKET_H */
