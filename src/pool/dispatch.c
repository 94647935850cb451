/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  Queues, fairness, limits and retries of the pool's requests (see
 *	  dispatch.h); the engine (http_engine.c) moves the bytes.
 *
 * Fairness.  Owners form a ring.  Each pass of DispatchStartReady goes
 * round it, starting at most one request per owner per round, and the
 * next pass starts one owner further on; so when a slot frees up, the
 * sessions waiting for it take turns, and one big query cannot starve the
 * others.
 *
 * Retries.  A 408/429/500/503/529 that does not report an exhausted quota,
 * or a connection dropped before its answer, is retried up to the
 * request's retry_count with exponential backoff and jitter, never sooner
 * than the server's Retry-After (or retry-after-ms, x-ratelimit-reset-*,
 * Google's RetryInfo).  A 429 or 503 also pauses the connection object's
 * buckets (limiter.c) for that long, so every session using it slows down.
 * An endpoint that cannot be reached (refused, name resolution, a timeout
 * while connecting; a gateway's 502/504, or 503 without a delay) is
 * retried by time instead (outage_policy.c): for as long as it has been
 * failing for less than mlpredict.retry_outage_window and the request for
 * less than its client_timeout (retry_count 0 still means no retry).
 * The connection's circuit breaker (circuit.c, kept by limiter.c) hears
 * what every attempt found; once open, queued requests wait for its probe
 * instead of each trying, and after the window they fail at once with
 * HTTP_UNAVAILABLE, as does a request that used up the window itself.
 *
 * Tokens.  A final answer's reported tokens are charged to the
 * connection's tokens_per_minute bucket when it arrives.  The count comes
 * from the token counter the layer above registered (see pool.h): the
 * dispatcher does not know the answer formats.
 *
 * Session share.  With an owner cap (the pool worker sets it from
 * mlpredict.max_session_share), an owner with that many requests on the
 * wire starts no more until one ends, so the others always find slots;
 * likewise an owner whose answers not yet taken (backlog) reach its share
 * of the buffer budget, so that a session that stops reading cannot
 * leave the others without memory.  An owner that is one of several
 * serving one session (DispatchSetOwnerParts) gets its part of each.
 *
 * Buffer budget.  A job starts only while the engine's buffer budget has
 * room for its request body and no transfer is paused for the budget.
 * Paused transfers are resumed on every pass; if every transfer on the
 * wire is paused and nothing else holds budget memory, none could ever
 * go on, so the one that received least is taken off the wire and queued
 * again at the head of its owner's queue (not counted as an attempt):
 * the others, each within the budget, can then finish.
 *
 * Nothing here raises ERROR except on out-of-memory or a failure of
 * libcurl itself; in the pool worker either ends the process.
 *
 * IDENTIFICATION
 *	  src/pool/dispatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "utils/memutils.h"

#include "compat.h"
#include "http/outage_policy.h"
#include "http/retry_policy.h"
#include "pool/dispatch.h"
#include "pool/limiter.h"
#include "stats/stats.h"

/* Backoff: the first retry waits about RETRY_BASE_MS, none more than RETRY_MAX_MS. */
#define RETRY_BASE_MS	250
#define RETRY_MAX_MS	60000

/*
 * A connect that timed out marks its endpoint unreachable (shared by every
 * session: the outage retries and the circuit breaker) only when it was
 * allowed at least this long.
 */
#define DISPATCH_UNREACHABLE_AFTER_MS	1000

struct Dispatcher
{
	HttpEngine *engine;
	DispatchDoneHook done;
	DispatchRetryWaitHook retry_wait;	/* or NULL */
	dlist_head	owners;			/* DispatchOwner ring */
	dlist_head	running;		/* DispatchJob on the wire */
	int			nrunning;
	int			nowners;
	int			owner_cap;		/* most running jobs per owner, 0: none */
	size_t		backlog_cap;	/* most backlog bytes to start more, 0: none */
	bool		budget_paused;	/* a transfer waits for budget memory */
};

static PoolTokenCounter token_counter = NULL;

static bool start_one(Dispatcher *d, DispatchOwner *owner, int64 now,
					  long *wake);
static void start_job(Dispatcher *d, DispatchJob *job, int slot, int64 now);
static void finish_attempt(Dispatcher *d, DispatchJob *job, CURLcode rc);
static RetryFailure attempt_failure(const DispatchJob *job, CURLcode rc,
									const HttpResponse *response);
static int	connect_allowed_ms(const HttpRequest *request);
static RetryClass attempt_class(RetryFailure failure, HttpResponse *response,
								long *server_ms);
static int64 report_health(DispatchJob *job, RetryFailure failure,
						   RetryClass retry_class, const HttpResponse *response,
						   int64 now);
static bool plan_retry(DispatchJob *job, HttpResponse *response,
					   RetryFailure failure, RetryClass retry_class,
					   long server_ms, int64 endpoint_since, int64 now,
					   long *delay);
static void give_up_unreachable(DispatchJob *job, HttpResponse *response,
								int64 endpoint_since, int64 now);
static void fail_fast(Dispatcher *d, DispatchJob *job, int64 now);
static bool is_throttling(const HttpResponse *response);
static long server_delay_ms(const HttpResponse *response);
static void note_wake(long *wake, int64 ms);
static void hold(DispatchJob *job, int64 now);
static void charge_tokens(const HttpRoute *route, HttpResponse *response,
						  int64 now);
static void relieve_budget(Dispatcher *d);
static void requeue_job(Dispatcher *d, DispatchJob *job);
static void release_slot(DispatchJob *job);

/*
 * DispatchSetTokenCounter
 *		See dispatch.h.
 */
void
DispatchSetTokenCounter(PoolTokenCounter counter)
{
	token_counter = counter;
}

Dispatcher *
DispatchCreate(HttpEngine *engine, DispatchDoneHook done)
{
	Dispatcher *d = MemoryContextAllocZero(TopMemoryContext, sizeof(Dispatcher));

	d->engine = engine;
	d->done = done;
	dlist_init(&d->owners);
	dlist_init(&d->running);
	return d;
}

/*
 * DispatchSetRetryWaitHook
 *		See dispatch.h.
 */
void
DispatchSetRetryWaitHook(Dispatcher *d, DispatchRetryWaitHook hook)
{
	d->retry_wait = hook;
}

void
DispatchAddOwner(Dispatcher *d, DispatchOwner *owner, void *arg)
{
	memset(owner, 0, sizeof(DispatchOwner));
	dlist_init(&owner->queue);
	owner->arg = arg;
	owner->parts = 1;
	dlist_push_tail(&d->owners, &owner->node);
	d->nowners++;
}

/*
 * DispatchSetOwnerCap
 *		At most cap jobs of one owner on the wire at once, and none started
 *		while its backlog is at least backlog_cap bytes (0: no cap).
 */
void
DispatchSetOwnerCap(Dispatcher *d, int cap, size_t backlog_cap)
{
	d->owner_cap = Max(cap, 0);
	d->backlog_cap = backlog_cap;
}

/*
 * DispatchSetOwnerParts
 *		The owner is one of parts owners (in as many pool workers) that
 *		serve one session: its caps are the session's divided by parts, so
 *		that a session spreading its requests over several workers holds
 *		no more than its share in all.
 */
void
DispatchSetOwnerParts(DispatchOwner *owner, int parts)
{
	owner->parts = Max(parts, 1);
}

/*
 * DispatchSubmit
 *		Queue a job behind the owner's others.  request, response, context
 *		and id must be set; the rest is initialised here.
 */
void
DispatchSubmit(Dispatcher *d, DispatchOwner *owner, DispatchJob *job)
{
	job->owner = owner;
	job->route = job->request->route;
	job->transfer = NULL;
	job->limiter_slot = -1;
	job->attempt = 0;
	job->counted = 0;
	job->outage_failures = 0;
	job->unreachable_since_ms = 0;
	job->probe = false;
	job->retry_waiting = false;
	job->not_before_ms = 0;
	job->held_since_ms = 0;
	job->held_ms = 0;
	job->response->nattempts = 0;
	dlist_push_tail(&owner->queue, &job->node);
	owner->njobs++;
}

/*
 * DispatchStartReady
 *		Start every queued job the limits allow, owners taking turns.
 *		Returns the milliseconds until a held job may become startable by
 *		the passing of time (backoff, rate limit), or -1 if none is.
 */
long
DispatchStartReady(Dispatcher *d)
{
	int64		now = LimiterNowMs();
	long		wake = -1;
	bool		progress = true;

	relieve_budget(d);
	while (progress && !dlist_is_empty(&d->owners))
	{
		dlist_mutable_iter iter;

		progress = false;
		dlist_foreach_modify(iter, &d->owners)
		{
			DispatchOwner *owner = dlist_container(DispatchOwner, node, iter.cur);

			if (start_one(d, owner, now, &wake))
				progress = true;
		}
		/* Next time, the next owner goes first. */
		if (d->nowners > 1)
			dlist_move_tail(&d->owners, dlist_head_node(&d->owners));
	}
	return wake;
}

/*
 * start_one
 *		Start the owner's first job that may start now; false if none.
 *
 * Jobs behind a held one may go first when they are for another
 * connection object; a connection found full is not asked again.
 */
static bool
start_one(Dispatcher *d, DispatchOwner *owner, int64 now, long *wake)
{
	dlist_iter	iter;
	const HttpRoute *busy = NULL;

	if (dlist_is_empty(&owner->queue))
		return false;
	if ((d->owner_cap > 0 &&
		 owner->nrunning >= Max(d->owner_cap / owner->parts, 1)) ||
		(d->backlog_cap > 0 && owner->backlog >= d->backlog_cap / owner->parts))
	{
		/* its share is in use: the next waits for one to end or be taken */
		hold(dlist_container(DispatchJob, node, dlist_head_node(&owner->queue)), now);
		return false;
	}
	dlist_foreach(iter, &owner->queue)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);
		const HttpRoute *route = &job->request->route;
		int			slot;
		int64		wait;
		bool		probe;

		if (d->budget_paused || !HttpBufferAdmits(job->request->body_len))
		{
			/* memory is short: the wire drains before anything starts */
			hold(job, now);
			return false;
		}
		if (job->not_before_ms > now)
		{
			hold(job, now);
			note_wake(wake, job->not_before_ms - now);
			continue;
		}
		if (busy != NULL && busy->dboid == route->dboid &&
			strcmp(busy->connection, route->connection) == 0)
		{
			hold(job, now);
			continue;
		}
		switch (LimiterAcquire(route, now, &slot, &wait, &probe))
		{
			case LIMITER_GO:
				job->probe = probe;
				start_job(d, job, slot, now);
				return true;
			case LIMITER_DOWN:
				fail_fast(d, job, now);
				return true;
			case LIMITER_BUSY:
				busy = route;
				hold(job, now);
				break;
			case LIMITER_LATER:
				hold(job, now);
				note_wake(wake, wait);
				break;
		}
	}
	return false;
}

