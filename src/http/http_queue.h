/*-------------------------------------------------------------------------
 *
 * http_queue.h
 *	  The inside of an HttpQueue (see http.h), and the backend interface
 *	  through which a queue's requests are carried out.
 *
 * The queue keeps the books (which requests are outstanding, which are
 * final, cancellation when its memory goes); a backend moves the
 * requests.  The pool (src/pool) registers the backend at start-up: the
 * channel to a pool worker when the library is preloaded, else the
 * dispatcher run in this backend.  The queue never calls the pool
 * directly, so the pool may depend on the queue and not the other way.
 *
 * IDENTIFICATION
 *	  src/http/http_queue.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_HTTP_QUEUE_H
#define MLPREDICT_HTTP_QUEUE_H

#include "lib/ilist.h"

#include "http/http.h"

/*
 * One submitted request: outstanding, then final (on its queue's done
 * list).  The backend's entry_size bytes of data follow it (see
 * HttpQueueEntryData).
 */
typedef struct HttpQueueEntry
{
	dlist_node	node;			/* queue->outstanding, then queue->done */
	HttpQueue  *queue;
	HttpRequest *request;
	HttpResponse *response;
	MemoryContext response_context; /* where the response's data goes */
	void	   *arg;			/* the submitter's */
	bool		retry_waiting;	/* waiting out a retry's backoff */
} HttpQueueEntry;

/* The backend's data of an entry, zeroed at submission. */
#define HttpQueueEntryData(entry) \
	((void *) ((char *) (entry) + MAXALIGN(sizeof(HttpQueueEntry))))

/*
 * What carries a queue's requests out.
 *
 *	submit: start (or queue) an entry's request; may raise ERROR.  The
 *		entry is on queue->outstanding already.
 *	poll: move requests and responses along, handing each final one to
 *		HttpQueueEntryDone; with wait, and when nothing moved, sleep on the
 *		latch first and check for interrupts.  May raise ERROR.
 *	cancel: abandon every outstanding entry of the queue (their responses
 *		are never filled in and HttpQueueEntryDone is not called); the
 *		queue then empties its lists.  Never raises ERROR: it runs in a
 *		memory context reset callback.
 */
typedef struct HttpQueueBackend
{
	Size		entry_size;		/* bytes of backend data per entry */
	void		(*submit) (HttpQueueEntry *entry);
	void		(*poll) (bool wait);
	void		(*cancel) (HttpQueue *queue);
} HttpQueueBackend;

struct HttpQueue
{
	MemoryContext context;		/* entries; its reset cancels the queue */
	MemoryContextCallback on_reset;
	dlist_head	outstanding;	/* HttpQueueEntry submitted, not final */
	dlist_head	done;			/* HttpQueueEntry final, not yet taken */
	int			noutstanding;
	int			nretry_waiting; /* outstanding entries with retry_waiting */
	bool		retry_wait_news;	/* one began to wait since HttpQueueNext
									 * last returned */
	bool		cancelled;
	const HttpQueueBackend *backend;	/* the one current at creation */
	void	   *backend_state;	/* the backend's, in context (or NULL) */
};

/*
 * Set the backend for queues created from now on (the pool does, from
 * _PG_init and its shared memory startup).  backend must be static.
 */
extern void HttpQueueSetBackend(const HttpQueueBackend *backend);

/* An entry became final: move it to its queue's done list. */
extern void HttpQueueEntryDone(HttpQueueEntry *entry);

/* An outstanding entry began (true) or ended (false) a retry's backoff. */
extern void HttpQueueEntryRetryWaiting(HttpQueueEntry *entry, bool waiting);

#endif							/* MLPREDICT_HTTP_QUEUE_H */
