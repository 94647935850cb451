/*-------------------------------------------------------------------------
 *
 * http_queue.c
 *	  HttpQueue, requests in flight while the caller works on (see
 *	  http.h), and HttpPerform, a batch run to completion on a queue.
 *
 * With the library preloaded, a queue's requests travel to the pool
 * worker over this backend's channel (src/pool/channel.c), which hands
 * each response back to the queue that asked.  Without it, this backend
 * runs the same dispatcher as the worker, with one engine for the life of
 * the process (connections stay alive across rows and statements) and
 * each queue one of the dispatcher's owners, so queues take turns.
 *
 * Cancellation.  A queue lives in its own memory context under the one
 * current at creation, with a reset callback: when the query's memory
 * goes (its end, or the abort after an ERROR, cancel or
 * statement_timeout) the queue's outstanding requests are abandoned
 * first.  In-backend that removes their transfers at once; through the
 * pool the channel forgets them, and a transaction abort closes the
 * channel, which makes the worker drop them.  Every wait is on the
 * latch with CHECK_FOR_INTERRUPTS after it.
 *
 * IDENTIFICATION
 *	  src/http/http_queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/memutils.h"

#include "compat.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "http/http_queue.h"
#include "mlpredict.h"
#include "pool/channel.h"
#include "pool/dispatch.h"
#include "pool/pool.h"
#include "stats/stats.h"

static HttpEngine *local_engine = NULL;
static Dispatcher *local_dispatcher = NULL;
static uint32 local_wait_event = 0;

static void queue_reset(void *arg);
static void local_start(void);
static void clamp_timeouts(HttpRequest *request);
static void local_poll(bool wait);
static void local_done(Dispatcher *d, DispatchJob *job);
static void local_shutdown(int code, Datum arg);

/*
 * HttpQueueCreate
 *		See http.h.
 */
HttpQueue *
HttpQueueCreate(void)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext,
												  "mlpredict HTTP queue",
												  ALLOCSET_SMALL_SIZES);
	HttpQueue  *queue = MemoryContextAllocZero(context, sizeof(HttpQueue));

	queue->context = context;
	queue->shared = PoolIsShared();
	dlist_init(&queue->outstanding);
	dlist_init(&queue->done);
	queue->on_reset.func = queue_reset;
	queue->on_reset.arg = queue;
	MemoryContextRegisterResetCallback(context, &queue->on_reset);
	return queue;
}

/*
 * clamp_timeouts
 *		No attempt runs longer than mlpredict.max_client_timeout, whatever
 *		mlpredict.client_timeout or a model's client_timeout say (a longer
 *		client_timeout runtime option was refused already): a request held
 *		open by a slow server holds a pool slot that long.
 */
static void
clamp_timeouts(HttpRequest *request)
{
	int			ceiling = mlpredict_max_client_timeout * 1000;
	int			timeout = request->timeout_ms > 0 ? request->timeout_ms :
		mlpredict_client_timeout * 1000;

	request->timeout_ms = Min(timeout, ceiling);
	if (request->connect_timeout_ms > request->timeout_ms)
		request->connect_timeout_ms = request->timeout_ms;
}

/*
 * HttpQueueSubmit
 *		See http.h.  The request is checked here, in the backend, so that
 *		the worker never meets a request it must refuse.
 */
void
HttpQueueSubmit(HttpQueue *queue, HttpRequest *request, HttpResponse *response,
				void *arg)
{
	HttpQueueEntry *entry;

	if (request == NULL)
		elog(ERROR, "HTTP request is missing");
	if (queue->cancelled)
		elog(ERROR, "HTTP queue was cancelled");
	HttpCheckRequest(request);
	/* the session's limits, which the pool worker cannot see */
	if (request->max_body == 0)
		request->max_body = HttpMaxBodyBytes(request);
	clamp_timeouts(request);
	response->outcome = HTTP_FAILED;
	response->nattempts = 0;

	entry = MemoryContextAllocZero(queue->context, sizeof(HttpQueueEntry));
	entry->queue = queue;
	entry->request = request;
	entry->response = response;
	entry->response_context = CurrentMemoryContext;
	entry->arg = arg;
	dlist_push_tail(&queue->outstanding, &entry->node);
	queue->noutstanding++;

	if (queue->shared)
	{
		MlStatsForgetMissingDatabases();
		PoolChannelSubmit(entry);
		return;
	}
	local_start();
	if (!queue->owner_added)
	{
		DispatchAddOwner(local_dispatcher, &queue->owner, queue);
		queue->owner_added = true;
	}
	entry->job.id = 0;
	entry->job.request = request;
	entry->job.response = response;
	entry->job.context = entry->response_context;
	entry->job.arg = entry;
	DispatchSubmit(local_dispatcher, &queue->owner, &entry->job);
}