static void
hold(DispatchJob *job, int64 now)
{
	if (job->held_since_ms == 0)
		job->held_since_ms = now;
}

static void
note_wake(long *wake, int64 ms)
{
	long		v = (long) Min(Max(ms, 1), 3600000);

	if (*wake < 0 || v < *wake)
		*wake = v;
}

/*
 * start_job
 *		Put a job on the wire.  It is on the running list before anything
 *		can fail, so that DispatchCancelOwner releases it.
 */
static void
start_job(Dispatcher *d, DispatchJob *job, int slot, int64 now)
{
	DispatchOwner *owner = job->owner;
	const HttpRoute *route = &job->request->route;
	int			n = job->response->nattempts;

	dlist_delete(&job->node);
	dlist_push_tail(&d->running, &job->node);
	owner->nrunning++;
	d->nrunning++;
	job->limiter_slot = slot;
	MlStatsInFlight(route, 1);

	if (job->held_since_ms != 0)
	{
		double		held = (double) (now - job->held_since_ms);

		job->held_ms += held;
		job->held_since_ms = 0;
		MlStatsThrottled(route, held);
	}
	if (n < HTTP_MAX_ATTEMPTS_KEPT)
		job->response->attempts[n].waited_ms = job->held_ms;

	job->transfer = calloc(1, sizeof(HttpTransfer));
	if (job->transfer == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	job->transfer->job = job;
	HttpEngineStart(d->engine, job->transfer, job->request);
	if (job->retry_waiting)
	{
		job->retry_waiting = false;
		d->retry_wait(d, job, false);
	}
}

/*
 * DispatchCollect
 *		Deal with every transfer the engine reports finished: retry it or
 *		hand it back.  Returns the number of jobs that became final.
 */
int
DispatchCollect(Dispatcher *d)
{
	HttpTransfer *t;
	CURLcode	rc;
	int			final = 0;

	while ((t = HttpEngineNextDone(d->engine, &rc)) != NULL)
	{
		DispatchJob *job = (DispatchJob *) t->job;
		int			before = job->owner->njobs;

		finish_attempt(d, job, rc);
		if (job->owner->njobs < before)
		{
			final++;
			d->done(d, job);
		}
	}
	return final;
}

/*
 * finish_attempt
 *		Record one attempt's result in the job's response, release what it
 *		held, and requeue it for a retry or mark it final.
 */
static void
finish_attempt(Dispatcher *d, DispatchJob *job, CURLcode rc)
{
	DispatchOwner *owner = job->owner;
	HttpResponse *response = job->response;
	const HttpRoute *route = &job->request->route;
	MemoryContext old = MemoryContextSwitchTo(job->context);
	RetryFailure failure;
	RetryClass	retry_class;
	long		server_ms;
	int64		endpoint_since;
	int64		now;
	long		delay;
	bool		retry;

	response->headers = NIL;
	if (response->body.data == NULL)
		initStringInfo(&response->body);
	else
		resetStringInfo(&response->body);
	response->status = 0;
	response->error[0] = '\0';
	HttpTransferFinish(job->transfer, rc, response);
	MemoryContextSwitchTo(old);
	HttpTransferLogResult(job->request, response);
	failure = attempt_failure(job, rc, response);

	HttpEngineRemove(d->engine, job->transfer);
	free(job->transfer);
	job->transfer = NULL;

	now = LimiterNowMs();
	retry_class = attempt_class(failure, response, &server_ms);
	endpoint_since = report_health(job, failure, retry_class, response, now);
	LimiterRelease(job->limiter_slot);
	job->limiter_slot = -1;
	dlist_delete(&job->node);
	owner->nrunning--;
	d->nrunning--;

	if (response->nattempts < HTTP_MAX_ATTEMPTS_KEPT)
	{
		HttpAttempt *a = &response->attempts[response->nattempts];

		a->outcome = response->outcome;
		a->status = response->status;
		a->elapsed_ms = response->elapsed_ms;
		strlcpy(a->error, response->error, sizeof(a->error));
	}
	response->nattempts++;
	job->attempt++;

	retry = plan_retry(job, response, failure, retry_class, server_ms,
					   endpoint_since, now, &delay);
	/* in flight down by one, and the call's outcome when it is final */
	MlStatsAttempt(route, response, job->request->body_len, retry);

	/* Throttled, retried or not: every session using the connection waits. */
	if (is_throttling(response))
		LimiterPause(route, now + delay, now);
	if (!retry)
	{
		charge_tokens(route, response, now);
		owner->njobs--;
		return;
	}
	job->not_before_ms = now + delay;
	/* Back to the head of the owner's queue: it keeps its turn. */
	dlist_push_head(&owner->queue, &job->node);
	if (d->retry_wait != NULL && !job->retry_waiting)
	{
		job->retry_waiting = true;
		d->retry_wait(d, job, true);
	}
}

/*
 * attempt_failure
 *		What became of an attempt, as retrying sees it: an answer, an
 *		endpoint that could not be reached (no connection made: refused,
 *		name resolution, or time out before connecting), a connection
 *		dropped before its answer (or in the middle of it), or anything
 *		else.
 */
static RetryFailure
attempt_failure(const DispatchJob *job, CURLcode rc, const HttpResponse *response)
{
	const HttpTransfer *t = job->transfer;
	curl_off_t	connect_us = 0;
	long		request_bytes = 0;

	switch (response->outcome)
	{
		case HTTP_OK:
			return RETRY_ANSWERED;
		case HTTP_CONNECT_FAILED:
			if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
				rc == CURLE_COULDNT_RESOLVE_PROXY)
				return RETRY_UNREACHABLE;
			return RETRY_DROPPED;
		case HTTP_TIMEOUT:
			/*
			 * No connection was made and no request byte sent: the time ran
			 * out while connecting (libcurl 8 reports a pretransfer time
			 * even then, so that is not the test).  That
			 * says the endpoint is unreachable only when the time allowed
			 * was not cut short by the caller: a session's 100 ms
			 * connect_timeout against a distant provider must not mark the
			 * endpoint down for every other session.
			 */
			if (connect_allowed_ms(job->request) >= DISPATCH_UNREACHABLE_AFTER_MS &&
				t->easy != NULL &&
				curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connect_us) == CURLE_OK &&
				curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes) == CURLE_OK &&
				connect_us == 0 && request_bytes == 0)
				return RETRY_UNREACHABLE;
			return RETRY_OTHER;
		case HTTP_FAILED:
			/* cut off in the middle of the answer, or the stream reset */
			if (rc == CURLE_PARTIAL_FILE || rc == CURLE_HTTP2 ||
				rc == CURLE_HTTP2_STREAM)
				return RETRY_DROPPED;
			return RETRY_OTHER;
		default:
			return RETRY_OTHER;
	}
}

