/*-------------------------------------------------------------------------
 *
 * local.h
 *	  The in-backend queue backend (local.c): HttpQueues run on this
 *	  backend's own dispatcher when there is no pool worker.
 *
 * IDENTIFICATION
 *	  src/pool/local.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_LOCAL_H
#define MLPREDICT_LOCAL_H

#include "http/http_queue.h"

extern const HttpQueueBackend PoolLocalBackend;

#endif							/* MLPREDICT_LOCAL_H */
