/*-------------------------------------------------------------------------
 *
 * pool_internal.h
 *	  The pool's shared state: one entry per worker and one channel slot
 *	  per backend; not for use outside src/pool.
 *
 * A backend offers a channel (a DSM segment holding two shm_mq queues)
 * by writing its handle into its slot and setting the worker's latch;
 * the worker attaches and marks the slot attached.  Each backend has one
 * slot per worker (slot = procno * mlpredict.pool_workers + worker), so
 * one session may talk to several workers at once; a slot belongs to
 * worker (slot % mlpredict.pool_workers).  Everything here is guarded by
 * PoolShared.mutex, a spinlock: only plain loads and stores happen under
 * it.
 *
 * IDENTIFICATION
 *	  src/pool/pool_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_POOL_INTERNAL_H
#define MLPREDICT_POOL_INTERNAL_H

#include "storage/dsm.h"
#include "storage/latch.h"
#include "storage/spin.h"

#define POOL_MAX_WORKERS		16

/* Layout of a channel segment: this header, then the two queues. */
#define POOL_CHANNEL_MAGIC		0x6d6c7031	/* "mlp1" */
#define POOL_REQUEST_QUEUE_SIZE	(64 * 1024)
#define POOL_RESPONSE_QUEUE_SIZE (512 * 1024)

typedef struct PoolChannelHeader
{
	uint32		magic;
	Size		request_offset;
	Size		request_size;
	Size		response_offset;
	Size		response_size;
} PoolChannelHeader;

typedef struct PoolWorkerState
{
	pid_t		pid;			/* 0 while not running */
	Latch	   *latch;
	uint64		generation;		/* changes whenever a worker starts or exits */
	uint64		offers;			/* bumped by backends offering a channel */
	uint64		buffered;		/* bytes in its buffer budget now */
	uint64		buffered_peak;	/* the most since it started */
	int			sessions;		/* channels attached now */
	uint64		requests;		/* final answers sent since it started */
} PoolWorkerState;

typedef enum PoolSlotState
{
	POOL_SLOT_EMPTY,
	POOL_SLOT_OFFERED,			/* handle set, worker not attached yet */
	POOL_SLOT_ATTACHED			/* the worker of generation has attached */
} PoolSlotState;

typedef struct PoolSlot
{
	PoolSlotState state;
	dsm_handle	handle;
	uint64		generation;
	int			parts;			/* workers the session spreads over */
} PoolSlot;

typedef struct PoolShared
{
	slock_t		mutex;
	int			nworkers;
	int			nslots;
	PoolWorkerState workers[POOL_MAX_WORKERS];
	PoolSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} PoolShared;

extern PoolShared *PoolState;

/*
 * pool_shmem.c, from pool_init.c's hooks: PoolShmemRequest from
 * shmem_request_hook (the pool's space, the limiter's and the
 * statistics'), PoolShmemInit from shmem_startup_hook (takes
 * AddinShmemInitLock; sets PoolState).
 */
extern void PoolShmemRequest(void);
extern void PoolShmemInit(void);

/*
 * pool_shmem.c: the requests one session may have on the wire in all its
 * workers, mlpredict.max_session_share of mlpredict.max_connections (at
 * least 1); 0 when mlpredict.max_connections sets no limit.
 */
extern int	PoolSessionCap(void);

/* worker.c */
extern PGDLLEXPORT void mlpredict_pool_worker_main(Datum arg);

#endif							/* MLPREDICT_POOL_INTERNAL_H */