/* The time an attempt had to connect: the shorter of its limits (0: none). */
static int
connect_allowed_ms(const HttpRequest *request)
{
	int			ms = request->connect_timeout_ms > 0 ? request->connect_timeout_ms : INT_MAX;

	if (request->timeout_ms > 0)
		ms = Min(ms, request->timeout_ms);
	return ms;
}

/*
 * attempt_class
 *		How the attempt is retried (outage_policy.c); *server_ms is the
 *		delay an answer asks for (-1: none).  With
 *		mlpredict.retry_outage_window 0, outages are retried by count.
 */
static RetryClass
attempt_class(RetryFailure failure, HttpResponse *response, long *server_ms)
{
	RetryClass	retry_class;
	bool		quota;

	/* only an error answer asks for a delay: a 2xx body is not scanned */
	*server_ms = failure == RETRY_ANSWERED && response->status >= 400 ?
		server_delay_ms(response) : -1;
	quota = failure == RETRY_ANSWERED &&
		RetryQuotaExhausted(response->status, response->body.data,
							(size_t) response->body.len);
	retry_class = RetryClassify(failure, response->status, quota, *server_ms);
	if (retry_class == RETRY_OUTAGE && mlpredict_retry_outage_window <= 0)
		retry_class = RETRY_COUNTED;
	return retry_class;
}

