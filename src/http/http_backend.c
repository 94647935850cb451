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
 * Memory.  libcurl callbacks must never raise an ERROR: a longjmp through
 * libcurl would leave it in an undefined state.  The callbacks therefore
 * use only malloc'd memory (the HttpTransfer structs, their body and
 * header buffers, the socket table) and report failure to libcurl through
 * their return value; the caller raises the ERROR, if any, after libcurl
 * has returned.  Bodies and headers are copied into palloc'd memory in the
 * caller's CurrentMemoryContext once a transfer has finished.  Nothing
 * libcurl holds a pointer to lives in palloc'd memory except the request
 * bodies passed with CURLOPT_POSTFIELDS, which the caller keeps valid for
 * the duration of HttpPerform.
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
#if PG_VERSION_NUM >= 140000
#include "utils/wait_event.h"
#else
#include "pgstat.h"
#endif
#if PG_VERSION_NUM >= 170000
#include "utils/resowner.h"
#endif

#include "http/http.h"
#include "mlpredict.h"

#if LIBCURL_VERSION_NUM < 0x074400
#error "mlpredict requires libcurl 7.68.0 or later"
#endif

#ifndef MLPREDICT_VERSION
#error "MLPREDICT_VERSION must be defined by the build"
#endif

#if PG_VERSION_NUM < 140000
#define message_level_is_interesting(elevel) true
#endif

/* Connections the multi handle keeps open for reuse. */
#define HTTP_MAX_CONNECTS		64L

/* Reset easy handles kept for reuse. */
#define HTTP_MAX_FREE_EASY		64

/* Longest single wait; bounds the damage of a lost curl timer. */
#define HTTP_MAX_WAIT_MS		1000L

/* Limit on the response header block of one response. */
#define HTTP_MAX_HEADER_BYTES	(256 * 1024)

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
	HTTP_ABORT_OUT_OF_MEMORY
} HttpAbort;

/*
 * One transfer of a run.  Lives in malloc'd memory because libcurl and its
 * callbacks write into it (errbuf, body, head, abort).
 */
typedef struct HttpTransfer
{
	CURL	   *easy;			/* NULL until set up */
	struct curl_slist *headers; /* request headers, owned */
	int			index;			/* into requests[] / responses[] */
	bool		in_multi;		/* added to http_multi, not yet removed */
	bool		done;			/* result collected */
	size_t		max_body;		/* body size limit in bytes */
	HttpBuffer	body;			/* response body so far */
	HttpBuffer	head;			/* raw header lines of the last response */
	HttpAbort	abort;
	char		errbuf[CURL_ERROR_SIZE];
} HttpTransfer;

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
static CURL *http_free_easy[HTTP_MAX_FREE_EASY];
static int	http_nfree_easy = 0;

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

#if PG_VERSION_NUM >= 170000
static uint32 http_wait_event_info = 0;
#endif

static void http_ensure_multi(void);
static void http_proc_exit(int code, Datum arg);
static int	http_socket_cb(CURL *easy, curl_socket_t fd, int what,
						   void *userp, void *socketp);
static int	http_timer_cb(CURLM *multi, long timeout_ms, void *userp);
static size_t http_write_cb(char *ptr, size_t size, size_t nmemb,
							void *userdata);
static size_t http_header_cb(char *ptr, size_t size, size_t nitems,
							 void *userdata);
static HttpAbort http_buffer_append(HttpBuffer *buf, const char *data,
									size_t len, size_t limit,
									HttpAbort too_large);
static CURL *http_easy_get(void);
static void http_easy_put(CURL *easy);
static void http_start_transfer(HttpTransfer *t, const HttpRequest *request,
								size_t max_body);
static void http_set_options(HttpTransfer *t, const HttpRequest *request);
static void http_set_method(CURL *easy, const HttpRequest *request);
static struct curl_slist *http_build_headers(HttpTransfer *t,
											 const HttpRequest *request);
static void http_run(HttpRequest **requests, HttpResponse *responses,
					 int nrequests);
static long http_next_timeout(void);
static void http_wait_and_act(long timeout_ms);
static void http_socket_action(curl_socket_t fd, int flags);
static int	http_collect_finished(HttpRequest **requests,
								  HttpResponse *responses);
static void http_finish_response(HttpTransfer *t, CURLcode rc,
								 HttpResponse *response);
static List *http_parse_headers(const char *data, size_t len);
static void http_log_result(const HttpRequest *request,
							const HttpResponse *response);
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
 * HttpResponseHeader
 *		Case-insensitive lookup of a response header; NULL if absent.
 */
