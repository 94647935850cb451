/*-------------------------------------------------------------------------
 *
 * pool_init.c
 *	  The pool's entry points from _PG_init: which queue backend
 *	  (http_queue.h) HttpQueues use, the token counter, and, while
 *	  preloading, the shared memory hooks and the background workers.
 *
 * Every process starts with the in-backend backend (local.c).  With the
 * library in shared_preload_libraries, the shared memory startup hook
 * switches to the channel to a pool worker (channel.c) once PoolState
 * exists, so HttpQueues go to the pool exactly when PoolIsShared().
 *
 * IDENTIFICATION
 *	  src/pool/pool_init.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"

#include "http/http_queue.h"
#include "pool/channel.h"
#include "pool/dispatch.h"
#include "pool/local.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void pool_shmem_request(void);
static void pool_shmem_startup(void);
static void pool_register_workers(void);

/*
 * PoolInit
 *		See pool.h.
 */
void
PoolInit(PoolTokenCounter counter)
{
	HttpQueueSetBackend(&PoolLocalBackend);
	DispatchSetTokenCounter(counter);
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
	PoolShmemRequest();
}

static void
pool_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	PoolShmemInit();
	/* PoolIsShared() from now on: requests go to the pool worker */
	HttpQueueSetBackend(&PoolChannelBackend);
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
