/*-------------------------------------------------------------------------
 *
 * message.h
 *	  The wire format between backends and pool workers: one shm_mq
 *	  message per request and one per response (a long body follows its
 *	  response in pieces).
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
/*
 * A response whose body is longer than POOL_BODY_PIECE travels as several
 * shm_mq messages: its head (everything but the body), then the body in
 * pieces of at most POOL_BODY_PIECE bytes, one after the other.  A piece
 * that lies whole in the ring is read in place (shm_mq_receive copies a
 * message only when it wraps around the ring's end), so a big body is
 * copied once, from the ring into the response, instead of twice.
 * PoolEncodeResponse returns the length of the head, the first message
 * (all of buf when the body goes with it).
 */
#define POOL_BODY_PIECE		(64 * 1024)

extern int	PoolEncodeResponse(StringInfo buf, uint32 id,
							   const HttpResponse *response);
/*
 * A notice that request id began (waiting) or ended a retry's backoff:
 * travels in the response queue, ahead of the request's final response.
 */
extern void PoolEncodeRetryWait(StringInfo buf, uint32 id, bool waiting);
extern bool PoolDecodeRetryWait(const char *data, Size len, uint32 *id,
								bool *waiting);

/*
 * The id a response message answers (and in *body_left the number of body
 * bytes that follow in pieces), and its decoding (the body gets room for
 * those: append them with PoolAppendBodyPiece, or count them with response
 * NULL to drop them).
 */
extern uint32 PoolResponseId(const char *data, Size len, Size *body_left);
extern void PoolDecodeResponse(const char *data, Size len,
							   HttpResponse *response);
extern void PoolAppendBodyPiece(const char *data, Size len, Size *left,
								HttpResponse *response);

#endif							/* MLPREDICT_MESSAGE_H */
