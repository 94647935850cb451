/*-------------------------------------------------------------------------
 *
 * message.h
 *	  The wire format between backends and pool workers: one shm_mq
 *	  message per request and one per response.
 *
 * A message is a fixed header followed by NUL-terminated strings and the
 * raw body.  Both ends are the same build of the same library, so the
 * header is a plain struct.  Decoding checks every length against the
 * message size and raises ERROR on a malformed message.
 *
 * IDENTIFICATION
 *	  src/pool/message.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_MESSAGE_H
#define MLPREDICT_MESSAGE_H

#include "lib/stringinfo.h"

#include "http/http.h"

extern void PoolEncodeRequest(StringInfo buf, uint32 id,
							  const HttpRequest *request);
extern HttpRequest *PoolDecodeRequest(const char *data, Size len, uint32 *id);
extern void PoolEncodeResponse(StringInfo buf, uint32 id,
							   const HttpResponse *response);
/*
 * A notice that request id began (waiting) or ended a retry's backoff:
 * travels in the response queue, ahead of the request's final response.
 */
extern void PoolEncodeRetryWait(StringInfo buf, uint32 id, bool waiting);
extern bool PoolDecodeRetryWait(const char *data, Size len, uint32 *id,
								bool *waiting);

/* The id a response message answers, and its decoding. */
extern uint32 PoolResponseId(const char *data, Size len);
extern void PoolDecodeResponse(const char *data, Size len,
							   HttpResponse *response);

#endif							/* MLPREDICT_MESSAGE_H */
