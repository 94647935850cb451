/*-------------------------------------------------------------------------
 *
 * cq_wake.c
 *	  The shared registry of continuous-query database workers, and
 *	  ContinuousWake().
 *
 * A small fixed array in shared memory (only when the library is
 * preloaded), keyed by database OID; an entry is freed when its worker
 * leaves for lack of work.  Each entry says whether a worker
 * was started for the database (started), its pid and latch once it runs,
 * and whether work may be pending (set by every wake-up, taken by the
 * worker before it looks at its queues, so a wake-up that arrives while
 * it is busy makes it look again).  The launcher's latch is here too: a
 * wake-up for a database without a worker sets it, and the launcher
 * starts one.  A DROP DATABASE (or an ALTER DATABASE that needs the
 * database to itself) holds the database's entry for a bounded time
 * (ddl_hold_until): no worker starts or attaches meanwhile, and the
 * release, or the end of the hold, lets the launcher start it again.
 * All of it under one spinlock; latches are set after it is released.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_wake.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

#include "continuous/cq_wake.h"

typedef struct CqDatabase
{
	Oid			dboid;			/* InvalidOid: a free entry */
	pid_t		pid;			/* its worker, once attached */
	Latch	   *latch;
	bool		started;		/* a worker was registered and has not exited */
	bool		pending;		/* work may be pending */
	TimestampTz hold_until;		/* no new worker before (a failed one) */
	TimestampTz ddl_hold_until; /* nor before (a DROP/ALTER DATABASE runs) */
} CqDatabase;

typedef struct CqShared
{
	slock_t		mutex;
	Latch	   *launcher;
	CqDatabase	dbs[CQ_MAX_DATABASES];
} CqShared;

static CqShared *cq_state = NULL;

static CqDatabase *find_entry(Oid dboid, bool add);

void
ContinuousShmemRequest(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(CqShared)));
}

/*
 * ContinuousShmemInit
 *		From the shared memory startup hook.
 */
void
ContinuousShmemInit(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cq_state = ShmemInitStruct("mlpredict continuous queries",
							   sizeof(CqShared), &found);
	if (!found)
	{
		memset(cq_state, 0, sizeof(CqShared));
		SpinLockInit(&cq_state->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

bool
ContinuousIsShared(void)
{
	return cq_state != NULL;
}

/*
 * find_entry
 *		The entry of dboid, a new one if add and there is room; caller holds
 *		the mutex.
 */
static CqDatabase *
find_entry(Oid dboid, bool add)
{
	CqDatabase *free_entry = NULL;

	for (int i = 0; i < CQ_MAX_DATABASES; i++)
	{
		CqDatabase *e = &cq_state->dbs[i];

		if (e->dboid == dboid)
			return e;
		if (e->dboid == InvalidOid && free_entry == NULL)
			free_entry = e;
	}
	if (!add || free_entry == NULL)
		return NULL;
	memset(free_entry, 0, sizeof(CqDatabase));
	free_entry->dboid = dboid;
	return free_entry;
}

/*
 * ContinuousWake
 *		See cq_wake.h.  Called from commit callbacks: never raises an error.
 */
void
ContinuousWake(Oid dboid)
{
	Latch	   *latch = NULL;
	bool		full = false;

	if (cq_state == NULL || !OidIsValid(dboid))
		return;
	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, true);

		if (e == NULL)
			full = true;
		else
		{
			e->pending = true;
			if (e->latch != NULL)
				latch = e->latch;
			else if (!e->started)
				latch = cq_state->launcher;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	if (latch != NULL)
		SetLatch(latch);
	if (full)
		elog(WARNING, "mlpredict follows continuous queries in at most %d databases",
			 CQ_MAX_DATABASES);
}

/*
 * ContinuousSetLauncher
 *		The launcher publishes its latch (NULL when it exits).
 */
void
ContinuousSetLauncher(Latch *latch)
{
	SpinLockAcquire(&cq_state->mutex);
	cq_state->launcher = latch;
	SpinLockRelease(&cq_state->mutex);
}

/*
 * ContinuousNoteDatabase
 *		The launcher, at its start: dboid may have work (its worker will
 *		find out); false if the registry is full (try again when a worker
 *		has left).
 */
bool
ContinuousNoteDatabase(Oid dboid)
{
	CqDatabase *e;

	SpinLockAcquire(&cq_state->mutex);
	e = find_entry(dboid, true);
	if (e != NULL)
		e->pending = true;
	SpinLockRelease(&cq_state->mutex);
	return e != NULL;
}

/*
 * ContinuousNextToStart
 *		A database with pending work and no worker, now marked started;
 *		InvalidOid if none.  Databases held off (their last worker failed
 *		soon after its start) are skipped: *wake_ms receives the time until
 *		the first of them may start (-1 if none).
 */
Oid
ContinuousNextToStart(long *wake_ms)
{
	Oid			result = InvalidOid;
	TimestampTz now = GetCurrentTimestamp();

	*wake_ms = -1;
	SpinLockAcquire(&cq_state->mutex);
	for (int i = 0; i < CQ_MAX_DATABASES; i++)
	{
		CqDatabase *e = &cq_state->dbs[i];

		if (e->dboid == InvalidOid || !e->pending || e->started)
			continue;
		if (e->hold_until > now || e->ddl_hold_until > now)
		{
			TimestampTz until = Max(e->hold_until, e->ddl_hold_until);
			long		ms = TimestampDifferenceMilliseconds(now, until) + 1;

			if (*wake_ms < 0 || ms < *wake_ms)
				*wake_ms = ms;
			continue;
		}
		e->started = true;
		result = e->dboid;
		break;
	}
	SpinLockRelease(&cq_state->mutex);
	return result;
}

/*
 * ContinuousStartFailed
 *		The launcher could not register the worker, or the one it started
 *		is gone: a later wake-up starts another (unless one runs), not
 *		before hold_until.
 */
void
ContinuousStartFailed(Oid dboid, TimestampTz hold_until)
{
	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		/*
		 * Still started: its worker left without releasing the entry (an
		 * error, a signal, a failed connection), so hold off the next one.
		 */
		if (e != NULL && e->pid == 0 && e->started)
		{
			e->started = false;
			e->hold_until = hold_until;
		}
	}
	SpinLockRelease(&cq_state->mutex);
}

/*
 * ContinuousForgetDatabase
 *		The database is gone: free its entry.
 */
void
ContinuousForgetDatabase(Oid dboid)
{
	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e != NULL && e->pid == 0)
			e->dboid = InvalidOid;
	}
	SpinLockRelease(&cq_state->mutex);
}