/*
 * report_health
 *		Tell the connection's breaker what the attempt found out about the
 *		endpoint (and that its probe, if it was one, is back).  Returns
 *		since when the endpoint has been failing (0: it is not).
 */
static int64
report_health(DispatchJob *job, RetryFailure failure, RetryClass retry_class,
			  const HttpResponse *response, int64 now)
{
	RetryHealth health = RetryEndpointHealth(failure, retry_class);
	char		last_error[LIMITER_ERROR_LEN];
	int64		since;

	last_error[0] = '\0';
	if (health == RETRY_HEALTH_DOWN && failure == RETRY_ANSWERED)
		snprintf(last_error, sizeof(last_error), "HTTP status %ld", response->status);
	else if (health == RETRY_HEALTH_DOWN)
		strlcpy(last_error, response->error, sizeof(last_error));
	LimiterReportHealth(job->limiter_slot, health, job->probe, last_error, now,
						&since);
	job->probe = false;
	return since;
}

/*
 * plan_retry
 *		Whether the attempt just ended is tried again, and after how long
 *		(*delay, also the pause a throttling answer imposes).  Counted
 *		retries spend retry_count; outage retries spend time (see the file
 *		header).  A request that can no longer wait for an unreachable
 *		endpoint becomes HTTP_UNAVAILABLE.
 */
