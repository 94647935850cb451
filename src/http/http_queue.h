/*-------------------------------------------------------------------------
 *
 * http_queue.h
 *	  The inside of an HttpQueue (see http.h), shared by http_queue.c and
 *	  the pool channel (src/pool/channel.c), which moves its requests to a
 *	  pool worker and their responses back.
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
#include "pool/dispatch.h"

/* One submitted request: outstanding, then final (on its queue's done list). */
typedef struct HttpQueueEntry
{
	dlist_node	node;			/* queue->outstanding, then queue->done */
	HttpQueue  *queue;
	HttpRequest *request;
	HttpResponse *response;
	MemoryContext response_context; /* where the response's data goes */
	void	   *arg;			/* the submitter's */
	uint32		channel_id;		/* pool: its id on the channel */
	DispatchJob job;			/* in-backend: the dispatcher's job */
} HttpQueueEntry;

struct HttpQueue
{
	MemoryContext context;		/* entries; its reset cancels the queue */
	MemoryContextCallback on_reset;
	dlist_head	outstanding;	/* HttpQueueEntry submitted, not final */
	dlist_head	done;			/* HttpQueueEntry final, not yet taken */
	int			noutstanding;
	bool		shared;			/* through the pool (else in this backend) */
	bool		cancelled;
	DispatchOwner owner;		/* in-backend: our place in the dispatcher */
	bool		owner_added;
};

/* An entry became final: move it to its queue's done list. */
extern void HttpQueueEntryDone(HttpQueueEntry *entry);

#endif							/* MLPREDICT_HTTP_QUEUE_H */