const char *
HttpResponseHeader(const HttpResponse *response, const char *name)
{
	ListCell   *lc;

	if (response == NULL || name == NULL)
		return NULL;

	foreach(lc, response->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);

		if (pg_strcasecmp(header->name, name) == 0)
			return header->value;
	}
	return NULL;
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

	while (http_nfree_easy > 0)
		curl_easy_cleanup(http_free_easy[--http_nfree_easy]);

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
 * http_buffer_append
 *		Append len bytes to a malloc'd buffer of at most limit bytes.
 *
 * Returns HTTP_ABORT_NONE on success, too_large when the limit would be
 * exceeded, HTTP_ABORT_OUT_OF_MEMORY when realloc fails.  Safe inside
 * libcurl callbacks.
 */
static HttpAbort
http_buffer_append(HttpBuffer *buf, const char *data, size_t len,
				   size_t limit, HttpAbort too_large)
{
	if (len > limit || buf->len > limit - len)
		return too_large;

	if (buf->len + len > buf->cap)
	{
		size_t		newcap = buf->cap > 0 ? buf->cap : 8192;
		char	   *grown;

		while (newcap < buf->len + len)
			newcap *= 2;
		if (newcap > limit)
			newcap = limit;
		grown = realloc(buf->data, newcap);
		if (grown == NULL)
			return HTTP_ABORT_OUT_OF_MEMORY;
		buf->data = grown;
		buf->cap = newcap;
	}
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	return HTTP_ABORT_NONE;
}

/*
 * http_write_cb
 *		CURLOPT_WRITEFUNCTION: collect the body, up to the size limit.
 *
 * Returning less than the bytes offered makes libcurl abort the transfer
 * with CURLE_WRITE_ERROR; the reason is kept in the transfer.
 */
static size_t
http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		len = size * nmemb;

	t->abort = http_buffer_append(&t->body, ptr, len, t->max_body,
								  HTTP_ABORT_BODY_TOO_LARGE);
	return t->abort == HTTP_ABORT_NONE ? len : 0;
}

/*
 * http_header_cb
 *		CURLOPT_HEADERFUNCTION: collect the raw header lines.
 *
 * A status line starts a new response (after 100 Continue, a proxy's
 * CONNECT reply, ...), so the lines collected so far are discarded.  The
 * lines are parsed after the transfer, outside the callback.
 */
static size_t
http_header_cb(char *ptr, size_t size, size_t nitems, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		len = size * nitems;

	if (len >= 5 && memcmp(ptr, "HTTP/", 5) == 0)
		t->head.len = 0;

	t->abort = http_buffer_append(&t->head, ptr, len, HTTP_MAX_HEADER_BYTES,
								  HTTP_ABORT_HEADERS_TOO_LARGE);
	return t->abort == HTTP_ABORT_NONE ? len : 0;
}

/*
 * http_easy_get
 *		Take an easy handle from the free list, or create one.
 */