static bool
plan_retry(DispatchJob *job, HttpResponse *response, RetryFailure failure,
		   RetryClass retry_class, long server_ms, int64 endpoint_since,
		   int64 now, long *delay)
{
	const HttpRequest *request = job->request;

	*delay = RetryBackoffMs(job->counted, MlRandomDouble(), RETRY_BASE_MS,
							RETRY_MAX_MS, server_ms);
	if (retry_class == RETRY_NEVER)
		return false;
	if (retry_class == RETRY_COUNTED)
	{
		if (job->counted >= request->retry_count)
			return false;
		job->counted++;
		return true;
	}
	if (request->retry_count <= 0)
		return false;
	if (job->unreachable_since_ms == 0)
		job->unreachable_since_ms = now;
	job->outage_failures++;
	if (!RetryOutageAgain(now, job->unreachable_since_ms, endpoint_since,
						  mlpredict_retry_outage_window, request->timeout_ms))
	{
		if (failure == RETRY_UNREACHABLE)
			give_up_unreachable(job, response, endpoint_since, now);
		return false;
	}
	*delay = RetryOutageDelayMs(job->outage_failures, MlRandomDouble(), server_ms);
	return true;
}

/*
 * give_up_unreachable
 *		The request has waited as long as it may for its endpoint: its final
 *		response says for how long the endpoint has failed, and how.
 */
