/*-------------------------------------------------------------------------
 *
 * cq_launcher.c
 *	  The continuous-query launcher: registration from _PG_init (shared
 *	  memory hooks, the launcher worker) and the launcher's main loop,
 *	  which starts one database worker (cq_worker.c) per database that may
 *	  have work.
 *
 * The launcher connects to no database.  At its start it marks every
 * database that accepts connections as possibly pending, so each gets a
 * worker that looks for continuous queries and exits if it finds none.
 * After that it sleeps on its latch: a wake-up for a database without a
 * worker (ContinuousWake, from a create, a resume or a captured change)
 * sets it, and it starts that database's worker.  It needs no timeout
 * except when a worker could not be registered (no free background
 * worker slot): then it tries again every second.
 *
 * Database workers are dynamic background workers with a restart time:
 * one that fails (or is terminated) is started again by the postmaster;
 * one that finds nothing to do exits with code 0 and is forgotten.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_launcher.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"

#include "settings.h"
#include "continuous/cq_wake.h"

/* seconds before the postmaster restarts a failed database worker */
#define CQ_WORKER_RESTART 5
/* milliseconds between attempts to register a worker when no slot is free */
#define CQ_LAUNCH_RETRY 1000

PGDLLEXPORT void mlpredict_cq_launcher_main(Datum arg);

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void cq_shmem_request(void);
static void cq_shmem_startup(void);
static void launcher_exit(int code, Datum arg);
static void note_databases(void);
static bool start_workers(void);
static bool start_worker(Oid dboid);

/*
 * ContinuousRegister
 *		See cq_wake.h: the shared registry and the launcher, unless
 *		mlpredict.continuous_workers is off.
 */
void
ContinuousRegister(void)
{
	BackgroundWorker worker;

	if (!mlpredict_continuous_workers)
		return;
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = cq_shmem_request;
#else
	cq_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = cq_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	strlcpy(worker.bgw_library_name, "mlpredict", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "mlpredict_cq_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "mlpredict continuous query launcher", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "mlpredict continuous query launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

static void
cq_shmem_request(void)
{
#if PG_VERSION_NUM >= 150000
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	ContinuousShmemRequest();
}

static void
cq_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	ContinuousShmemInit();
}

/*
 * mlpredict_cq_launcher_main
 *		The launcher's entry point.
 */
void
mlpredict_cq_launcher_main(Datum arg)
{
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	/* no database: pg_database is a shared catalog */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	ContinuousSetLauncher(MyLatch);
	before_shmem_exit(launcher_exit, (Datum) 0);
	note_databases();

	for (;;)
	{
		bool		retry;

		ResetLatch(MyLatch);
		/* absorbs ProcSignalBarriers (DROP DATABASE waits for them) */
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		retry = start_workers();
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (retry ? WL_TIMEOUT : 0),
						 CQ_LAUNCH_RETRY, PG_WAIT_EXTENSION);
	}
}

static void
launcher_exit(int code, Datum arg)
{
	ContinuousSetLauncher(NULL);
}

/*
 * note_databases
 *		Every database that accepts connections may have work.
 */
static void
note_databases(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (db->datallowconn && !db->datistemplate)
			ContinuousNoteDatabase(db->oid);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
}

/*
 * start_workers
 *		A worker for each database with pending work and none running;
 *		true if one could not be registered (try again later).
 */
static bool
start_workers(void)
{
	Oid			dboid;

	while ((dboid = ContinuousNextToStart()) != InvalidOid)
	{
		if (!start_worker(dboid))
		{
			ContinuousStartFailed(dboid);
			return true;
		}
	}
	return false;
}

/*
 * start_worker
 *		Register the database worker of dboid, named after the database;
 *		a database dropped meanwhile is forgotten.
 */
static bool
start_worker(Oid dboid)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	char	   *dbname;

	StartTransactionCommand();
	dbname = get_database_name(dboid);
	if (dbname == NULL)
	{
		CommitTransactionCommand();
		ContinuousStartFailed(dboid);
		ContinuousForgetDatabase(dboid);
		return true;
	}
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = CQ_WORKER_RESTART;
	strlcpy(worker.bgw_library_name, "mlpredict", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "mlpredict_cq_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "mlpredict continuous queries %s", dbname);
	strlcpy(worker.bgw_type, "mlpredict continuous queries", BGW_MAXLEN);
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = MyProcPid;
	CommitTransactionCommand();
	return RegisterDynamicBackgroundWorker(&worker, &handle);
}