/*
 * ContinuousWorkerAttach
 *		A database worker publishes its latch; false if another worker of
 *		the database runs (a registration the postmaster kept over a crash
 *		restart may meet the launcher's new one), or the database is held
 *		for a DROP/ALTER DATABASE.
 */
bool
ContinuousWorkerAttach(Oid dboid, Latch *latch)
{
	bool		ok = false;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, true);

		if (e != NULL && e->ddl_hold_until > GetCurrentTimestamp())
			e->pending = true;	/* held: the launcher starts one later */
		else if (e != NULL && (e->pid == 0 || e->pid == MyProcPid))
		{
			e->pid = MyProcPid;
			e->latch = latch;
			e->started = true;
			ok = true;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	return ok;
}

/*
 * ContinuousTakePending
 *		Whether a wake-up came since the last call; clears the flag.
 */
bool
ContinuousTakePending(Oid dboid)
{
	bool		pending = false;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e != NULL)
		{
			pending = e->pending;
			e->pending = false;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	return pending;
}

/*
 * ContinuousWorkerDetachIfIdle
 *		A worker that found nothing to do leaves, unless a wake-up came
 *		meanwhile (then false: it looks again).  After this, a wake-up goes
 *		to the launcher.
 */
bool
ContinuousWorkerDetachIfIdle(Oid dboid)
{
	bool		detached = false;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e == NULL)
			detached = true;
		else if (!e->pending && e->pid == MyProcPid)
		{
			/* free the entry: the next wake-up makes a new one */
			memset(e, 0, sizeof(CqDatabase));
			detached = true;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	return detached;
}

/*
 * ContinuousWorkerDetach
 *		A worker exiting on an error or SIGTERM: mark work pending, so that
 *		the launcher, which hears of the exit, starts a new one.
 */
void
ContinuousWorkerDetach(Oid dboid)
{
	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e != NULL && e->pid == MyProcPid)
		{
			e->pid = 0;
			e->latch = NULL;
			e->pending = true;
		}
	}
	SpinLockRelease(&cq_state->mutex);
}

/*
 * ContinuousHoldDatabase
 *		A DROP/ALTER DATABASE of dboid is about to run: no worker starts
 *		or attaches before until (or ContinuousReleaseDatabase).  Returns
 *		the pid of the worker that runs (0 if none has attached).  A
 *		database with a worker is marked pending, so that it gets one again
 *		when the hold ends (the command failed).
 */
pid_t
ContinuousHoldDatabase(Oid dboid, TimestampTz until)
{
	pid_t		pid = 0;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e != NULL)
		{
			e->ddl_hold_until = Max(e->ddl_hold_until, until);
			if (e->started || e->pid != 0)
				e->pending = true;
			pid = e->pid;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	return pid;
}

/*
 * ContinuousWorkerGone
 *		Whether dboid has no worker, attached or starting (the launcher
 *		clears "started" once it hears of the exit).
 */
bool
ContinuousWorkerGone(Oid dboid)
{
	bool		gone;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		gone = (e == NULL || (e->pid == 0 && !e->started));
	}
	SpinLockRelease(&cq_state->mutex);
	return gone;
}

/*
 * ContinuousReleaseDatabase
 *		The DROP/ALTER DATABASE is over: end the hold.  If it dropped the
 *		database, forget the entry; otherwise a database with pending work
 *		gets its worker again (the launcher is woken).
 */
void
ContinuousReleaseDatabase(Oid dboid, bool dropped)
{
	Latch	   *latch = NULL;

	SpinLockAcquire(&cq_state->mutex);
	{
		CqDatabase *e = find_entry(dboid, false);

		if (e != NULL)
		{
			e->ddl_hold_until = 0;
			if (dropped && e->pid == 0 && !e->started)
				e->dboid = InvalidOid;
			else if (e->pending && !e->started)
				latch = cq_state->launcher;
		}
	}
	SpinLockRelease(&cq_state->mutex);
	if (latch != NULL)
		SetLatch(latch);
}