/*
 * HttpQueueEntryDone
 *		See http_queue.h.
 */
void
HttpQueueEntryDone(HttpQueueEntry *entry)
{
	HttpQueue  *queue = entry->queue;

	dlist_delete(&entry->node);
	dlist_push_tail(&queue->done, &entry->node);
	queue->noutstanding--;
}

/*
 * HttpQueueNext
 *		See http.h.
 */
bool
HttpQueueNext(HttpQueue *queue, bool wait, void **arg)
{
	for (;;)
	{
		if (!dlist_is_empty(&queue->done))
		{
			HttpQueueEntry *entry = dlist_container(HttpQueueEntry, node,
													dlist_pop_head_node(&queue->done));

			if (arg)
				*arg = entry->arg;
			pfree(entry);
			return true;
		}
		if (queue->noutstanding == 0)
			return false;
		if (queue->shared)
			PoolChannelPoll(wait);
		else
			local_poll(wait);
		if (!wait && dlist_is_empty(&queue->done))
			return false;
	}
}

int
HttpQueueOutstanding(HttpQueue *queue)
{
	return queue->noutstanding;
}

/*
 * HttpQueueCancel
 *		See http.h.  Never raises ERROR (it runs in a reset callback).
 */
void
HttpQueueCancel(HttpQueue *queue)
{
	dlist_mutable_iter iter;

	if (queue->shared)
	{
		dlist_foreach_modify(iter, &queue->outstanding)
		{
			HttpQueueEntry *entry = dlist_container(HttpQueueEntry, node, iter.cur);

			PoolChannelForget(entry);
			dlist_delete(&entry->node);
		}
	}
	else if (queue->owner_added)
	{
		DispatchCancelOwner(local_dispatcher, &queue->owner);
		queue->owner_added = false;
		dlist_init(&queue->outstanding);
	}
	queue->noutstanding = 0;
	dlist_init(&queue->done);
}

/*
 * HttpQueueFree
 *		See http.h.
 */
void
HttpQueueFree(HttpQueue *queue)
{
	HttpQueueCancel(queue);
	queue->cancelled = true;
	MemoryContextDelete(queue->context);
}

/* The queue's memory is going: abandon what is outstanding. */
static void
queue_reset(void *arg)
{
	HttpQueue  *queue = (HttpQueue *) arg;

	if (!queue->cancelled)
		HttpQueueCancel(queue);
	queue->cancelled = true;
}

/*
 * HttpPerform
 *		See http.h.
 */
void
HttpPerform(HttpRequest **requests, HttpResponse *responses, int n)
{
	HttpQueue  *queue;

	if (n == 0)
		return;
	queue = HttpQueueCreate();
	PG_TRY();
	{
		for (int i = 0; i < n; i++)
			HttpQueueSubmit(queue, requests[i], &responses[i], NULL);
		while (HttpQueueNext(queue, true, NULL))
			;
	}
	PG_FINALLY();
	{
		HttpQueueFree(queue);
	}
	PG_END_TRY();
}

/* The in-backend engine and dispatcher, made on first use. */
static void
local_start(void)
{
	if (local_engine != NULL)
		return;
	local_engine = HttpEngineCreate(0);
	local_dispatcher = DispatchCreate(local_engine, local_done);
	local_wait_event = MlWaitEventExtensionNew("MlpredictHttp");
	on_proc_exit(local_shutdown, (Datum) 0);
}

/*
 * local_poll
 *		Start what the limits allow, wait (or just look, without wait) for
 *		the engine, and collect finished transfers.
 */
static void
local_poll(bool wait)
{
	long		wake = DispatchStartReady(local_dispatcher);

	HttpEngineWait(local_engine, !wait ? 0 : wake < 0 ? 1000 : wake,
				   local_wait_event);
	CHECK_FOR_INTERRUPTS();
	DispatchCollect(local_dispatcher);
	(void) DispatchStartReady(local_dispatcher);
}

/* A job is final: its entry goes to its queue's done list. */
static void
local_done(Dispatcher *d, DispatchJob *job)
{
	HttpQueueEntryDone((HttpQueueEntry *) job->arg);
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
