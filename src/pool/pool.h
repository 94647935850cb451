/*-------------------------------------------------------------------------
 *
 * pool.h
 *	  The HTTP connection pool: one place where connections, concurrency
 *	  caps, rate limits, retries and accounting live.
 *
 * With shared_preload_libraries = 'mlpredict', mlpredict.pool_workers
 * background workers each own a libcurl multi handle and serve every
 * backend of every database; a backend hands its requests to a worker
 * through a pair of shm_mq queues in a DSM segment of its own (a
 * "channel") and waits on its latch.  Without preloading, the backend
 * runs the same dispatcher in-process; caps and rate limits then hold
 * per backend only.
 *
 * Limits:
 *  - mlpredict.max_connections: requests in flight in the whole cluster
 *    (per backend without preloading);
 *  - the connection option max_concurrency: requests in flight to one
 *    connection object;
 *  - the connection options requests_per_minute and tokens_per_minute:
 *    token buckets shared by all sessions (see token_bucket.h);
 *  - fairness: requests of different sessions are started round-robin.
 *
 * IDENTIFICATION
 *	  src/pool/pool.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_POOL_H
#define MLPREDICT_POOL_H

#include "http/http.h"
#include "settings.h"			/* the pool's GUC variables */

/*
 * The tokens (prompt plus completion) a final, successful answer reports,
 * into *tokens; false when it reports none.  Given by the layer that
 * knows the answer formats, so that the pool never reads one: the
 * dispatcher charges the count to the connection's tokens_per_minute
 * bucket.  Never raises ERROR for a body it cannot read.
 */
typedef bool (*PoolTokenCounter) (const HttpResponse *response, int64 *tokens);

/*
 * pool_init.c, from _PG_init, before anything can make an HTTP request:
 * PoolInit makes HttpQueues run in this backend (local.c) and sets the
 * token counter; while preloading, PoolRegister then sets the pool up,
 * and its shared memory startup switches HttpQueues to the channel to a
 * pool worker (channel.c).
 */
extern void PoolInit(PoolTokenCounter counter);
extern void PoolRegister(void);

/* Whether this process talks to pool workers (library was preloaded). */
extern bool PoolIsShared(void);

/* A worker's state, for mlpredict.pool_info() (pool_shmem.c). */
typedef struct PoolWorkerInfo
{
	pid_t		pid;			/* 0 while not running */
	uint64		buffered;		/* bytes in its buffer budget now */
	uint64		buffered_peak;	/* the most since it started */
	int			sessions;		/* sessions it serves now */
	uint64		requests;		/* requests answered since it started */
} PoolWorkerInfo;

extern int	PoolWorkerCount(void);
extern void PoolGetWorkerInfo(int worker, PoolWorkerInfo *info);

#endif							/* MLPREDICT_POOL_H */
