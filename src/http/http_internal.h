/*-------------------------------------------------------------------------
 *
 * http_internal.h
 *	  The state of one transfer and the interface between the two halves
 *	  of the in-backend HTTP engine; not for use outside src/http.
 *
 * http_transfer.c sets up libcurl easy handles, collects what their
 * callbacks receive and turns it into HttpResponses; http_engine.c owns
 * the multi handle that drives them and the wait.  The dispatcher
 * (src/pool/dispatch.c) decides which transfers run when.
 *
 * IDENTIFICATION
 *	  src/http/http_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_HTTP_INTERNAL_H
#define MLPREDICT_HTTP_INTERNAL_H

#include <curl/curl.h>

#include "http/http.h"

#if LIBCURL_VERSION_NUM < 0x074400
#error "mlpredict requires libcurl 7.68.0 or later"
#endif

/* A growable byte buffer in malloc'd memory, safe to use in callbacks. */
typedef struct HttpBuffer
{
	char	   *data;
	size_t		len;
	size_t		cap;
} HttpBuffer;

/* Why a callback made libcurl abort a transfer. */
typedef enum HttpAbort
{
	HTTP_ABORT_NONE,
	HTTP_ABORT_BODY_TOO_LARGE,
	HTTP_ABORT_HEADERS_TOO_LARGE,
	HTTP_ABORT_OVER_BUDGET,		/* body larger than the whole buffer budget */
	HTTP_ABORT_OUT_OF_MEMORY
} HttpAbort;

/*
 * One transfer of a run.  Lives in malloc'd memory because libcurl and its
 * callbacks write into it (errbuf, body, head, abort).
 */
typedef struct HttpEasy HttpEasy;	/* a kept easy handle (http_transfer.c) */

typedef struct HttpTransfer
{
	CURL	   *easy;			/* NULL until set up */
	HttpEasy   *handle;			/* the kept handle easy belongs to */
	void	   *job;			/* the dispatcher's job it carries */
	bool		in_multi;		/* added to http_multi, not yet removed */
	bool		done;			/* result collected */
	size_t		max_body;		/* body size limit in bytes */
	HttpBuffer	body;			/* response body so far */
	HttpBuffer	head;			/* only len: header bytes of the last response */
	HttpAbort	abort;
	size_t		counted;		/* bytes of it in the buffer budget */
	bool		paused;			/* its write callback paused it for the budget */
	char		errbuf[CURL_ERROR_SIZE];
	/* the address policy (endpoint_policy.c) */
	int			nopened;		/* sockets opened for permitted addresses */
	int			nrefused;		/* addresses refused */
	char		refused[HTTP_REFUSED_ADDRESS_LEN];	/* the first one, as text */
	uint64		policy_generation;	/* of the policy it started under */
	bool		policy_counted;
} HttpTransfer;

/* in http_engine.c: one multi handle and its wait (opaque) */
typedef struct HttpEngine HttpEngine;

extern HttpEngine *HttpEngineCreate(long max_connections);
extern void HttpEngineSetMaxConnections(HttpEngine *engine, long max_connections);
extern void HttpEngineDestroy(HttpEngine *engine);
extern void HttpEngineStart(HttpEngine *engine, HttpTransfer *t,
							const HttpRequest *request);
extern void HttpEngineRemove(HttpEngine *engine, HttpTransfer *t);
extern HttpTransfer *HttpEngineNextDone(HttpEngine *engine, CURLcode *rc);
extern long HttpEngineTimeout(HttpEngine *engine, long limit_ms);
extern void HttpEngineWait(HttpEngine *engine, long timeout_ms,
						   uint32 wait_event_info);

/* in endpoint_policy.c */
extern void HttpPolicyRefresh(void);
extern void HttpPolicySetOptions(HttpTransfer *t);
extern void HttpPolicyStarted(HttpTransfer *t);
extern void HttpPolicyReleased(HttpTransfer *t);
extern bool HttpPolicyRefused(const HttpTransfer *t, CURLcode rc,
							  HttpResponse *response);

/*
 * Set an easy-handle option that must succeed; raises ERROR otherwise.
 * Options that are only an optimisation are set with plain
 * curl_easy_setopt and their result ignored.
 */
#define HTTP_SETOPT(easy, option, value) \
	do { \
		CURLcode	setopt_rc_ = curl_easy_setopt((easy), (option), (value)); \
		if (setopt_rc_ != CURLE_OK) \
			ereport(ERROR, \
					errcode(ERRCODE_INTERNAL_ERROR), \
					errmsg("could not set libcurl option %s", #option), \
					errdetail_internal("%s", curl_easy_strerror(setopt_rc_))); \
	} while (0)

/* in http_transfer.c */
extern size_t HttpMaxBodyBytes(const HttpRequest *request);
extern void HttpCheckRequest(const HttpRequest *request);
extern void HttpTransferStart(CURLM *multi, HttpTransfer *t,
							  const HttpRequest *request, size_t max_body);
extern void HttpTransferFinish(HttpTransfer *t, CURLcode rc,
							   HttpResponse *response);
extern void HttpTransferLogResult(const HttpRequest *request,
								  const HttpResponse *response);
extern void HttpTransferRelease(CURLM *multi, HttpTransfer *t);
extern void HttpTransferShutdown(void);

/*
 * Have every easy handle made from now on close its sockets through
 * closer(data, fd), which must close fd; set while no handle is kept
 * (the engine sets it when it is made, and clears it when destroyed).
 */
extern void HttpTransferSetCloser(curl_closesocket_callback closer, void *data);
extern void HttpTransferResume(HttpTransfer *t);

/*
 * The buffer budget (http_transfer.c): request bodies and response bodies
 * of running transfers, plus what the caller adds (the pool worker's
 * encoded responses not yet sent), counted against a limit in bytes (0:
 * none, the default).  A transfer whose body would push the total past
 * the limit while other memory is counted is paused (CURL_WRITEFUNC_PAUSE)
 * until HttpTransferResume; a body larger than the whole limit fails.
 */
extern void HttpBufferSetBudget(size_t bytes);
extern size_t HttpBufferBudget(void);
extern bool HttpBufferAdmits(size_t bytes);
extern void HttpBufferAdjust(ssize_t delta);
extern size_t HttpBuffered(void);
extern size_t HttpBufferedPeak(void);

#endif							/* MLPREDICT_HTTP_INTERNAL_H */
