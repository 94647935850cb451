/*-------------------------------------------------------------------------
 *
 * channel.h
 *	  A backend's side of its channel to a pool worker.
 *
 * IDENTIFICATION
 *	  src/pool/channel.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CHANNEL_H
#define MLPREDICT_CHANNEL_H

#include "http/http.h"

struct HttpQueueEntry;

/*
 * Send a queue entry's request to the pool worker (now, or on a later
 * poll when the request queue is full).  Opens the channel if needed;
 * raises ERROR when the worker is not running.
 */
extern void PoolChannelSubmit(struct HttpQueueEntry *entry);

/*
 * Move messages both ways: send what waits, and hand every response that
 * arrived to its entry (HttpQueueEntryDone).  With wait, and when nothing
 * moved, sleep on the latch first (at most POOL_CHECK_MS), then check for
 * interrupts and the worker.  Raises ERROR when the worker exited (after
 * failing every outstanding request).
 */
extern void PoolChannelPoll(bool wait);

/*
 * Forget an outstanding request: its response will be dropped.  Never
 * raises ERROR.
 */
extern void PoolChannelForget(struct HttpQueueEntry *entry);

#endif							/* MLPREDICT_CHANNEL_H */
