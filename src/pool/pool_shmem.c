/*-------------------------------------------------------------------------
 *
 * pool_shmem.c
 *	  The pool's shared memory: its size, its creation at server start
 *	  (workers, channel slots, the limiter and the statistics), and the
 *	  accessors of its state.
 *
 * Only when the library is in shared_preload_libraries (pool_init.c
 * calls these from its shared memory hooks): then PoolState points into
 * shared memory in every process, and PoolIsShared() is true.  Otherwise
 * PoolState stays NULL, and HTTP stays in each backend.
 *
 * IDENTIFICATION
 *	  src/pool/pool_shmem.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "access/twophase.h"
#include "storage/shmem.h"

#include "pool/limiter.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"
#include "stats/stats.h"

PoolShared *PoolState = NULL;

static int	pool_slot_count(void);
static Size pool_shmem_size(void);

/*
 * pool_slot_count
 *		One slot per PGPROC and worker: a backend's slot for worker w is
 *		pgprocno * mlpredict.pool_workers + w.
 */
static int
pool_slot_count(void)
{
	return (MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts) *
		Max(mlpredict_pool_workers, 1);
}

static Size
pool_shmem_size(void)
{
	return add_size(offsetof(PoolShared, slots),
					mul_size(pool_slot_count(), sizeof(PoolSlot)));
}

/*
 * PoolShmemRequest
 *		See pool_internal.h.
 */
void
PoolShmemRequest(void)
{
	RequestAddinShmemSpace(pool_shmem_size());
	LimiterShmemRequest();
	MlStatsShmemRequest();
}

/*
 * PoolShmemInit
 *		See pool_internal.h.
 */
void
PoolShmemInit(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	PoolState = ShmemInitStruct("mlpredict pool", pool_shmem_size(), &found);
	if (!found)
	{
		memset(PoolState, 0, pool_shmem_size());
		SpinLockInit(&PoolState->mutex);
		PoolState->nworkers = mlpredict_pool_workers;
		PoolState->nslots = pool_slot_count();
	}
	LimiterShmemInit();
	MlStatsShmemInit();
	LWLockRelease(AddinShmemInitLock);
}

/*
 * PoolIsShared
 *		See pool.h.
 */
bool
PoolIsShared(void)
{
	return PoolState != NULL;
}

/*
 * PoolWorkerCount / PoolGetWorkerInfo
 *		See pool.h; only while PoolIsShared().
 */
int
PoolWorkerCount(void)
{
	return PoolState->nworkers;
}

void
PoolGetWorkerInfo(int worker, PoolWorkerInfo *info)
{
	PoolWorkerState *w = &PoolState->workers[worker];

	SpinLockAcquire(&PoolState->mutex);
	info->pid = w->pid;
	info->buffered = w->buffered;
	info->buffered_peak = w->buffered_peak;
	info->sessions = w->sessions;
	info->requests = w->requests;
	SpinLockRelease(&PoolState->mutex);
}

/*
 * PoolSessionCap
 *		See pool_internal.h.
 */
int
PoolSessionCap(void)
{
	if (mlpredict_max_connections <= 0)
		return 0;
	return Max(1, (int) ((int64) mlpredict_max_connections *
						 mlpredict_max_session_share / 100));
}