static CURL *
http_easy_get(void)
{
	CURL	   *easy;

	if (http_nfree_easy > 0)
		return http_free_easy[--http_nfree_easy];

	easy = curl_easy_init();
	if (easy == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Could not create a libcurl easy handle."));
	return easy;
}

/*
 * http_easy_put
 *		Reset an easy handle (not in the multi handle) and keep it for reuse.
 *
 * Never raises ERROR; safe in PG_FINALLY and at process exit.
 */
static void
http_easy_put(CURL *easy)
{
	if (http_nfree_easy < HTTP_MAX_FREE_EASY && http_multi != NULL)
	{
		curl_easy_reset(easy);
		http_free_easy[http_nfree_easy++] = easy;
	}
	else
		curl_easy_cleanup(easy);
}

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

/*
 * http_start_transfer
 *		Set up an easy handle for one request and add it to the multi handle.
 *
 * May raise ERROR; whatever was set up so far is recorded in *t and is
 * released by http_release_run.
 */
static void
http_start_transfer(HttpTransfer *t, const HttpRequest *request,
					size_t max_body)
{
	CURLMcode	mrc;

	if (request->url == NULL || request->method == NULL)
		elog(ERROR, "HTTP request without URL or method");

	t->easy = http_easy_get();
	t->max_body = max_body;

	http_set_options(t, request);
	http_set_method(t->easy, request);

	t->headers = http_build_headers(t, request);
	HTTP_SETOPT(t->easy, CURLOPT_HTTPHEADER, t->headers);

	mrc = curl_multi_add_handle(http_multi, t->easy);
	if (mrc != CURLM_OK)
		ereport(ERROR,
				errcode(ERRCODE_INTERNAL_ERROR),
				errmsg("could not start HTTP request"),
				errdetail_internal("%s", curl_multi_strerror(mrc)));
	t->in_multi = true;
}

/*
 * http_set_options
 *		Set the options every transfer gets: URL, callbacks, security,
 *		timeouts, protocol versions.  Raises ERROR if a required option
 *		cannot be set.
 */
static void
http_set_options(HttpTransfer *t, const HttpRequest *request)
{
	CURL	   *easy = t->easy;
	long		timeout_ms = request->timeout_ms;
	long		connect_ms = request->connect_timeout_ms;

	if (timeout_ms <= 0)
		timeout_ms = (long) mlpredict_client_timeout * 1000L;
	if (connect_ms <= 0)
		connect_ms = mlpredict_connect_timeout;

	HTTP_SETOPT(easy, CURLOPT_PRIVATE, (void *) t);
	HTTP_SETOPT(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	HTTP_SETOPT(easy, CURLOPT_URL, request->url);
	HTTP_SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	HTTP_SETOPT(easy, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	HTTP_SETOPT(easy, CURLOPT_PROTOCOLS_STR,
				request->allow_http ? "http,https" : "https");
#else
	HTTP_SETOPT(easy, CURLOPT_PROTOCOLS,
				request->allow_http ? (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS) :
				(long) CURLPROTO_HTTPS);
#endif
	HTTP_SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_SETOPT(easy, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 0L);
	HTTP_SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms > 0 ? connect_ms : 0L);
	HTTP_SETOPT(easy, CURLOPT_USERAGENT, "mlpredict/" MLPREDICT_VERSION);
	HTTP_SETOPT(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) t->max_body);
	HTTP_SETOPT(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	HTTP_SETOPT(easy, CURLOPT_WRITEDATA, (void *) t);
	HTTP_SETOPT(easy, CURLOPT_HEADERFUNCTION, http_header_cb);
	HTTP_SETOPT(easy, CURLOPT_HEADERDATA, (void *) t);

	/* Optimisations: failure (e.g. libcurl built without HTTP/2) is fine. */
	(void) curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
							(long) CURL_HTTP_VERSION_2TLS);
	(void) curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	(void) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");

	/*
	 * Over TLS, let a new transfer wait for a connection that is still being
	 * set up to learn through ALPN whether it can multiplex, rather than
	 * opening a connection of its own: a batch to an HTTP/2 provider then
	 * shares one connection.  Not for cleartext, where HTTP/2 is never
	 * offered but the wait would last until the first response arrives.
	 */
	if (pg_strncasecmp(request->url, "https://", 8) == 0)
		(void) curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
}

/*
 * http_set_method
 *		Set the request method and, for anything but GET, the body, sent
 *		with exactly body_len bytes.  The body is not copied: it must stay
 *		valid until the transfer is done.
 */
static void
http_set_method(CURL *easy, const HttpRequest *request)
{
	if (strcmp(request->method, "GET") == 0)
	{
		HTTP_SETOPT(easy, CURLOPT_HTTPGET, 1L);
		return;
	}

	if (strcmp(request->method, "POST") == 0)
		HTTP_SETOPT(easy, CURLOPT_POST, 1L);
	else
		HTTP_SETOPT(easy, CURLOPT_CUSTOMREQUEST, request->method);
	HTTP_SETOPT(easy, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t) request->body_len);
	HTTP_SETOPT(easy, CURLOPT_POSTFIELDS,
				request->body != NULL ? request->body : "");
}

/*
 * http_build_headers
 *		Build the request header list, plus an empty "Expect:".
 *
 * The list is stored in t->headers as it grows, so it is freed even when
 * this raises ERROR.  Header values are never included in messages.
 */