static void
give_up_unreachable(DispatchJob *job, HttpResponse *response,
					int64 endpoint_since, int64 now)
{
	int64		since = job->unreachable_since_ms;
	char		last[sizeof(response->error)];

	if (endpoint_since > 0 && endpoint_since < since)
		since = endpoint_since;
	strlcpy(last, response->error, sizeof(last));
	snprintf(response->error, sizeof(response->error),
			 "unreachable for %.1f s; last error: %s",
			 (double) (now - since) / 1000.0, last);
	response->outcome = HTTP_UNAVAILABLE;
}

/*
 * fail_fast
 *		The connection's breaker is open and its endpoint has been failing
 *		longer than mlpredict.retry_outage_window: the job is final without
 *		an attempt.  It leaves the owner's queue and goes to the done hook.
 */
static void
fail_fast(Dispatcher *d, DispatchJob *job, int64 now)
{
	HttpResponse *response = job->response;
	MemoryContext old = MemoryContextSwitchTo(job->context);
	int64		failing_ms;
	char		last[LIMITER_ERROR_LEN];

	response->headers = NIL;
	if (response->body.data == NULL)
		initStringInfo(&response->body);
	else
		resetStringInfo(&response->body);
	MemoryContextSwitchTo(old);
	LimiterDescribeOutage(&job->request->route, now, &failing_ms, last, sizeof(last));
	response->outcome = HTTP_UNAVAILABLE;
	response->status = 0;
	response->elapsed_ms = 0;
	snprintf(response->error, sizeof(response->error),
			 "unreachable for %.1f s; last error: %s",
			 (double) failing_ms / 1000.0, last[0] != '\0' ? last : "none kept");
	dlist_delete(&job->node);
	job->owner->njobs--;
	MlStatsCallDone(&job->request->route, response);
	d->done(d, job);
}

/*
 * is_throttling
 *		A 429 or 503 that waiting can clear (not an exhausted quota).
 */
static bool
is_throttling(const HttpResponse *response)
{
	return response->outcome == HTTP_OK &&
		(response->status == 429 || response->status == 503) &&
		!RetryQuotaExhausted(response->status, response->body.data,
							 (size_t) response->body.len);
}

/*
 * server_delay_ms
 *		Delay the server asked for (retry-after-ms, Retry-After in seconds or
 *		as an HTTP date, for a 429 OpenAI's x-ratelimit-reset-*, or Google's
 *		RetryInfo in the body), or -1.
 *
 * OpenAI sends the reset headers with every answer; they say when a rate
 * limit window refills, which is a reason to wait only when the request
 * was actually throttled.
 */
static long
server_delay_ms(const HttpResponse *response)
{
	const char *reset_requests = NULL;
	const char *reset_tokens = NULL;
	long		delay;

	if (response->status == 429)
	{
		reset_requests = HttpResponseHeader(response, "x-ratelimit-reset-requests");
		reset_tokens = HttpResponseHeader(response, "x-ratelimit-reset-tokens");
	}
	delay = RetryServerDelayMs(HttpResponseHeader(response, "retry-after-ms"),
							   HttpResponseHeader(response, "retry-after"),
							   reset_requests, reset_tokens, time(NULL));
	if (delay < 0 && response->body.data != NULL)
		delay = RetryBodyDelayMs(response->body.data, (size_t) response->body.len);
	return delay;
}

/*
 * charge_tokens
 *		Charge the tokens a final answer reports to its connection's
 *		tokens_per_minute bucket, here, as soon as it arrives, so that the
 *		next request started finds them spent (a pipelined query decodes
 *		answers later, in its own order).  Only a connection with that
 *		limit pays for reading the usage fields.
 */
static void
charge_tokens(const HttpRoute *route, HttpResponse *response, int64 now)
{
	int64		tokens;

	if (route->tokens_per_minute <= 0 || !HttpResponseSucceeded(response) ||
		token_counter == NULL)
		return;
	if (token_counter(response, &tokens) && tokens > 0)
		LimiterChargeTokens(route, tokens, now);
}

