/*-------------------------------------------------------------------------
 *
 * pool_shmem.c
 *	  Setting the pool up at server start: its shared memory (workers,
 *	  channel slots, the limiter and the statistics) and its background
 *	  workers.
 *
 * Only when the library is in shared_preload_libraries: then PoolState
 * points into shared memory in every process, and PoolIsShared() is true.
 * Otherwise nothing here runs, and HTTP stays in each backend.
 *
 * IDENTIFICATION
 *	  src/pool/pool_shmem.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "access/twophase.h"
#include "storage/shmem.h"

#include "pool/limiter.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"
#include "stats/stats.h"

PoolShared *PoolState = NULL;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static int	pool_slot_count(void);
static Size pool_shmem_size(void);
static void pool_shmem_request(void);
static void pool_shmem_startup(void);
static void pool_register_workers(void);

/*
 * pool_slot_count
 *		One slot per PGPROC, so a backend's slot is its pgprocno.
 */
static int
pool_slot_count(void)
{
	return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

static Size
pool_shmem_size(void)
{
	return add_size(offsetof(PoolShared, slots),
					mul_size(pool_slot_count(), sizeof(PoolSlot)));
}

/*
 * PoolRegister
 *		From _PG_init while preloading: install the shared memory hooks and
 *		register the workers.
 */
void
PoolRegister(void)
{
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pool_shmem_request;
#else
	pool_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pool_shmem_startup;
	pool_register_workers();
}

static void
pool_shmem_request(void)
{
#if PG_VERSION_NUM >= 150000
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(pool_shmem_size());
	LimiterShmemRequest();
	MlStatsShmemRequest();
}

static void
pool_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

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
 * pool_register_workers
 *		mlpredict.pool_workers workers, restarted one second after they
 *		exit; they need no database but show in pg_stat_activity.
 */
static void
pool_register_workers(void)
{
	for (int i = 0; i < mlpredict_pool_workers; i++)
	{
		BackgroundWorker worker;

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
			BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_ConsistentState;
		worker.bgw_restart_time = 1;
		strlcpy(worker.bgw_library_name, "mlpredict", BGW_MAXLEN);
		strlcpy(worker.bgw_function_name, "mlpredict_pool_worker_main", BGW_MAXLEN);
		snprintf(worker.bgw_name, BGW_MAXLEN, "mlpredict pool worker %d", i + 1);
		strlcpy(worker.bgw_type, "mlpredict pool", BGW_MAXLEN);
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
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
	SpinLockRelease(&PoolState->mutex);
}
