/*-------------------------------------------------------------------------
 *
 * http_backend.c
 *	  The in-backend HTTP engine: performs a batch of HttpRequests
 *	  concurrently with one libcurl multi handle per backend.
 *
 * The multi handle is created on first use and kept for the life of the
 * backend, so TCP and TLS connections (and HTTP/2 streams over them) are
 * kept alive and reused across rows and statements.  It is destroyed by an
 * on_proc_exit callback.
 *
 * Waiting.  libcurl tells us which sockets to watch through
 * CURLMOPT_SOCKETFUNCTION and when to call it back through
 * CURLMOPT_TIMERFUNCTION.  Each pass of the loop in http_run builds a
 * WaitEventSet with the process latch, postmaster death and one entry per
 * watched socket, waits on it under a custom wait event, resets the latch,
 * calls CHECK_FOR_INTERRUPTS(), and then hands the ready sockets (or the
 * expired timer) to curl_multi_socket_action.  Finished transfers are
 * collected with curl_multi_info_read.  A WaitEventSet cannot shrink, so it
 * is rebuilt (and freed) on every pass.
 *
 * Memory.  The socket callbacks run inside libcurl and must never raise
 * an ERROR; the socket table they maintain is malloc'd, and failure is
 * reported to libcurl through their return value.  The callbacks of each
 * transfer, and the memory rules for them, are in http_transfer.c.
 *
 * Cleanup.  The transfers of a run are registered in a static run state
 * before anything can fail.  A PG_FINALLY block (for ERROR, including
 * query cancel) and the on_proc_exit callback (for FATAL, which does not
 * unwind) remove every easy handle of the run from the multi handle, return
 * it to a small free list, and free all malloc'd memory, so the multi
 * handle is clean for the next statement.
 *
 * IDENTIFICATION
 *	  src/http/http_backend.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "mlpredict.h"

/* Connections the multi handle keeps open for reuse. */
#define HTTP_MAX_CONNECTS		64L

/* Longest single wait; bounds the damage of a lost curl timer. */
#define HTTP_MAX_WAIT_MS		1000L

/* A socket libcurl asked us to watch, with its CURL_POLL_* mask. */
typedef struct HttpSocket
{
	curl_socket_t fd;
	int			what;
} HttpSocket;

/* Per-backend libcurl state. */
static bool http_curl_initialized = false;
static bool http_exit_registered = false;
static CURLM *http_multi = NULL;

/* Sockets and timer, maintained by the multi handle's callbacks. */
static HttpSocket *http_sockets = NULL;
static int	http_nsockets = 0;
static int	http_socket_cap = 0;
static bool http_socket_oom = false;
static bool http_timer_active = false;
static TimestampTz http_timer_deadline = 0;
static int	http_running = 0;

/* The run in progress, for cleanup on ERROR and at process exit. */
static HttpTransfer *http_run_transfers = NULL;
static int	http_run_count = 0;
static WaitEventSet *http_run_wes = NULL;

static uint32 http_wait_event_info = 0;

static void http_ensure_multi(void);
static void http_proc_exit(int code, Datum arg);
static int	http_socket_cb(CURL *easy, curl_socket_t fd, int what,
						   void *userp, void *socketp);
static int	http_timer_cb(CURLM *multi, long timeout_ms, void *userp);
static void http_run(HttpRequest **requests, HttpResponse *responses,
					 int nrequests);
static long http_next_timeout(void);
static void http_wait_and_act(long timeout_ms);
static void http_socket_action(curl_socket_t fd, int flags);
static int	http_collect_finished(HttpRequest **requests,
								  HttpResponse *responses);
static void http_release_run(bool free_wes);
static uint32 http_wait_event(void);
static size_t http_max_body_bytes(void);

/*
 * HttpPerform
 *		Perform nrequests requests concurrently and wait for all of them.
 *
 * responses[i] is filled for requests[i]; bodies and headers are allocated
 * in the caller's CurrentMemoryContext.  Transport failures are reported in
 * the responses.  Raises ERROR only on cancellation (CHECK_FOR_INTERRUPTS),
 * out of memory, invalid request headers or a failure of libcurl itself;
 * in every case the multi handle is left clean for the next call.
 */
