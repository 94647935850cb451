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
 * worker slot), or, at startup, more databases than the registry holds
 * wait to be probed: then it tries again every second.
 *
 * Database workers are dynamic background workers that the postmaster
 * does not restart: the launcher hears of each exit (bgw_notify_pid) and
 * starts a new worker when work is pending - at once after a wake-up, and
 * at least CQ_WORKER_RESTART_MS after the start of one that failed (or
 * was terminated), which it marks pending.  One that finds nothing to do
 * exits with code 0 and clears its entry.
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
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "settings.h"
#include "continuous/cq_wake.h"

/* a database worker that fails within this many ms is restarted after them */
#define CQ_WORKER_RESTART_MS 5000
/* milliseconds between attempts to register a worker when no slot is free */
#define CQ_LAUNCH_RETRY 1000

PGDLLEXPORT void mlpredict_cq_launcher_main(Datum arg);

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* databases not yet noted in the registry (it was full), in TopMemoryContext */
static List *unnoted = NIL;

/* the workers this launcher registered */
typedef struct Launched
{
	Oid			dboid;
	BackgroundWorkerHandle *handle;
	TimestampTz started_at;
} Launched;
static Launched launched[CQ_MAX_DATABASES];

static void cq_shmem_request(void);
static void cq_shmem_startup(void);
static void launcher_exit(int code, Datum arg);
static List *list_databases(void);
static void note_databases(void);
static long start_workers(void);
static bool start_worker(Oid dboid);
static void remember(Oid dboid, BackgroundWorkerHandle *handle);
static void check_launched(void);

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
	unnoted = list_databases();

	for (;;)
	{
		long		timeout;

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
		check_launched();
		note_databases();
		timeout = start_workers();
		if (unnoted != NIL && (timeout < 0 || timeout > CQ_LAUNCH_RETRY))
			timeout = CQ_LAUNCH_RETRY;
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
						 timeout, PG_WAIT_EXTENSION);
	}
}

static void
launcher_exit(int code, Datum arg)
{
	ContinuousSetLauncher(NULL);
}

/*
 * list_databases
 *		Every database that accepts connections (it may have work), as a
 *		List of OIDs in TopMemoryContext.
 */
static List *
list_databases(void)
{
	List	   *result = NIL;
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
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			result = lappend_oid(result, db->oid);
			MemoryContextSwitchTo(old);
		}
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return result;
}

/*
 * note_databases
 *		Mark the databases of the startup list as pending, as many as the
 *		registry has room for (entries are freed as probing workers that
 *		find nothing leave; each exit sets our latch).
 */
static void
note_databases(void)
{
	while (unnoted != NIL && ContinuousNoteDatabase(linitial_oid(unnoted)))
		unnoted = list_delete_first(unnoted);
}

/*
 * start_workers
 *		A worker for each database with pending work and none running; the
 *		time until the launcher should try again (-1: when woken).
 */
static long
start_workers(void)
{
	Oid			dboid;
	long		wake_ms;

	while ((dboid = ContinuousNextToStart(&wake_ms)) != InvalidOid)
	{
		if (!start_worker(dboid))
		{
			ContinuousStartFailed(dboid, 0);
			return CQ_LAUNCH_RETRY;
		}
	}
	return wake_ms;
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
	MemoryContext old;
	bool		registered;

	StartTransactionCommand();
	dbname = get_database_name(dboid);
	if (dbname == NULL)
	{
		CommitTransactionCommand();
		ContinuousStartFailed(dboid, 0);
		ContinuousForgetDatabase(dboid);
		return true;
	}
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* restarted by the launcher, which hears of its exit (bgw_notify_pid) */
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "mlpredict", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "mlpredict_cq_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "mlpredict continuous queries %s", dbname);
	strlcpy(worker.bgw_type, "mlpredict continuous queries", BGW_MAXLEN);
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = MyProcPid;
	CommitTransactionCommand();
	/* the handle is kept (check_launched) */
	old = MemoryContextSwitchTo(TopMemoryContext);
	registered = RegisterDynamicBackgroundWorker(&worker, &handle);
	MemoryContextSwitchTo(old);
	if (!registered)
		return false;
	remember(dboid, handle);
	return true;
}

/*
 * remember
 *		Keep the handle of dboid's worker (replacing an older one).
 */
static void
remember(Oid dboid, BackgroundWorkerHandle *handle)
{
	Launched   *free_slot = NULL;

	for (int i = 0; i < CQ_MAX_DATABASES; i++)
	{
		if (launched[i].dboid == dboid)
		{
			free_slot = &launched[i];
			break;
		}
		if (launched[i].dboid == InvalidOid && free_slot == NULL)
			free_slot = &launched[i];
	}
	if (free_slot == NULL)
		return;
	if (free_slot->handle != NULL)
		pfree(free_slot->handle);
	free_slot->dboid = dboid;
	free_slot->handle = handle;
	free_slot->started_at = GetCurrentTimestamp();
}

/*
 * check_launched
 *		Our workers that are gone free their slot and their entry's started
 *		flag, so that the next wake-up (or the pending flag a failed worker
 *		leaves) starts a new one - not within CQ_WORKER_RESTART_MS of the
 *		start of one that failed, and never for a database that was dropped
 *		(DROP DATABASE ... WITH (FORCE) terminates its worker).  Run when
 *		our latch is set, which the postmaster does whenever one of them
 *		starts or stops.
 */
static void
check_launched(void)
{
	for (int i = 0; i < CQ_MAX_DATABASES; i++)
	{
		Launched   *l = &launched[i];
		pid_t		pid;
		bool		exists;

		if (l->dboid == InvalidOid ||
			GetBackgroundWorkerPid(l->handle, &pid) != BGWH_STOPPED)
			continue;
		StartTransactionCommand();
		exists = get_database_name(l->dboid) != NULL;
		CommitTransactionCommand();
		ContinuousStartFailed(l->dboid,
							  TimestampTzPlusMilliseconds(l->started_at, CQ_WORKER_RESTART_MS));
		if (!exists)
			ContinuousForgetDatabase(l->dboid);
		pfree(l->handle);
		l->handle = NULL;
		l->dboid = InvalidOid;
	}
}
