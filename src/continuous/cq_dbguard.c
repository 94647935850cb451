/*-------------------------------------------------------------------------
 *
 * cq_dbguard.c
 *	  Lets DROP DATABASE (and the ALTER/CREATE DATABASE forms that need no
 *	  other session in the database) work while the database has running
 *	  continuous queries: a ProcessUtility hook that stops the database's
 *	  continuous-query worker first, as PostgreSQL does with autovacuum.
 *
 * The commands: DROP DATABASE d; ALTER DATABASE d RENAME TO ...;
 * ALTER DATABASE d SET TABLESPACE ... / WITH IS_TEMPLATE ...;
 * CREATE DATABASE ... TEMPLATE d.  Before the standard utility runs:
 *	 1. find d's OID (none: let PostgreSQL report it);
 *	 2. do nothing unless the current user owns d (every one of these
 *		commands but CREATE ... TEMPLATE of a template database needs
 *		that; superusers own everything), so an unprivileged user never
 *		stops another database's worker and gets PostgreSQL's own error;
 *	 3. hold d in the registry (cq_wake.c), so the launcher starts no
 *		worker for it, for at most CQ_DDL_HOLD_MS;
 *	 4. send SIGTERM to d's worker - only a background worker connected
 *		to d whose pid the registry gives - and wait up to
 *		CQ_DDL_WAIT_MS for it to be gone.
 * After the command, success or error, the hold ends: a dropped
 * database's entry is forgotten, any other gets its worker again at
 * once (the worker was marked pending).  A session that dies in between
 * leaves a hold that ends by itself, and the launcher wakes up for it.
 *
 * Installed only while preloading; without the registry (workers off) it
 * does nothing.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_dbguard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "continuous/cq_wake.h"

/* the longest a database is held (a session that died while holding it) */
#define CQ_DDL_HOLD_MS 60000
/* the longest the command waits for the worker to exit */
#define CQ_DDL_WAIT_MS 5000

#if PG_VERSION_NUM >= 160000
#define MlDatabaseOwnercheck(db, role) object_ownercheck(DatabaseRelationId, db, role)
#else
#define MlDatabaseOwnercheck(db, role) pg_database_ownercheck(db, role)
#endif

static ProcessUtility_hook_type prev_utility_hook = NULL;

static const char *target_database(Node *stmt);
static void stop_worker(Oid dboid);

/*
 * target_database
 *		The database the statement needs to itself, or NULL.
 */
static const char *
target_database(Node *stmt)
{
	ListCell   *lc;

	if (IsA(stmt, DropdbStmt))
		return ((DropdbStmt *) stmt)->dbname;
	if (IsA(stmt, RenameStmt) && ((RenameStmt *) stmt)->renameType == OBJECT_DATABASE)
		return ((RenameStmt *) stmt)->subname;
	if (IsA(stmt, AlterDatabaseStmt))
	{
		foreach(lc, ((AlterDatabaseStmt *) stmt)->options)
		{
			DefElem    *opt = lfirst_node(DefElem, lc);

			if (strcmp(opt->defname, "tablespace") == 0 ||
				strcmp(opt->defname, "is_template") == 0)
				return ((AlterDatabaseStmt *) stmt)->dbname;
		}
		return NULL;
	}
	if (IsA(stmt, CreatedbStmt))
	{
		foreach(lc, ((CreatedbStmt *) stmt)->options)
		{
			DefElem    *opt = lfirst_node(DefElem, lc);

			if (strcmp(opt->defname, "template") == 0 && opt->arg != NULL)
				return defGetString(opt);
		}
	}
	return NULL;
}

/*
 * stop_worker
 *		Terminate dboid's continuous-query worker (held: none starts
 *		again) and wait, bounded, until it is gone.
 */
static void
stop_worker(Oid dboid)
{
	TimestampTz start = GetCurrentTimestamp();
	pid_t		pid;
	bool		signalled = false;

	pid = ContinuousHoldDatabase(dboid, TimestampTzPlusMilliseconds(start, CQ_DDL_HOLD_MS));
	if (pid != 0)
	{
		PGPROC	   *proc = BackendPidGetProc(pid);

		/* only a background worker of this database */
		if (proc != NULL && proc->databaseId == dboid &&
			MlProcIsBackgroundWorker(proc))
			signalled = (kill(pid, SIGTERM) == 0);
	}

	/*
	 * Gone: the registry says so (the launcher heard of the exit), or the
	 * process we signalled has left the process array, which is all the
	 * command looks at.
	 */
	while (!ContinuousWorkerGone(dboid) &&
		   !(signalled && BackendPidGetProc(pid) == NULL))
	{
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(), CQ_DDL_WAIT_MS))
			break;				/* the command reports who is still there */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * dbguard_utility
 *		The ProcessUtility hook.
 */
#if PG_VERSION_NUM >= 140000
#define UTILITY_ARGS pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
static void
dbguard_utility(PlannedStmt *pstmt, const char *queryString,
				bool readOnlyTree, ProcessUtilityContext context,
				ParamListInfo params, QueryEnvironment *queryEnv,
				DestReceiver *dest, QueryCompletion *qc)
#else
#define UTILITY_ARGS pstmt, queryString, context, params, queryEnv, dest, qc
static void
dbguard_utility(PlannedStmt *pstmt, const char *queryString,
				ProcessUtilityContext context,
				ParamListInfo params, QueryEnvironment *queryEnv,
				DestReceiver *dest, QueryCompletion *qc)
#endif
{
	const char *dbname = ContinuousIsShared() ? target_database(pstmt->utilityStmt) : NULL;
	Oid			dboid = dbname ? get_database_oid(dbname, true) : InvalidOid;

	if (!OidIsValid(dboid) || dboid == MyDatabaseId ||
		!MlDatabaseOwnercheck(dboid, GetUserId()))
		dboid = InvalidOid;		/* PostgreSQL says what is wrong, if anything */
	if (!OidIsValid(dboid))
	{
		if (prev_utility_hook)
			prev_utility_hook(UTILITY_ARGS);
		else
			standard_ProcessUtility(UTILITY_ARGS);
		return;
	}
	PG_TRY();
	{
		stop_worker(dboid);
		if (prev_utility_hook)
			prev_utility_hook(UTILITY_ARGS);
		else
			standard_ProcessUtility(UTILITY_ARGS);
	}
	PG_CATCH();
	{
		ContinuousReleaseDatabase(dboid, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ContinuousReleaseDatabase(dboid, IsA(pstmt->utilityStmt, DropdbStmt));
}

/*
 * ContinuousDatabaseGuardInit
 *		See cq_wake.h: install the hook (from _PG_init, while preloading).
 */
void
ContinuousDatabaseGuardInit(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = dbguard_utility;
}
