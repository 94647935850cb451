/*-------------------------------------------------------------------------
 *
 * channel.h
 *	  A backend's side of its channel to a pool worker: the queue backend
 *	  (see http_queue.h) of a backend when the library is preloaded.
 *
 * IDENTIFICATION
 *	  src/pool/channel.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CHANNEL_H
#define MLPREDICT_CHANNEL_H

#include "http/http_queue.h"

/*
 * Its submit opens the channel if needed and raises ERROR when the
 * worker is not running; its poll raises ERROR when the worker exited
 * (after failing every outstanding request).
 */
extern const HttpQueueBackend PoolChannelBackend;

#endif							/* MLPREDICT_CHANNEL_H */
