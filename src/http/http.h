/*-------------------------------------------------------------------------
 *
 * http.h
 *	  HTTP requests and responses as plain data, and the engine that
 *	  performs them.
 *
 * Providers build an HttpRequest (method, URL, headers, body); the engine
 * performs a batch of them concurrently and fills in HttpResponse.  A
 * transport failure or a non-2xx status is data in the response, never an
 * ERROR: the caller decides what to raise.  Only cancellation (query cancel,
 * statement_timeout, backend termination) interrupts a run, through
 * CHECK_FOR_INTERRUPTS().
 *
 * The in-backend engine (http_backend.c) keeps one libcurl multi handle per
 * backend so that connections are kept alive and reused across rows and
 * statements.
 *
 * IDENTIFICATION
 *	  src/http/http.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_HTTP_H
#define MLPREDICT_HTTP_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

/* A request header.  secret marks values that must never be shown. */
typedef struct HttpHeader
{
	char	   *name;
	char	   *value;
	bool		secret;
} HttpHeader;

typedef struct HttpRequest
{
	const char *method;			/* "POST" or "GET" */
	char	   *url;
	List	   *headers;		/* HttpHeader * */
	char	   *body;
	size_t		body_len;
	int			timeout_ms;		/* total time limit for one attempt */
	int			connect_timeout_ms;
	bool		allow_http;		/* plain http:// permitted for this request */
	List	   *sensitive;		/* text *: input values (database encoding)
								 * never shown in messages */
} HttpRequest;

/* What became of one attempt. */
typedef enum HttpOutcome
{
	HTTP_OK,					/* a response arrived (any status) */
	HTTP_TIMEOUT,				/* timeout_ms or connect timeout exceeded */
	HTTP_CONNECT_FAILED,		/* DNS, refused, TLS handshake, reset */
	HTTP_TOO_LARGE,				/* response exceeded the size limit */
	HTTP_FAILED					/* any other transport failure */
} HttpOutcome;

typedef struct HttpResponse
{
	HttpOutcome outcome;
	long		status;			/* HTTP status, 0 if none */
	StringInfoData body;		/* response body */
	List	   *headers;		/* HttpHeader *, names lower-cased */
	char		error[256];		/* transport error text, "" if none */
	double		elapsed_ms;
} HttpResponse;

/*
 * Perform nrequests requests concurrently and wait for all of them.
 * responses[i] is filled for requests[i]; responses must point to an array
 * of nrequests zeroed HttpResponse in a context that outlives the call.
 * Waits on the process latch and libcurl's sockets; CHECK_FOR_INTERRUPTS()
 * is called in every wait, and an interrupt abandons all transfers cleanly.
 */
extern void HttpPerform(HttpRequest **requests, HttpResponse *responses,
						int nrequests);

/* Look up a response header (name lower-case); NULL if absent. */
extern const char *HttpResponseHeader(const HttpResponse *response,
									  const char *name);

#endif							/* MLPREDICT_HTTP_H */
