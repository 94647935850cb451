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
 * Without the pool, the in-backend engine (http_engine.c) keeps one
 * libcurl multi handle per backend so that connections are kept alive and
 * reused across rows and statements.
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
#include "utils/guc.h"

/*
 * Whom a request is for: the key of the pool's caps, rate limits and
 * statistics.  Names are copied in (not pointers) because the route
 * travels to the pool worker through shared memory.  connection and model
 * are "" for requests that belong to neither (an OAuth token exchange has
 * a connection but no model).
 */
#define HTTP_ROUTE_NAME_LEN		(2 * NAMEDATALEN)

typedef struct HttpRoute
{
	Oid			dboid;
	char		connection[HTTP_ROUTE_NAME_LEN];
	char		model[HTTP_ROUTE_NAME_LEN];		/* schema.name */
	int			max_concurrency;	/* in-flight cap of the connection; 0: none */
	int			requests_per_minute;	/* 0: unlimited */
	int			tokens_per_minute;	/* 0: unlimited */
	int64		built_ms;		/* when the limits were read from the catalog */
} HttpRoute;

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
	int			retry_count;	/* transient failures retried this often */
	size_t		max_body;		/* response size limit in bytes; 0: the GUC */
	HttpRoute	route;
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
	HTTP_FAILED,				/* any other transport failure */
	HTTP_REFUSED,				/* every address of the host refused by
								 * mlpredict.allowed_networks; never retried */
	HTTP_UNAVAILABLE			/* not attempted (or no longer): the endpoint
								 * has been unreachable longer than
								 * mlpredict.retry_outage_window; error says
								 * how long and what failed last */
} HttpOutcome;

/* Room for an IPv6 address as text (INET6_ADDRSTRLEN) and then some. */
#define HTTP_REFUSED_ADDRESS_LEN	64

/* One attempt of a request, as the debug option reports it. */
typedef struct HttpAttempt
{
	HttpOutcome outcome;
	long		status;
	double		elapsed_ms;
	double		waited_ms;		/* held back by caps, rate limits, backoff */
	char		error[256];
} HttpAttempt;

#define HTTP_MAX_ATTEMPTS_KEPT	8

typedef struct HttpResponse
{
	HttpOutcome outcome;
	long		status;			/* HTTP status, 0 if none */
	StringInfoData body;		/* response body */
	List	   *headers;		/* HttpHeader *, names lower-cased */
	char		error[256];		/* transport error text, "" if none */
	double		elapsed_ms;
	int			nattempts;		/* attempts made (retries + 1) */
	HttpAttempt attempts[HTTP_MAX_ATTEMPTS_KEPT];	/* the first ones */
} HttpResponse;

/*
 * A queue of requests in flight, for callers that keep working while
 * their requests run (the pipelined executor, src/exec/pipeline.c).
 * Requests go through the pool worker when the library was preloaded,
 * else through this backend's own dispatcher; both keep connections
 * alive, apply the connection's limits and retry transient failures.
 *
 * HttpQueueCreate makes a queue in the current memory context; resetting
 * or deleting that context cancels whatever is still outstanding, so an
 * ERROR (cancel, statement_timeout) never leaves a request running for a
 * query that is gone.  HttpQueueSubmit hands over a request; its response
 * (a zeroed HttpResponse that outlives the request) is filled in when it
 * is final, with its data allocated in the memory context current at
 * submission.  HttpQueueNext gives back the arg of a final request, in
 * the order they finish; with wait it blocks (on the latch, checking for
 * interrupts) until one is final, and returns false when nothing is
 * outstanding, or when one of the outstanding requests has just begun to
 * wait out a retry's backoff (so that the caller may start another in its
 * place).  HttpQueueWaitingRetry counts the requests waiting so now.
 * HttpQueueCancel abandons every outstanding request (their
 * responses are never filled in); HttpQueueFree also frees the queue.
 */
typedef struct HttpQueue HttpQueue;

extern HttpQueue *HttpQueueCreate(void);
extern void HttpQueueSubmit(HttpQueue *queue, HttpRequest *request,
							HttpResponse *response, void *arg);
extern bool HttpQueueNext(HttpQueue *queue, bool wait, void **arg);
extern int	HttpQueueOutstanding(HttpQueue *queue);
extern int	HttpQueueWaitingRetry(HttpQueue *queue);
extern void HttpQueueCancel(HttpQueue *queue);
extern void HttpQueueFree(HttpQueue *queue);

/*
 * Perform nrequests requests concurrently and wait for all of them.
 * responses[i] is filled for requests[i]; responses must point to an array
 * of nrequests zeroed HttpResponse in a context that outlives the call.
 * Waits on the process latch and libcurl's sockets; CHECK_FOR_INTERRUPTS()
 * is called in every wait, and an interrupt abandons all transfers cleanly.
 */
extern void HttpPerform(HttpRequest **requests, HttpResponse *responses,
						int nrequests);

/* Whether a final response is an answer with a 2xx status. */
extern bool HttpResponseSucceeded(const HttpResponse *response);

/* Look up a response header (name lower-case); NULL if absent. */
extern const char *HttpResponseHeader(const HttpResponse *response,
									  const char *name);

/*
 * The endpoint policy (endpoint_policy.c).  Every address a transfer is
 * about to connect to, after name resolution, must be public or inside a
 * network of mlpredict.allowed_networks; HttpAllowedNetworksCheck is that
 * setting's GUC check hook.  HttpReportRefused raises the ERROR (42501)
 * for a response whose outcome is HTTP_REFUSED, with context (if not
 * NULL) as its CONTEXT line, and returns for any other response.
 */
extern bool HttpAllowedNetworksCheck(char **newval, void **extra,
									 GucSource source);
extern void HttpReportRefused(const HttpResponse *response,
							  const char *context);

#endif							/* MLPREDICT_HTTP_H */