/*
 * relieve_budget
 *		Resume the transfers the buffer budget paused, and if all on the
 *		wire stay paused with nothing else to free budget memory, requeue
 *		the one that received least (see the file header).  While one
 *		stays paused, no job starts (budget_paused).
 */
static void
relieve_budget(Dispatcher *d)
{
	dlist_iter	iter;
	DispatchJob *victim = NULL;
	size_t		running_bytes = 0;
	int			paused = 0;
	int			going = 0;

	d->budget_paused = false;
	if (HttpBufferBudget() == 0)
		return;
	dlist_foreach(iter, &d->running)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);

		if (job->transfer != NULL)
			HttpTransferResume(job->transfer);
	}
	dlist_foreach(iter, &d->running)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);
		HttpTransfer *t = job->transfer;

		if (t == NULL)
			continue;
		running_bytes += t->counted;
		if (!t->paused)
		{
			going++;
			continue;
		}
		paused++;
		if (victim == NULL || t->body.len < victim->transfer->body.len)
			victim = job;
	}
	d->budget_paused = paused > 0;
	/* all paused; memory other than theirs (unsent responses) will free */
	if (going == 0 && paused > 1 && running_bytes >= HttpBuffered())
		requeue_job(d, victim);
}

/*
 * release_slot
 *		A job leaves the wire unfinished: give back its limiter slot (and
 *		the breaker's probe, if it was one) and its in-flight count.
 */
static void
release_slot(DispatchJob *job)
{
	if (job->probe)
		LimiterProbeEnded(job->limiter_slot);
	job->probe = false;
	LimiterRelease(job->limiter_slot);
	job->limiter_slot = -1;
	MlStatsInFlight(&job->route, -1);
}

/*
 * requeue_job
 *		Take a job off the wire, unfinished, and put it back at the head of
 *		its owner's queue; the attempt does not count.
 */
static void
requeue_job(Dispatcher *d, DispatchJob *job)
{
	DispatchOwner *owner = job->owner;

	HttpEngineRemove(d->engine, job->transfer);
	free(job->transfer);
	job->transfer = NULL;
	release_slot(job);
	dlist_delete(&job->node);
	owner->nrunning--;
	d->nrunning--;
	dlist_push_head(&owner->queue, &job->node);
}

/*
 * DispatchCancelOwner
 *		Abandon every job of the owner: transfers on the wire are removed
 *		(libcurl closes their connections), queued ones dropped, their
 *		slots released.  The owner leaves the ring.  Never raises ERROR,
 *		and never looks at the jobs' requests or responses.
 */
void
DispatchCancelOwner(Dispatcher *d, DispatchOwner *owner)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &d->running)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);

		if (job->owner != owner)
			continue;
		dlist_delete(&job->node);
		if (job->transfer != NULL)
		{
			HttpEngineRemove(d->engine, job->transfer);
			free(job->transfer);
			job->transfer = NULL;
		}
		release_slot(job);
		MlStatsCanceled(&job->route);
		d->nrunning--;
	}
	dlist_foreach_modify(iter, &owner->queue)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);

		dlist_delete(&job->node);
		MlStatsCanceled(&job->route);
	}
	owner->nrunning = 0;
	owner->njobs = 0;
	dlist_delete(&owner->node);
	d->nowners--;
}

/*
 * DispatchReleaseShared
 *		The process is exiting with jobs on the wire: give back what they
 *		hold in shared memory (limiter slots, a breaker's probe, the
 *		in-flight counts of the statistics), so that the next worker finds
 *		the caps whole.  libcurl and the jobs' memory are left alone: this
 *		runs in an exit callback, perhaps after an error inside them.
 *		Never raises ERROR.
 */
void
DispatchReleaseShared(Dispatcher *d)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &d->running)
	{
		DispatchJob *job = dlist_container(DispatchJob, node, iter.cur);

		dlist_delete(&job->node);
		release_slot(job);
		MlStatsCanceled(&job->route);
		d->nrunning--;
	}
}

int
DispatchRunning(Dispatcher *d)
{
	return d->nrunning;
}

int
DispatchQueued(Dispatcher *d)
{
	dlist_iter	iter;
	int			n = 0;

	dlist_foreach(iter, &d->owners)
	{
		DispatchOwner *owner = dlist_container(DispatchOwner, node, iter.cur);

		n += owner->njobs - owner->nrunning;
	}
	return n;
}

int
DispatchOwners(Dispatcher *d)
{
	return d->nowners;
}
