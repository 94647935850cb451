/*-------------------------------------------------------------------------
 *
 * commit_wake.c
 *	  Waking the database's continuous-query worker when the current
 *	  transaction commits.
 *
 * Whatever queues work (the capture trigger, creation, resume, retries,
 * reprocessing) calls ContinuousWakeAtCommit(); the first call of a
 * transaction registers (once per backend) a transaction callback that,
 * on commit, calls ContinuousWake(MyDatabaseId) (cq_wake.c): the worker
 * wakes on its latch and sees the committed rows.  An abort wakes nobody.
 *
 * IDENTIFICATION
 *	  src/continuous/commit_wake.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"

#include "continuous/cq_internal.h"
#include "continuous/cq_wake.h"

static bool wake_pending;
static bool callback_registered;

static void
wake_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		if (wake_pending)
		{
			wake_pending = false;
			ContinuousWake(MyDatabaseId);
		}
	}
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_pending = false;
}

/*
 * ContinuousWakeAtCommit
 *		Wake the database's worker when this transaction commits.
 */
void
ContinuousWakeAtCommit(void)
{
	if (!callback_registered)
	{
		RegisterXactCallback(wake_callback, NULL);
		callback_registered = true;
	}
	wake_pending = true;
}

