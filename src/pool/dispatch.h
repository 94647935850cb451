/*-------------------------------------------------------------------------
 *
 * dispatch.h
 *	  The life of a request in the pool: queued by its owner, started when
 *	  the limiter allows (owners served round-robin), retried with backoff
 *	  on a transient failure, and handed back when final.
 *
 * The same dispatcher runs in the pool worker, where each owner is a
 * backend's channel, and in a backend without the pool, where the only
 * owner is the running call.
 *
 * IDENTIFICATION
 *	  src/pool/dispatch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_DISPATCH_H
#define MLPREDICT_DISPATCH_H

#include "lib/ilist.h"

#include "http/http.h"
#include "http/http_internal.h"
#include "pool/pool.h"

typedef struct Dispatcher Dispatcher;
typedef struct DispatchJob DispatchJob;

/* Whoever submits requests: a session (worker) or a call (backend). */
typedef struct DispatchOwner
{
	dlist_node	node;			/* in Dispatcher.owners */
	dlist_head	queue;			/* DispatchJob waiting to start, in order */
	int			nrunning;
	int			njobs;			/* queued + running */
	size_t		backlog;		/* bytes of its final answers not yet taken
								 * (kept by the caller) */
	int			parts;			/* its session spreads over this many owners
								 * (pool workers): each gets 1/parts of the
								 * owner caps; 1 unless set */
	void	   *arg;			/* the caller's (the worker's channel) */
} DispatchOwner;

struct DispatchJob
{
	dlist_node	node;			/* in owner->queue or Dispatcher.running */
	DispatchOwner *owner;
	uint64		id;				/* the owner's name for it */
	HttpRequest *request;
	HttpRoute	route;			/* request->route, for DispatchCancelOwner,
								 * which may run when the request's memory is
								 * already gone */
	HttpResponse *response;		/* final (or latest) result goes here */
	MemoryContext context;		/* where response data is allocated */
	HttpTransfer *transfer;		/* malloc'd while running */
	int			limiter_slot;
	int			attempt;		/* attempts made so far */
	int			counted;		/* retries spent of request->retry_count */
	int			outage_failures;	/* attempts that found the endpoint
									 * unreachable */
	int64		unreachable_since_ms;	/* the first of them, or 0 */
	bool		probe;			/* on the wire as the breaker's probe */
	bool		retry_waiting;	/* its owner was told it waits for a retry */
	int64		not_before_ms;	/* backoff: not started before this */
	int64		held_since_ms;	/* when it was first held back, or 0 */
	double		held_ms;		/* total time held back */
	void	   *arg;			/* the caller's */
};

/* Called when a job is final; the job is no longer the dispatcher's. */
typedef void (*DispatchDoneHook) (Dispatcher *dispatcher, DispatchJob *job);

/*
 * Called when a job starts waiting out a retry's backoff (waiting true)
 * and when it goes on the wire again (false), so that its owner may let
 * another request take its place meanwhile.  Optional.
 */
typedef void (*DispatchRetryWaitHook) (Dispatcher *dispatcher, DispatchJob *job,
									   bool waiting);

/* The token counter of every dispatcher of the process (NULL: none). */
extern void DispatchSetTokenCounter(PoolTokenCounter counter);

extern Dispatcher *DispatchCreate(HttpEngine *engine, DispatchDoneHook done);
extern void DispatchSetRetryWaitHook(Dispatcher *dispatcher,
									 DispatchRetryWaitHook hook);
extern void DispatchAddOwner(Dispatcher *dispatcher, DispatchOwner *owner,
							 void *arg);
extern void DispatchSetOwnerCap(Dispatcher *dispatcher, int cap,
								size_t backlog_cap);
extern void DispatchSetOwnerParts(DispatchOwner *owner, int parts);
extern void DispatchSubmit(Dispatcher *dispatcher, DispatchOwner *owner,
						   DispatchJob *job);
extern long DispatchStartReady(Dispatcher *dispatcher);
extern int	DispatchCollect(Dispatcher *dispatcher);
extern void DispatchCancelOwner(Dispatcher *dispatcher, DispatchOwner *owner);
extern void DispatchReleaseShared(Dispatcher *dispatcher);
extern int	DispatchRunning(Dispatcher *dispatcher);
extern int	DispatchQueued(Dispatcher *dispatcher);
extern int	DispatchOwners(Dispatcher *dispatcher);

#endif							/* MLPREDICT_DISPATCH_H */