void
HttpPerform(HttpRequest **requests, HttpResponse *responses, int nrequests)
{
	HttpTransfer *transfers;

	if (nrequests <= 0)
		return;
	if (http_run_transfers != NULL)
		elog(ERROR, "HttpPerform cannot be called recursively");

	http_ensure_multi();

	transfers = calloc(nrequests, sizeof(HttpTransfer));
	if (transfers == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	http_run_transfers = transfers;
	http_run_count = nrequests;
	http_run_wes = NULL;

	PG_TRY();
	{
		http_run(requests, responses, nrequests);
	}
	PG_FINALLY();
	{
		http_release_run(true);
	}
	PG_END_TRY();
}

/*
 * http_ensure_multi
 *		Initialise libcurl and create the backend's multi handle, once.
 */
static void
http_ensure_multi(void)
{
	if (http_multi != NULL)
		return;

	if (!http_curl_initialized)
	{
		CURLcode	rc = curl_global_init(CURL_GLOBAL_ALL);

		if (rc != CURLE_OK)
			ereport(ERROR,
					errcode(ERRCODE_INTERNAL_ERROR),
					errmsg("could not initialize libcurl"),
					errdetail_internal("%s", curl_easy_strerror(rc)));
		http_curl_initialized = true;
	}

	if (!http_exit_registered)
	{
		on_proc_exit(http_proc_exit, (Datum) 0);
		http_exit_registered = true;
	}

	http_multi = curl_multi_init();
	if (http_multi == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Could not create a libcurl multi handle."));

	curl_multi_setopt(http_multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(http_multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(http_multi, CURLMOPT_MAXCONNECTS, HTTP_MAX_CONNECTS);
	curl_multi_setopt(http_multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
}

/*
 * http_proc_exit
 *		on_proc_exit callback: tear down all libcurl state.
 *
 * A FATAL error (say, pg_terminate_backend during a run) exits without
 * unwinding to PG_FINALLY, so a run may still be registered here.  Its
 * WaitEventSet and palloc'd memory are gone by now and are not touched.
 */
static void
http_proc_exit(int code, Datum arg)
{
	http_release_run(false);
	HttpTransferShutdown();

	if (http_multi != NULL)
	{
		curl_multi_cleanup(http_multi);
		http_multi = NULL;
	}

	free(http_sockets);
	http_sockets = NULL;
	http_nsockets = http_socket_cap = 0;

	if (http_curl_initialized)
	{
		curl_global_cleanup();
		http_curl_initialized = false;
	}
}

/*
 * http_socket_cb
 *		CURLMOPT_SOCKETFUNCTION: record which sockets libcurl wants watched.
 *
 * Runs inside libcurl: must not raise ERROR.  On out of memory it sets
 * http_socket_oom and returns -1, which makes libcurl fail the call.
 */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
			   void *socketp)
{
	int			i;

	for (i = 0; i < http_nsockets; i++)
		if (http_sockets[i].fd == fd)
			break;

	if (what == CURL_POLL_REMOVE)
	{
		if (i < http_nsockets)
			http_sockets[i] = http_sockets[--http_nsockets];
		return 0;
	}

	if (i == http_nsockets)
	{
		if (http_nsockets == http_socket_cap)
		{
			int			newcap = http_socket_cap > 0 ? http_socket_cap * 2 : 16;
			HttpSocket *grown = realloc(http_sockets,
										newcap * sizeof(HttpSocket));

			if (grown == NULL)
			{
				http_socket_oom = true;
				return -1;
			}
			http_sockets = grown;
			http_socket_cap = newcap;
		}
		http_sockets[i].fd = fd;
		http_nsockets++;
	}
	http_sockets[i].what = what;
	return 0;
}

/*
 * http_timer_cb
 *		CURLMOPT_TIMERFUNCTION: remember when libcurl wants to be called.
 *
 * The timer is one-shot: -1 cancels it, otherwise it fires timeout_ms from
 * now.  Runs inside libcurl: must not raise ERROR.
 */
static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	if (timeout_ms < 0)
		http_timer_active = false;
	else
	{
		http_timer_active = true;
		http_timer_deadline = GetCurrentTimestamp() +
			(TimestampTz) timeout_ms * 1000;
	}
	return 0;
}

/*
 * http_run
 *		Start every transfer of the run and drive them until all are done.
 *
 * Called inside HttpPerform's PG_TRY; any ERROR is cleaned up there.
 */
static void
http_run(HttpRequest **requests, HttpResponse *responses, int nrequests)
{
	size_t		max_body = http_max_body_bytes();
	int			remaining = nrequests;

	for (int i = 0; i < nrequests; i++)
	{
		HttpResponse *response = &responses[i];

		if (requests[i] == NULL)
			elog(ERROR, "HTTP request %d is missing", i);

		response->outcome = HTTP_FAILED;
		response->status = 0;
		response->headers = NIL;
		response->error[0] = '\0';
		response->elapsed_ms = 0;
		if (response->body.data == NULL)
			initStringInfo(&response->body);
		else
			resetStringInfo(&response->body);

		http_run_transfers[i].index = i;
		HttpTransferStart(http_multi, &http_run_transfers[i], requests[i],
						  max_body);
	}

	elog(DEBUG2, "mlpredict: performing %d HTTP request(s)", nrequests);

	http_running = nrequests;
	while (remaining > 0)
	{
		long		timeout_ms;

		CHECK_FOR_INTERRUPTS();

		timeout_ms = http_next_timeout();
		if (timeout_ms > 0)
			http_wait_and_act(timeout_ms);
		else
			http_socket_action(CURL_SOCKET_TIMEOUT, 0);

		remaining -= http_collect_finished(requests, responses);

		if (remaining > 0 && http_running == 0)
			elog(ERROR, "libcurl has no running transfers but %d are unfinished",
				 remaining);
	}
}

/*
 * http_next_timeout
 *		Milliseconds until libcurl's timer fires, capped; 0 if it is due.
 */
static long
http_next_timeout(void)
{
	TimestampTz now;
	int64		remaining_us;

	if (!http_timer_active)
		return HTTP_MAX_WAIT_MS;

	now = GetCurrentTimestamp();
	if (now >= http_timer_deadline)
		return 0;

	/* Round up, so that we do not wake up just before the deadline. */
	remaining_us = http_timer_deadline - now;
	return Min((remaining_us + 999) / 1000, HTTP_MAX_WAIT_MS);
}

/*
 * http_wait_and_act
 *		Wait for the latch, postmaster death or a watched socket, then let
 *		libcurl act on what happened.
 *
 * The WaitEventSet is recorded in http_run_wes while it exists, so that
 * PG_FINALLY frees it if CHECK_FOR_INTERRUPTS (or anything else) raises.
 */
static void
http_wait_and_act(long timeout_ms)
{
	int			nevents = http_nsockets + 2;
	WaitEvent  *occurred;
	int			nready;
	bool		acted = false;

	http_run_wes = MlCreateWaitEventSet(nevents);
	AddWaitEventToSet(http_run_wes, WL_LATCH_SET, PGINVALID_SOCKET,
					  MyLatch, NULL);
	AddWaitEventToSet(http_run_wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET,
					  NULL, NULL);
	for (int i = 0; i < http_nsockets; i++)
	{
		uint32		events = 0;

		if (http_sockets[i].what & CURL_POLL_IN)
			events |= WL_SOCKET_READABLE;
		if (http_sockets[i].what & CURL_POLL_OUT)
			events |= WL_SOCKET_WRITEABLE;
		if (events != 0)
			AddWaitEventToSet(http_run_wes, events,
							  (pgsocket) http_sockets[i].fd, NULL, NULL);
	}

	occurred = palloc(nevents * sizeof(WaitEvent));
	nready = WaitEventSetWait(http_run_wes, timeout_ms, occurred, nevents,
							  http_wait_event());
	FreeWaitEventSet(http_run_wes);
	http_run_wes = NULL;

	for (int i = 0; i < nready; i++)
		if (occurred[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);

	CHECK_FOR_INTERRUPTS();

	for (int i = 0; i < nready; i++)
	{
		int			flags = 0;

		if (occurred[i].events & WL_SOCKET_READABLE)
			flags |= CURL_CSELECT_IN;
		if (occurred[i].events & WL_SOCKET_WRITEABLE)
			flags |= CURL_CSELECT_OUT;
		if (flags != 0)
		{
			http_socket_action((curl_socket_t) occurred[i].fd, flags);
			acted = true;
		}
	}
	pfree(occurred);

	/*
	 * No socket was ready: the wait timed out, or only the latch was set.
	 * Running libcurl's timer early is harmless; it re-arms it.
	 */
	if (!acted)
		http_socket_action(CURL_SOCKET_TIMEOUT, 0);
}

/*
 * http_socket_action
 *		Let libcurl act on one ready socket, or on its timer.
 *
 * Raises ERROR if libcurl itself fails (not for transfer failures, which
 * are reported per transfer).
 */
static void
http_socket_action(curl_socket_t fd, int flags)
{
	CURLMcode	rc;

	if (fd == CURL_SOCKET_TIMEOUT)
	{
		/* One-shot timer: libcurl re-arms it if it still needs it. */
		http_timer_active = false;
	}
	else
	{
		int			i;

		/* An earlier action of this pass may have closed the socket. */
		for (i = 0; i < http_nsockets; i++)
			if (http_sockets[i].fd == fd)
				break;
		if (i == http_nsockets)
			return;
	}

	http_socket_oom = false;
	rc = curl_multi_socket_action(http_multi, fd, flags, &http_running);

	if (http_socket_oom || rc == CURLM_OUT_OF_MEMORY)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Failed while performing HTTP requests."));
	if (rc != CURLM_OK && rc != CURLM_BAD_SOCKET)
		ereport(ERROR,
				errcode(ERRCODE_INTERNAL_ERROR),
				errmsg("could not perform HTTP requests"),
				errdetail_internal("%s", curl_multi_strerror(rc)));
}

/*
 * http_collect_finished
 *		Fill in the responses of the transfers libcurl reports as done.
 *
 * Each finished easy handle is removed from the multi handle at once.
 * Returns the number of transfers finished.
 */
static int
http_collect_finished(HttpRequest **requests, HttpResponse *responses)
{
	CURLMsg    *msg;
	int			msgs_left;
	int			finished = 0;

	while ((msg = curl_multi_info_read(http_multi, &msgs_left)) != NULL)
	{
		char	   *priv = NULL;
		HttpTransfer *t;
		CURLcode	rc;

		if (msg->msg != CURLMSG_DONE)
			continue;

		/* msg is invalid once its handle has been removed. */
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		t = (HttpTransfer *) priv;
		if (t == NULL || t->done)
			continue;

		curl_multi_remove_handle(http_multi, t->easy);
		t->in_multi = false;
		t->done = true;

		HttpTransferFinish(t, rc, &responses[t->index]);
		HttpTransferLogResult(requests[t->index], &responses[t->index]);
		finished++;
	}
	return finished;
}

/*
 * http_release_run
 *		Remove every easy handle of the current run from the multi handle,
 *		return it to the free list and free the run's malloc'd memory.
 *
 * Never raises ERROR.  free_wes is false at process exit, when the
 * WaitEventSet has already been released with the transaction.
 */
static void
http_release_run(bool free_wes)
{
	if (http_run_wes != NULL && free_wes)
		FreeWaitEventSet(http_run_wes);
	http_run_wes = NULL;

	if (http_run_transfers == NULL)
		return;

	for (int i = 0; i < http_run_count; i++)
		HttpTransferRelease(http_multi, &http_run_transfers[i]);

	free(http_run_transfers);
	http_run_transfers = NULL;
	http_run_count = 0;
}

/*
 * http_wait_event
 *		The wait event shown in pg_stat_activity while waiting for HTTP.
 */
static uint32
http_wait_event(void)
{
	if (http_wait_event_info == 0)
		http_wait_event_info = MlWaitEventExtensionNew("MlpredictHttp");
	return http_wait_event_info;
}

/*
 * http_max_body_bytes
 *		The body size limit from mlpredict.max_response_size, in bytes,
 *		capped so the body still fits in a StringInfo.
 */
static size_t
http_max_body_bytes(void)
{
	size_t		limit = MaxAllocSize - 1;

	if (mlpredict_max_response_size > 0 &&
		(size_t) mlpredict_max_response_size < limit / 1024)
		limit = (size_t) mlpredict_max_response_size * 1024;
	return limit;
}
