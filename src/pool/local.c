/*-------------------------------------------------------------------------
 *
 * local.c
 *	  The in-backend queue backend: without the pool worker (the library
 *	  was not preloaded), a backend's HttpQueues run on a dispatcher of
 *	  its own (see http_queue.h for the interface).
 *
 * One engine and one dispatcher serve the backend for the life of the
 * process, made on first use, so connections stay alive across rows and
 * statements.  Each queue is one of the dispatcher's owners, so queues
 * take turns; each entry carries its dispatcher job.  Cancelling a queue
 * removes its transfers at once (libcurl closes their connections), and
 * a FATAL exit closes the engine.
 *
 * IDENTIFICATION
 *	  src/pool/local.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/memutils.h"

#include "compat.h"
#include "http/http_queue.h"
#include "pool/dispatch.h"
#include "pool/local.h"

/* A queue's place in the dispatcher (its backend_state). */
typedef struct LocalQueue
{
	DispatchOwner owner;
	bool		owner_added;
} LocalQueue;

static HttpEngine *local_engine = NULL;
static Dispatcher *local_dispatcher = NULL;
static uint32 local_wait_event = 0;
static bool local_any_done = false;	/* a job became final in local_done */

static void local_submit(HttpQueueEntry *entry);
static void local_poll(bool wait);
static void local_cancel(HttpQueue *queue);
static void local_start(void);
static void local_done(Dispatcher *d, DispatchJob *job);
static void local_retry_wait(Dispatcher *d, DispatchJob *job, bool waiting);
static void local_shutdown(int code, Datum arg);

const HttpQueueBackend PoolLocalBackend = {
	.entry_size = sizeof(DispatchJob),
	.submit = local_submit,
	.poll = local_poll,
	.cancel = local_cancel,
};

/*
 * local_submit
 *		Hand an entry's request to the dispatcher, behind the queue's
 *		others.
 */
static void
local_submit(HttpQueueEntry *entry)
{
	HttpQueue  *queue = entry->queue;
	LocalQueue *lq = queue->backend_state;
	DispatchJob *job = HttpQueueEntryData(entry);

	local_start();
	if (lq == NULL)
	{
		lq = MemoryContextAllocZero(queue->context, sizeof(LocalQueue));
		queue->backend_state = lq;
	}
	if (!lq->owner_added)
	{
		DispatchAddOwner(local_dispatcher, &lq->owner, queue);
		lq->owner_added = true;
	}
	job->id = 0;
	job->request = entry->request;
	job->response = entry->response;
	job->context = entry->response_context;
	job->arg = entry;
	DispatchSubmit(local_dispatcher, &lq->owner, job);
}

/*
 * local_poll
 *		Start what the limits allow, wait (or just look, without wait) for
 *		the engine, and collect finished transfers.
 */
static void
local_poll(bool wait)
{
	long		wake;

	local_any_done = false;
	wake = DispatchStartReady(local_dispatcher);
	/* a job failed without an attempt (an open circuit breaker): no wait */
	if (local_any_done)
		wait = false;
	HttpEngineWait(local_engine, !wait ? 0 : wake < 0 ? 1000 : wake,
				   local_wait_event);
	CHECK_FOR_INTERRUPTS();
	DispatchCollect(local_dispatcher);
	(void) DispatchStartReady(local_dispatcher);
}

/*
 * local_cancel
 *		The queue leaves the dispatcher, its transfers removed.  Never
 *		raises ERROR.
 */
static void
local_cancel(HttpQueue *queue)
{
	LocalQueue *lq = queue->backend_state;

	if (lq == NULL || !lq->owner_added)
		return;
	DispatchCancelOwner(local_dispatcher, &lq->owner);
	lq->owner_added = false;
}

/* The in-backend engine and dispatcher, made on first use. */
static void
local_start(void)
{
	if (local_engine != NULL)
		return;
	local_engine = HttpEngineCreate(0);
	local_dispatcher = DispatchCreate(local_engine, local_done);
	DispatchSetRetryWaitHook(local_dispatcher, local_retry_wait);
	local_wait_event = MlWaitEventExtensionNew("MlpredictHttp");
	on_proc_exit(local_shutdown, (Datum) 0);
}

/* A job is final: its entry goes to its queue's done list. */
static void
local_done(Dispatcher *d, DispatchJob *job)
{
	local_any_done = true;
	HttpQueueEntryDone((HttpQueueEntry *) job->arg);
}

/* A job began or ended a retry's backoff: so does its entry. */
static void
local_retry_wait(Dispatcher *d, DispatchJob *job, bool waiting)
{
	HttpQueueEntryRetryWaiting((HttpQueueEntry *) job->arg, waiting);
}

/*
 * local_shutdown
 *		on_proc_exit: a FATAL exit (pg_terminate_backend during a call) does
 *		not unwind; closing the engine closes the transfers.
 */
static void
local_shutdown(int code, Datum arg)
{
	HttpEngineDestroy(local_engine);
	local_engine = NULL;
}
