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

/*
 * Hand n requests to the pool worker and wait for their final responses.
 * Raises ERROR when the worker is not running or exits meanwhile; on any
 * ERROR (including cancel) the channel is closed, which makes the worker
 * abandon the requests at once.
 */
extern void PoolChannelPerform(HttpRequest **requests, HttpResponse *responses,
							   int n);

#endif							/* MLPREDICT_CHANNEL_H */