static struct curl_slist *
http_build_headers(HttpTransfer *t, const HttpRequest *request)
{
	ListCell   *lc;
	struct curl_slist *grown;

	foreach(lc, request->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);
		const char *value = header->value != NULL ? header->value : "";
		char	   *line;

		if (header->name == NULL || header->name[0] == '\0' ||
			strpbrk(header->name, ":\r\n \t") != NULL)
			ereport(ERROR,
					errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("invalid HTTP header name \"%s\"",
						   header->name != NULL ? header->name : ""));
		if (strpbrk(value, "\r\n") != NULL)
			ereport(ERROR,
					errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("invalid value for HTTP header \"%s\"", header->name),
					errdetail("Header values must not contain line breaks."));

		/* "Name;" is libcurl's spelling of a header with an empty value. */
		if (value[0] == '\0')
			line = psprintf("%s;", header->name);
		else
			line = psprintf("%s: %s", header->name, value);
		grown = curl_slist_append(t->headers, line);
		explicit_bzero(line, strlen(line));
		pfree(line);
		if (grown == NULL)
			ereport(ERROR,
					errcode(ERRCODE_OUT_OF_MEMORY),
					errmsg("out of memory"));
		t->headers = grown;
	}

	/* Suppress "Expect: 100-continue" and its round trip. */
	grown = curl_slist_append(t->headers, "Expect:");
	if (grown == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	return grown;
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
		http_start_transfer(&http_run_transfers[i], requests[i], max_body);
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

#if PG_VERSION_NUM >= 170000
	http_run_wes = CreateWaitEventSet(CurrentResourceOwner, nevents);
#else
	http_run_wes = CreateWaitEventSet(CurrentMemoryContext, nevents);
#endif
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

		http_finish_response(t, rc, &responses[t->index]);
		http_log_result(requests[t->index], &responses[t->index]);
		finished++;
	}
	return finished;
}

/*
 * http_finish_response
 *		Map a finished transfer to its HttpResponse.
 *
 * The body and headers are copied into the caller's memory context only for
 * HTTP_OK; other outcomes have an empty body, no headers and status 0.
 * Raises ERROR if a callback ran out of memory.
 */
static void
http_finish_response(HttpTransfer *t, CURLcode rc, HttpResponse *response)
{
	curl_off_t	total_us = 0;

	if (t->abort == HTTP_ABORT_OUT_OF_MEMORY)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Failed while receiving an HTTP response."));

	if (curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK)
		response->elapsed_ms = (double) total_us / 1000.0;

	switch (rc)
	{
		case CURLE_OK:
			response->outcome = HTTP_OK;
			break;
		case CURLE_OPERATION_TIMEDOUT:
			response->outcome = HTTP_TIMEOUT;
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PEER_FAILED_VERIFICATION:
			response->outcome = HTTP_CONNECT_FAILED;
			break;
		case CURLE_FILESIZE_EXCEEDED:
			response->outcome = HTTP_TOO_LARGE;
			break;
		case CURLE_WRITE_ERROR:
			response->outcome = t->abort != HTTP_ABORT_NONE ?
				HTTP_TOO_LARGE : HTTP_FAILED;
			break;
		default:
			response->outcome = HTTP_FAILED;
			break;
	}

	if (response->outcome == HTTP_OK)
	{
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &response->status);
		enlargeStringInfo(&response->body, (int) t->body.len);
		appendBinaryStringInfo(&response->body,
							   t->body.data != NULL ? t->body.data : "",
							   (int) t->body.len);
		response->headers = http_parse_headers(t->head.data, t->head.len);
		response->error[0] = '\0';
	}
	else if (response->outcome == HTTP_TOO_LARGE &&
			 t->abort == HTTP_ABORT_HEADERS_TOO_LARGE)
		snprintf(response->error, sizeof(response->error),
				 "response headers exceed %d kB", HTTP_MAX_HEADER_BYTES / 1024);
	else if (response->outcome == HTTP_TOO_LARGE)
		snprintf(response->error, sizeof(response->error),
				 "response body exceeds %zu bytes (mlpredict.max_response_size)",
				 t->max_body);
	else
	{
		size_t		len;

		strlcpy(response->error,
				t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc),
				sizeof(response->error));
		len = strlen(response->error);
		while (len > 0 && strchr(" \t\r\n", response->error[len - 1]) != NULL)
			response->error[--len] = '\0';
	}

	/* The raw data is no longer needed; free it before the run ends. */
	free(t->body.data);
	free(t->head.data);
	memset(&t->body, 0, sizeof(HttpBuffer));
	memset(&t->head, 0, sizeof(HttpBuffer));
}

/*
 * http_parse_headers
 *		Turn raw header lines into a List of HttpHeader, names lower-cased
 *		and values trimmed, in the current memory context.
 *
 * Status lines and blank lines are skipped; an obsolete folded line
 * (starting with white space) continues the previous header's value.
 */
