/*-------------------------------------------------------------------------
 *
 * http_queue.c
 *	  HttpQueue, requests in flight while the caller works on (see
 *	  http.h), and HttpPerform, a batch run to completion on a queue.
 *
 * The queue keeps the books; a backend (http_queue.h) carries the
 * requests out.  The pool registers one: with the library preloaded, the
 * channel to the pool worker (src/pool/channel.c), which hands each
 * response back to the queue that asked; without it, the dispatcher run
 * in this backend (src/pool/local.c), with one engine for the life of
 * the process and each queue one of the dispatcher's owners, so queues
 * take turns.  A queue keeps the backend current at its creation.
 *
 * Cancellation.  A queue lives in its own memory context under the one
 * current at creation, with a reset callback: when the query's memory
 * goes (its end, or the abort after an ERROR, cancel or
 * statement_timeout) the queue's outstanding requests are abandoned
 * first, by the backend's cancel.  Every wait is the backend's, on the
 * latch with CHECK_FOR_INTERRUPTS after it.
 *
 * IDENTIFICATION
 *	  src/http/http_queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "http/http.h"
#include "http/http_internal.h"
#include "http/http_queue.h"
#include "mlpredict.h"

static const HttpQueueBackend *queue_backend = NULL;

static void queue_reset(void *arg);
static void clamp_timeouts(HttpRequest *request);

/*
 * HttpQueueSetBackend
 *		See http_queue.h.
 */
void
HttpQueueSetBackend(const HttpQueueBackend *backend)
{
	queue_backend = backend;
}

/*
 * HttpQueueCreate
 *		See http.h.
 */
HttpQueue *
HttpQueueCreate(void)
{
	MemoryContext context;
	HttpQueue  *queue;

	if (queue_backend == NULL)
		elog(ERROR, "no HTTP queue backend is registered");
	context = AllocSetContextCreate(CurrentMemoryContext, "mlpredict HTTP queue",
									ALLOCSET_SMALL_SIZES);
	queue = MemoryContextAllocZero(context, sizeof(HttpQueue));
	queue->context = context;
	queue->backend = queue_backend;
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

	entry = MemoryContextAllocZero(queue->context,
								   MAXALIGN(sizeof(HttpQueueEntry)) +
								   queue->backend->entry_size);
	entry->queue = queue;
	entry->request = request;
	entry->response = response;
	entry->response_context = CurrentMemoryContext;
	entry->arg = arg;
	dlist_push_tail(&queue->outstanding, &entry->node);
	queue->noutstanding++;
	queue->backend->submit(entry);
}

/*
 * HttpQueueEntryDone
 *		See http_queue.h.
 */
void
HttpQueueEntryDone(HttpQueueEntry *entry)
{
	HttpQueue  *queue = entry->queue;

	HttpQueueEntryRetryWaiting(entry, false);
	dlist_delete(&entry->node);
	dlist_push_tail(&queue->done, &entry->node);
	queue->noutstanding--;
}

/*
 * HttpQueueEntryRetryWaiting
 *		See http_queue.h.
 */
void
HttpQueueEntryRetryWaiting(HttpQueueEntry *entry, bool waiting)
{
	HttpQueue  *queue = entry->queue;

	if (entry->retry_waiting == waiting)
		return;
	entry->retry_waiting = waiting;
	queue->nretry_waiting += waiting ? 1 : -1;
	if (waiting)
		queue->retry_wait_news = true;
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
		if (wait && queue->retry_wait_news && dlist_is_empty(&queue->done))
		{
			/* the caller may start a request in the waiting one's place */
			queue->retry_wait_news = false;
			return false;
		}
		queue->backend->poll(wait);
		if (!wait && dlist_is_empty(&queue->done))
			return false;
	}
}

int
HttpQueueWaitingRetry(HttpQueue *queue)
{
	return queue->nretry_waiting;
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
	queue->backend->cancel(queue);
	dlist_init(&queue->outstanding);
	queue->noutstanding = 0;
	queue->nretry_waiting = 0;
	queue->retry_wait_news = false;
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
		while (HttpQueueNext(queue, true, NULL) ||
			   HttpQueueOutstanding(queue) > 0)
			;
	}
	PG_FINALLY();
	{
		HttpQueueFree(queue);
	}
	PG_END_TRY();
}