static List *
http_parse_headers(const char *data, size_t len)
{
	List	   *headers = NIL;
	HttpHeader *last = NULL;
	const char *p = data;
	const char *end;

	if (data == NULL)
		return NIL;

	end = data + len;
	while (p < end)
	{
		const char *eol = memchr(p, '\n', end - p);
		const char *next = eol != NULL ? eol + 1 : end;
		const char *lend = eol != NULL ? eol : end;
		const char *colon;
		const char *vstart;

		while (lend > p && (lend[-1] == '\r' || lend[-1] == ' ' || lend[-1] == '\t'))
			lend--;

		if (lend == p || (lend - p >= 5 && memcmp(p, "HTTP/", 5) == 0))
			last = NULL;
		else if ((*p == ' ' || *p == '\t') && last != NULL)
		{
			while (p < lend && (*p == ' ' || *p == '\t'))
				p++;
			last->value = psprintf("%s %.*s", last->value, (int) (lend - p), p);
		}
		else if ((colon = memchr(p, ':', lend - p)) != NULL && colon > p)
		{
			const char *nend = colon;

			while (nend > p && (nend[-1] == ' ' || nend[-1] == '\t'))
				nend--;
			vstart = colon + 1;
			while (vstart < lend && (*vstart == ' ' || *vstart == '\t'))
				vstart++;

			last = palloc(sizeof(HttpHeader));
			last->name = pnstrdup(p, nend - p);
			for (char *c = last->name; *c; c++)
				*c = pg_ascii_tolower((unsigned char) *c);
			last->value = pnstrdup(vstart, lend - vstart);
			last->secret = false;
			headers = lappend(headers, last);
		}
		else
			last = NULL;

		p = next;
	}
	return headers;
}

/*
 * http_outcome_name
 *		Short name of an outcome, for debug messages.
 */
static const char *
http_outcome_name(HttpOutcome outcome)
{
	switch (outcome)
	{
		case HTTP_OK:
			return "ok";
		case HTTP_TIMEOUT:
			return "timeout";
		case HTTP_CONNECT_FAILED:
			return "connect failed";
		case HTTP_TOO_LARGE:
			return "too large";
		case HTTP_FAILED:
			return "failed";
	}
	return "unknown";
}

/*
 * http_log_result
 *		DEBUG2 line for one finished request: method, scheme, host, port,
 *		path and outcome.  Never the query string, user info, headers or
 *		bodies, which may carry secrets.
 */
static void
http_log_result(const HttpRequest *request, const HttpResponse *response)
{
	CURLU	   *url;
	char	   *parts[4] = {NULL, NULL, NULL, NULL};
	static const CURLUPart which[4] = {
		CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT, CURLUPART_PATH
	};
	char	   *where;

	if (!message_level_is_interesting(DEBUG2))
		return;

	url = curl_url();
	if (url != NULL &&
		curl_url_set(url, CURLUPART_URL, request->url,
					 CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
	{
		for (int i = 0; i < 4; i++)
			(void) curl_url_get(url, which[i], &parts[i], 0);
	}

	/* Copy to palloc'd memory first, so that nothing leaks if elog fails. */
	where = psprintf("%s://%s%s%s%s",
					 parts[0] ? parts[0] : "?",
					 parts[1] ? parts[1] : "?",
					 parts[2] ? ":" : "",
					 parts[2] ? parts[2] : "",
					 parts[3] ? parts[3] : "");
	for (int i = 0; i < 4; i++)
		curl_free(parts[i]);
	curl_url_cleanup(url);

	elog(DEBUG2, "mlpredict: HTTP %s %s: %s, status %ld, %.1f ms%s%s",
		 request->method, where, http_outcome_name(response->outcome),
		 response->status, response->elapsed_ms,
		 response->error[0] ? ": " : "", response->error);
	pfree(where);
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
	{
		HttpTransfer *t = &http_run_transfers[i];

		if (t->easy != NULL)
		{
			if (t->in_multi && http_multi != NULL)
				curl_multi_remove_handle(http_multi, t->easy);
			http_easy_put(t->easy);
		}
		curl_slist_free_all(t->headers);
		free(t->body.data);
		free(t->head.data);
	}

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
#if PG_VERSION_NUM >= 170000
	if (http_wait_event_info == 0)
		http_wait_event_info = WaitEventExtensionNew("MlpredictHttp");
	return http_wait_event_info;
#else
	return PG_WAIT_EXTENSION;
#endif
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
