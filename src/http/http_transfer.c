/*-------------------------------------------------------------------------
 *
 * http_transfer.c
 *	  One HTTP transfer of the in-backend engine: setting up its libcurl
 *	  easy handle, collecting the response in libcurl's callbacks, and
 *	  turning the result into an HttpResponse.
 *
 * Easy handles are kept configured on a free list for reuse (HttpEasy):
 * the options every transfer gets are set once, when the handle is made,
 * and a reused handle gets only what differs from its last transfer: the
 * per-transfer pointers and numbers (cheap), and the URL, the protocols,
 * the CA bundle, the method and the header list only when they changed
 * (copying and parsing strings, and building a header list, is what
 * curl_easy_reset plus a full set-up cost per request).  A handle whose
 * header list matches the request's is preferred.  The header lists hold
 * credentials: they are wiped when replaced or freed.  The multi handle
 * that drives the handles, and the wait, are in http_engine.c.
 *
 * Security settings every transfer gets: the endpoint policy's
 * open-socket callback (endpoint_policy.c), no proxy (not even one named
 * by http_proxy/https_proxy/all_proxy in the server's environment, which
 * could carry requests past that check), http and https only, redirects
 * never followed, TLS peers and host names always verified, against
 * mlpredict.ca_bundle when it is set.  Nothing can turn verification off.
 *
 * Memory.  libcurl callbacks must never raise an ERROR: a longjmp through
 * libcurl would leave it in an undefined state.  The callbacks therefore
 * use only malloc'd memory (the HttpTransfer structs, their body and
 * header buffers) and report failure to libcurl through their return
 * value; the caller raises the ERROR, if any, after libcurl has returned.
 * Bodies and headers are copied into palloc'd memory in the caller's
 * CurrentMemoryContext once a transfer has finished.  Nothing libcurl
 * holds a pointer to lives in palloc'd memory except the request bodies
 * passed with CURLOPT_POSTFIELDS, which the caller keeps valid until the
 * transfer is removed.
 *
 * Buffer budget.  Request bodies and the capacity of response body
 * buffers are counted while their transfer runs (HttpBuffered); with a
 * budget set (the pool worker's mlpredict.pool_max_buffered_bytes), a
 * body that would grow the total past it pauses its transfer, and a body
 * larger than the whole budget fails the transfer (see http_internal.h).
 *
 * IDENTIFICATION
 *	  src/http/http_transfer.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "compat.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "mlpredict.h"

#ifndef MLPREDICT_VERSION
#error "MLPREDICT_VERSION must be defined by the build"
#endif

/* Configured easy handles kept for reuse (at least the requests in flight). */
#define HTTP_MAX_FREE_EASY		256

/* Handles of the free list compared with a request for a matching header list. */
#define HTTP_EASY_SCAN			8

/* Limit on the response header block of one response. */
#define HTTP_MAX_HEADER_BYTES	(256 * 1024)

/*
 * A kept easy handle and what was last set on it that is costly to set
 * again (malloc'd copies, compared with the next request's).
 */
struct HttpEasy
{
	CURL	   *easy;
	struct curl_slist *headers; /* the request headers, with "Expect:" */
	char	   *url;
	char	   *ca_bundle;		/* "" for the system's store */
	char	   *custom_method;	/* NULL: none set */
	int			allow_http;		/* -1: not set yet */
	bool		used;			/* has carried a transfer */
	HttpBuffer	spare;			/* a body buffer kept for its next transfer */
	HttpBuffer	head_spare;		/* a header buffer kept likewise */
};

/* Body buffers up to this size are kept with their handle for reuse. */
#define HTTP_SPARE_BODY_MAX		(64 * 1024)
/* Header buffers likewise (a response's headers are a few hundred bytes) */
#define HTTP_SPARE_HEAD_MAX		(16 * 1024)

/*
 * The process's share of TLS sessions and DNS answers among its easy
 * handles (one thread: no lock callbacks), made on first use.  Without
 * it each handle resumes only the TLS sessions it negotiated itself, so
 * a new connection mostly pays a full handshake.  Connections are not
 * shared here: the multi handle's cache keeps them.
 */
static CURLSH *http_share = NULL;

/* Per-process free list of configured easy handles. */
static HttpEasy *http_free_easy[HTTP_MAX_FREE_EASY];
static int	http_nfree_easy = 0;

/* Who closes the handles' sockets (the engine: see HttpTransferSetCloser) */
static curl_closesocket_callback http_closer = NULL;
static void *http_closer_data = NULL;

/* The buffer budget (see http_internal.h): limit, total and its peak. */
static size_t http_budget = 0;
static size_t http_buffered = 0;
static size_t http_buffered_peak = 0;

static size_t http_write_cb(char *ptr, size_t size, size_t nmemb,
							void *userdata);
static size_t http_header_cb(char *ptr, size_t size, size_t nitems,
							 void *userdata);
static HttpAbort http_buffer_append(HttpBuffer *buf, const char *data,
									size_t len, size_t limit,
									HttpAbort too_large);
static size_t http_buffer_newcap(const HttpBuffer *buf, size_t len,
								 size_t limit);
static void http_count(HttpTransfer *t, size_t bytes);
static void http_uncount(HttpTransfer *t);
static HttpEasy *http_easy_get(const HttpRequest *request);
static HttpEasy *http_easy_new(void);
static void http_easy_put(CURLM *multi, HttpEasy *h);
static void http_easy_free(HttpEasy *h);
static void http_easy_configure(CURL *easy);
static void http_share_attach(CURL *easy);
static bool http_set_string(CURL *easy, CURLoption option, char **kept,
							const char *value);
static void http_set_options(HttpTransfer *t, const HttpRequest *request);
static void http_set_method(HttpEasy *h, const HttpRequest *request);
static bool http_headers_match(const struct curl_slist *list,
							   const HttpRequest *request);
static void http_set_headers(HttpEasy *h, const HttpRequest *request);
static void http_slist_wipe(struct curl_slist *list);
static void http_body_lend(HttpTransfer *t);
static void http_body_return(HttpTransfer *t);
static List *http_parse_headers(const char *block, size_t len);
static char *skip_blank(char *p, char *end);
static char *trim_end(char *p, char *end);

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
		size_t		newcap = http_buffer_newcap(buf, len, limit);
		char	   *grown;

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
 * http_buffer_newcap
 *		The capacity a buffer grows to for len more bytes (at most limit,
 *		which the caller has checked is room enough).
 */
static size_t
http_buffer_newcap(const HttpBuffer *buf, size_t len, size_t limit)
{
	size_t		newcap = buf->cap > 0 ? buf->cap : 8192;

	if (buf->len + len <= buf->cap)
		return buf->cap;
	while (newcap < buf->len + len)
		newcap *= 2;
	return Min(newcap, limit);
}

/*
 * http_write_cb
 *		CURLOPT_WRITEFUNCTION: collect the body, up to the size limit and
 *		within the buffer budget.
 *
 * Returning less than the bytes offered makes libcurl abort the transfer
 * with CURLE_WRITE_ERROR; the reason is kept in the transfer.  Returning
 * CURL_WRITEFUNC_PAUSE pauses it: libcurl keeps the bytes and offers them
 * again after HttpTransferResume.  A transfer is paused only while other
 * memory is counted, which will be freed, so it cannot wait for itself.
 */
static size_t
http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *t = (HttpTransfer *) userdata;
	size_t		len = size * nmemb;
	size_t		limit = t->max_body;
	size_t		oldcap = t->body.cap;
	HttpAbort	too_large = HTTP_ABORT_BODY_TOO_LARGE;

	if (http_budget > 0)
	{
		size_t		request = t->counted - oldcap;
		size_t		room = http_budget > request ? http_budget - request : 0;
		size_t		growth;

		if (room < limit)
		{
			limit = room;
			too_large = HTTP_ABORT_OVER_BUDGET;
		}
		if (len > limit || t->body.len > limit - len)
		{
			t->abort = too_large;
			return 0;
		}
		growth = http_buffer_newcap(&t->body, len, limit) - oldcap;
		if (growth > 0 && http_buffered + growth > http_budget &&
			http_buffered > t->counted)
		{
			t->paused = true;
			return CURL_WRITEFUNC_PAUSE;
		}
	}
	t->abort = http_buffer_append(&t->body, ptr, len, limit, too_large);
	if (t->body.cap > oldcap)
		http_count(t, t->body.cap - oldcap);
	return t->abort == HTTP_ABORT_NONE ? len : 0;
}

/*
 * http_count / http_uncount
 *		Add bytes held by a transfer to the budget's total; give back all
 *		it holds.  Safe inside libcurl callbacks.
 */
static void
http_count(HttpTransfer *t, size_t bytes)
{
	t->counted += bytes;
	http_buffered += bytes;
	if (http_buffered > http_buffered_peak)
		http_buffered_peak = http_buffered;
}

static void
http_uncount(HttpTransfer *t)
{
	http_buffered -= Min(t->counted, http_buffered);
	t->counted = 0;
}

/*
 * HttpBufferSetBudget ... HttpBufferedPeak
 *		See http_internal.h.
 */
void
HttpBufferSetBudget(size_t bytes)
{
	http_budget = bytes;
}

size_t
HttpBufferBudget(void)
{
	return http_budget;
}

/*
 * HttpBufferAdmits
 *		Whether a new transfer holding bytes may start: always when nothing
 *		is counted (so that one request can always run), else when it fits.
 */
bool
HttpBufferAdmits(size_t bytes)
{
	return http_budget == 0 || http_buffered == 0 ||
		http_buffered + bytes < http_budget;
}

void
HttpBufferAdjust(ssize_t delta)
{
	if (delta < 0)
		http_buffered -= Min((size_t) -delta, http_buffered);
	else
	{
		http_buffered += (size_t) delta;
		if (http_buffered > http_buffered_peak)
			http_buffered_peak = http_buffered;
	}
}

size_t
HttpBuffered(void)
{
	return http_buffered;
}

size_t
HttpBufferedPeak(void)
{
	return http_buffered_peak;
}

/*
 * HttpTransferResume
 *		Let a transfer the budget paused go on; libcurl offers the held
 *		bytes again at once, and the write callback may pause it again.
 *		Not to be called from a libcurl callback.  Never raises ERROR.
 */
void
HttpTransferResume(HttpTransfer *t)
{
	if (!t->paused || t->easy == NULL)
		return;
	t->paused = false;
	(void) curl_easy_pause(t->easy, CURLPAUSE_CONT);
}

/*
 * http_header_cb
 *		CURLOPT_HEADERFUNCTION: keep the header lines of one response (and
 *		its trailers) in t->head, to HTTP_MAX_HEADER_BYTES, as libcurl hands
 *		them over (for HTTP/2 too, as "name: value" lines); they are taken
 *		apart after the transfer (http_parse_headers).  Copying the lines
 *		costs less than asking libcurl for each header afterwards
 *		(curl_easy_nextheader compares every stored name with the one it
 *		looks for), which was 3% of the pool worker's CPU per request.
 *
 * A status line starts a new response (after 100 Continue, a proxy's
 * CONNECT reply, ...), so the block starts again.
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
 *		A configured easy handle from the free list (one whose header list
 *		matches the request's if one of the last few does), or a new one.
 */
static HttpEasy *
http_easy_get(const HttpRequest *request)
{
	HttpEasy   *h;
	int			pick = http_nfree_easy - 1;

	if (http_nfree_easy == 0)
		return http_easy_new();
	for (int i = http_nfree_easy - 1;
		 i >= 0 && i >= http_nfree_easy - HTTP_EASY_SCAN; i--)
	{
		if (http_headers_match(http_free_easy[i]->headers, request))
		{
			pick = i;
			break;
		}
	}
	h = http_free_easy[pick];
	http_free_easy[pick] = http_free_easy[--http_nfree_easy];
	return h;
}

/*
 * http_easy_new
 *		A new easy handle with the options every transfer gets.  Raises
 *		ERROR on out of memory or if a required option cannot be set.
 */
static HttpEasy *
http_easy_new(void)
{
	HttpEasy   *h = calloc(1, sizeof(HttpEasy));

	if (h != NULL)
		h->easy = curl_easy_init();
	if (h == NULL || h->easy == NULL)
	{
		free(h);
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Could not create a libcurl easy handle."));
	}
	h->allow_http = -1;
	PG_TRY();
	{
		http_easy_configure(h->easy);
	}
	PG_CATCH();
	{
		http_easy_free(h);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return h;
}

/*
 * http_easy_configure
 *		The options that are the same for every transfer: callbacks,
 *		security, protocol versions.  Raises ERROR if a required option
 *		cannot be set.
 */
static void
http_easy_configure(CURL *easy)
{
	HTTP_SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	HTTP_SETOPT(easy, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	HTTP_SETOPT(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	HTTP_SETOPT(easy, CURLOPT_REDIR_PROTOCOLS, (long) CURLPROTO_HTTPS);
#endif
	/* "" disables proxies, including those of the environment */
	HTTP_SETOPT(easy, CURLOPT_PROXY, "");
	HTTP_SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_SETOPT(easy, CURLOPT_USERAGENT, "mlpredict/" MLPREDICT_VERSION);
	HTTP_SETOPT(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	HTTP_SETOPT(easy, CURLOPT_HEADERFUNCTION, http_header_cb);
	if (http_closer != NULL)
	{
		HTTP_SETOPT(easy, CURLOPT_CLOSESOCKETFUNCTION, http_closer);
		HTTP_SETOPT(easy, CURLOPT_CLOSESOCKETDATA, http_closer_data);
	}
	http_share_attach(easy);

	/* Optimisations: failure (e.g. libcurl built without HTTP/2) is fine. */
	(void) curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
							(long) CURL_HTTP_VERSION_2TLS);
	(void) curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	(void) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
}

/*
 * http_share_attach
 *		Attach an easy handle to the process's share, making it on first
 *		use.  The share is an optimisation: without it (out of memory, a
 *		libcurl that cannot share), handles work alone.
 */
static void
http_share_attach(CURL *easy)
{
	if (http_share == NULL)
	{
		http_share = curl_share_init();
		if (http_share == NULL)
			return;
		(void) curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		(void) curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	}
	(void) curl_easy_setopt(easy, CURLOPT_SHARE, http_share);
}

/*
 * http_set_string
 *		Set a string option unless *kept (a malloc'd copy of its value as
 *		last set; NULL: never set) already says value; true if it was set.
 *		Raises ERROR if it cannot be set, or on out of memory.
 */
static bool
http_set_string(CURL *easy, CURLoption option, char **kept, const char *value)
{
	CURLcode	rc;
	char	   *copy;

	if (*kept != NULL && strcmp(*kept, value) == 0)
		return false;
	free(*kept);
	*kept = NULL;
	rc = curl_easy_setopt(easy, option, value);
	if (rc != CURLE_OK)
		ereport(ERROR,
				errcode(ERRCODE_INTERNAL_ERROR),
				errmsg("could not set libcurl option %d", (int) option),
				errdetail_internal("%s", curl_easy_strerror(rc)));
	copy = strdup(value);
	if (copy == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	*kept = copy;
	return true;
}

/*
 * http_easy_put
 *		Keep an easy handle (not in the multi handle) for reuse, as it is,
 *		as long as there is a multi handle (multi) to use it with.
 *
 * Never raises ERROR; safe in PG_FINALLY and at process exit.
 */
static void
http_easy_put(CURLM *multi, HttpEasy *h)
{
	if (http_nfree_easy >= HTTP_MAX_FREE_EASY || multi == NULL)
	{
		http_easy_free(h);
		return;
	}
	/* the transfer's memory is going */
	(void) curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, NULL);
	http_free_easy[http_nfree_easy++] = h;
}

/*
 * http_easy_free
 *		Clean up an easy handle and wipe its header list.  Never raises
 *		ERROR.
 */
static void
http_easy_free(HttpEasy *h)
{
	curl_easy_cleanup(h->easy);
	http_slist_wipe(h->headers);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->ca_bundle);
	free(h->custom_method);
	free(h->spare.data);
	free(h->head_spare.data);
	free(h);
}

/*
 * buffer_borrow / buffer_keep
 *		Take a handle's spare buffer for a starting transfer's empty one
 *		(true when there was one); give a transfer's buffer back to the
 *		handle's spare when that is empty and the buffer at most max bytes,
 *		else free it.  Never raise ERROR.
 */
static bool
buffer_borrow(HttpBuffer *spare, HttpBuffer *buf)
{
	if (spare->data == NULL || buf->data != NULL)
		return false;
	*buf = *spare;
	buf->len = 0;
	memset(spare, 0, sizeof(HttpBuffer));
	return true;
}

static void
buffer_keep(HttpBuffer *spare, HttpBuffer *buf, size_t max)
{
	if (buf->data != NULL && spare != NULL && spare->data == NULL &&
		buf->cap <= max)
	{
		*spare = *buf;
		spare->len = 0;
	}
	else
		free(buf->data);
	memset(buf, 0, sizeof(HttpBuffer));
}

/*
 * http_body_lend / http_body_return
 *		A transfer's body buffer from its handle's spare, counted in the
 *		buffer budget like a buffer it grew itself; back to the spare when
 *		small (the caller uncounts it).
 */
static void
http_body_lend(HttpTransfer *t)
{
	if (buffer_borrow(&t->handle->spare, &t->body))
		http_count(t, t->body.cap);
}

static void
http_body_return(HttpTransfer *t)
{
	buffer_keep(t->handle != NULL ? &t->handle->spare : NULL, &t->body,
				HTTP_SPARE_BODY_MAX);
}

/*
 * http_head_lend / http_head_return
 *		The same for the header buffer, which is not counted in the budget
 *		(at most HTTP_MAX_HEADER_BYTES a transfer).
 */
static void
http_head_lend(HttpTransfer *t)
{
	(void) buffer_borrow(&t->handle->head_spare, &t->head);
}

static void
http_head_return(HttpTransfer *t)
{
	buffer_keep(t->handle != NULL ? &t->handle->head_spare : NULL, &t->head,
				HTTP_SPARE_HEAD_MAX);
}

/* Wipe the lines of a header list (they may carry credentials). */
static void
http_slist_wipe(struct curl_slist *list)
{
	for (; list != NULL; list = list->next)
		explicit_bzero(list->data, strlen(list->data));
}

/*
 * HttpTransferStart
 *		Set up an easy handle for one request and add it to the multi handle.
 *
 * May raise ERROR; whatever was set up so far is recorded in *t and is
 * released by HttpTransferRelease.
 */
void
HttpTransferStart(CURLM *multi, HttpTransfer *t, const HttpRequest *request,
				  size_t max_body)
{
	CURLMcode	mrc;

	HttpCheckRequest(request);
	HttpPolicyRefresh();
	t->handle = http_easy_get(request);
	t->easy = t->handle->easy;
	t->max_body = max_body;
	http_count(t, request->body_len);
	http_body_lend(t);
	http_head_lend(t);

	http_set_options(t, request);
	http_set_method(t->handle, request);
	http_set_headers(t->handle, request);
	t->handle->used = true;

	mrc = curl_multi_add_handle(multi, t->easy);
	if (mrc != CURLM_OK)
		ereport(ERROR,
				errcode(ERRCODE_INTERNAL_ERROR),
				errmsg("could not start HTTP request"),
				errdetail_internal("%s", curl_multi_strerror(mrc)));
	t->in_multi = true;
	HttpPolicyStarted(t);
}

/*
 * http_set_options
 *		Set what differs from one transfer to the next: the transfer's own
 *		pointers, URL, protocols, CA bundle, timeouts, size limit.  Raises
 *		ERROR if a required option cannot be set.
 */
static void
http_set_options(HttpTransfer *t, const HttpRequest *request)
{
	HttpEasy   *h = t->handle;
	CURL	   *easy = t->easy;
	long		timeout_ms = request->timeout_ms;
	long		connect_ms = request->connect_timeout_ms;
	const char *ca_bundle = mlpredict_ca_bundle != NULL ? mlpredict_ca_bundle : "";

	if (timeout_ms <= 0)
		timeout_ms = (long) mlpredict_client_timeout * 1000L;
	if (connect_ms <= 0)
		connect_ms = mlpredict_connect_timeout;

	HTTP_SETOPT(easy, CURLOPT_PRIVATE, (void *) t);
	HTTP_SETOPT(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	HTTP_SETOPT(easy, CURLOPT_WRITEDATA, (void *) t);
	HTTP_SETOPT(easy, CURLOPT_HEADERDATA, (void *) t);
	(void) http_set_string(easy, CURLOPT_URL, &h->url, request->url);
	if (h->allow_http != (int) request->allow_http)
	{
#if LIBCURL_VERSION_NUM >= 0x075500
		HTTP_SETOPT(easy, CURLOPT_PROTOCOLS_STR,
					request->allow_http ? "http,https" : "https");
#else
		HTTP_SETOPT(easy, CURLOPT_PROTOCOLS,
					request->allow_http ? (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS) :
					(long) CURLPROTO_HTTPS);
#endif
		h->allow_http = (int) request->allow_http;
	}
	/* a policy change may have set these on the handle's last transfer */
	if (h->used)
	{
		HTTP_SETOPT(easy, CURLOPT_FRESH_CONNECT, 0L);
#if LIBCURL_VERSION_NUM >= 0x075000
		HTTP_SETOPT(easy, CURLOPT_MAXLIFETIME_CONN, 0L);
#endif
	}
	HttpPolicySetOptions(t);
	if (h->ca_bundle == NULL || strcmp(h->ca_bundle, ca_bundle) != 0)
	{
		/* NULL: libcurl's built-in default, the system's store */
		HTTP_SETOPT(easy, CURLOPT_CAINFO, ca_bundle[0] != '\0' ? ca_bundle : NULL);
		free(h->ca_bundle);
		h->ca_bundle = strdup(ca_bundle);
		if (h->ca_bundle == NULL)
			ereport(ERROR,
					errcode(ERRCODE_OUT_OF_MEMORY),
					errmsg("out of memory"));
	}
	HTTP_SETOPT(easy, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 0L);
	HTTP_SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms > 0 ? connect_ms : 0L);
	HTTP_SETOPT(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) t->max_body);

	/*
	 * Over TLS, let a new transfer wait for a connection that is still being
	 * set up to learn through ALPN whether it can multiplex, rather than
	 * opening a connection of its own: a batch to an HTTP/2 provider then
	 * shares one connection.  Not for cleartext, where HTTP/2 is never
	 * offered but the wait would last until the first response arrives.
	 */
	(void) curl_easy_setopt(easy, CURLOPT_PIPEWAIT,
							pg_strncasecmp(request->url, "https://", 8) == 0 ? 1L : 0L);
}

/*
 * http_set_method
 *		Set the request method and, for anything but GET, the body, sent
 *		with exactly body_len bytes.  The body is not copied: it must stay
 *		valid until the transfer is done.
 */
static void
http_set_method(HttpEasy *h, const HttpRequest *request)
{
	CURL	   *easy = h->easy;

	if (strcmp(request->method, "GET") == 0 || strcmp(request->method, "POST") == 0)
	{
		if (h->custom_method != NULL)
		{
			HTTP_SETOPT(easy, CURLOPT_CUSTOMREQUEST, NULL);
			free(h->custom_method);
			h->custom_method = NULL;
		}
	}
	if (strcmp(request->method, "GET") == 0)
	{
		HTTP_SETOPT(easy, CURLOPT_HTTPGET, 1L);
		return;
	}

	HTTP_SETOPT(easy, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t) request->body_len);
	HTTP_SETOPT(easy, CURLOPT_POSTFIELDS,
				request->body != NULL ? request->body : "");
	HTTP_SETOPT(easy, CURLOPT_POST, 1L);
	if (strcmp(request->method, "POST") != 0)
		(void) http_set_string(easy, CURLOPT_CUSTOMREQUEST, &h->custom_method,
							   request->method);
}

/*
 * HttpCheckRequest
 *		Raise ERROR for a request that cannot be sent: no URL or method,
 *		or a header name or value that would break the header block.
 *
 * Called in the requesting backend before a request is handed to the
 * pool, so that the worker never meets a request it must refuse.  Header
 * values are never included in messages.
 */
void
HttpCheckRequest(const HttpRequest *request)
{
	ListCell   *lc;

	if (request->url == NULL || request->method == NULL)
		elog(ERROR, "HTTP request without URL or method");
	foreach(lc, request->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);

		if (header->name == NULL || header->name[0] == '\0' ||
			strpbrk(header->name, ":\r\n \t") != NULL)
			ereport(ERROR,
					errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("invalid HTTP header name \"%s\"",
						   header->name != NULL ? header->name : ""));
		if (header->value != NULL && strpbrk(header->value, "\r\n") != NULL)
			ereport(ERROR,
					errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("invalid value for HTTP header \"%s\"", header->name),
					errdetail("Header values must not contain line breaks."));
	}
}

/*
 * HttpMaxBodyBytes
 *		The response size limit of a request in bytes: its own, or else
 *		mlpredict.max_response_size; capped so the body fits a StringInfo.
 */
size_t
HttpMaxBodyBytes(const HttpRequest *request)
{
	size_t		limit = MaxAllocSize - 1;

	if (request->max_body > 0 && request->max_body < limit)
		return request->max_body;
	if (mlpredict_max_response_size > 0 &&
		(size_t) mlpredict_max_response_size < limit / 1024)
		limit = (size_t) mlpredict_max_response_size * 1024;
	return limit;
}

/*
 * http_headers_match
 *		Whether a header list (as http_set_headers builds it) says exactly
 *		the request's headers.
 */
static bool
http_headers_match(const struct curl_slist *list, const HttpRequest *request)
{
	ListCell   *lc;

	if (list == NULL)
		return false;
	foreach(lc, request->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);
		const char *value = header->value != NULL ? header->value : "";
		size_t		nlen = strlen(header->name);
		const char *line;

		if (list == NULL)
			return false;
		line = list->data;
		if (strncmp(line, header->name, nlen) != 0)
			return false;
		line += nlen;
		if (value[0] == '\0' ? strcmp(line, ";") != 0 :
			(line[0] != ':' || line[1] != ' ' || strcmp(line + 2, value) != 0))
			return false;
		list = list->next;
	}
	return list != NULL && strcmp(list->data, "Expect:") == 0 &&
		list->next == NULL;
}

/*
 * http_set_headers
 *		Give the handle the request's header list, plus an empty "Expect:",
 *		building it only if the one it has says something else.
 *		HttpCheckRequest has vetted the names and values.
 *
 * The list is stored in the handle as it grows, so it is freed even when
 * this raises ERROR.  Header values are never included in messages.
 */
static void
http_set_headers(HttpEasy *h, const HttpRequest *request)
{
	ListCell   *lc;
	struct curl_slist *grown;

	if (http_headers_match(h->headers, request))
		return;
	/* the handle must not point at the list while it is rebuilt */
	HTTP_SETOPT(h->easy, CURLOPT_HTTPHEADER, NULL);
	http_slist_wipe(h->headers);
	curl_slist_free_all(h->headers);
	h->headers = NULL;
	foreach(lc, request->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);
		const char *value = header->value != NULL ? header->value : "";
		char	   *line;

		/* "Name;" is libcurl's spelling of a header with an empty value. */
		if (value[0] == '\0')
			line = psprintf("%s;", header->name);
		else
			line = psprintf("%s: %s", header->name, value);
		grown = curl_slist_append(h->headers, line);
		explicit_bzero(line, strlen(line));
		pfree(line);
		if (grown == NULL)
			ereport(ERROR,
					errcode(ERRCODE_OUT_OF_MEMORY),
					errmsg("out of memory"));
		h->headers = grown;
	}

	/* Suppress "Expect: 100-continue" and its round trip. */
	grown = curl_slist_append(h->headers, "Expect:");
	if (grown == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"));
	h->headers = grown;
	HTTP_SETOPT(h->easy, CURLOPT_HTTPHEADER, h->headers);
}

/*
 * HttpTransferFinish
 *		Map a finished transfer to its HttpResponse.
 *
 * The body and headers are copied into the caller's memory context only for
 * HTTP_OK; other outcomes have an empty body, no headers and status 0.
 * Raises ERROR if a callback ran out of memory.
 */
void
HttpTransferFinish(HttpTransfer *t, CURLcode rc, HttpResponse *response)
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
		case CURLE_PARTIAL_FILE:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
			/* the connection closed mid-answer; an HTTP/2 stream refused or reset */
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
	if (HttpPolicyRefused(t, rc, response))
		response->outcome = HTTP_REFUSED;

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
	else if (response->outcome == HTTP_TOO_LARGE &&
			 t->abort == HTTP_ABORT_OVER_BUDGET)
		snprintf(response->error, sizeof(response->error),
				 "response body exceeds the pool's buffer budget of %zu bytes (mlpredict.pool_max_buffered_bytes)",
				 http_budget);
	else if (response->outcome == HTTP_TOO_LARGE)
		snprintf(response->error, sizeof(response->error),
				 "response body exceeds %zu bytes (mlpredict.max_response_size)",
				 t->max_body);
	else if (response->outcome == HTTP_REFUSED)
		;						/* worded by HttpPolicyRefused */
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

	/* The raw data is no longer needed; free it (or keep it for reuse). */
	http_uncount(t);
	http_body_return(t);
	http_head_return(t);
}

/*
 * http_parse_headers
 *		The header lines of the last response of the transfer (and its
 *		trailers), as kept by http_header_cb, as a List of HttpHeader in the
 *		current memory context: names lower-cased, names and values without
 *		the white space around them, a folded line (one starting with a
 *		space or a tab) joined to the value before it with a space (or
 *		taking its place when it was empty).  The status line and lines
 *		without a colon are skipped.  The names and values are cut out of
 *		one copy of the block, in place.
 */
static List *
http_parse_headers(const char *block, size_t len)
{
	List	   *headers = NIL;
	HttpHeader *last = NULL;
	char	   *copy = palloc(len + 1);
	char	   *end = copy + len;
	char	   *line = copy;

	memcpy(copy, block, len);
	*end = '\0';
	while (line < end)
	{
		char	   *stop = line;
		char	   *colon = NULL;
		char	   *next;

		for (; stop < end && *stop != '\n'; stop++)
			if (*stop == ':' && colon == NULL)
				colon = stop;
		next = stop < end ? stop + 1 : end;
		if (stop > line && stop[-1] == '\r')
			stop--;
		if (stop > line && (*line == ' ' || *line == '\t') && last != NULL)
		{
			char	   *more = skip_blank(line, stop);

			*trim_end(more, stop) = '\0';
			last->value = *last->value == '\0' ? more :
				psprintf("%s %s", last->value, more);
		}
		else if (colon != NULL && !(stop - line >= 5 && memcmp(line, "HTTP/", 5) == 0))
		{
			char	   *value = skip_blank(colon + 1, stop);

			last = palloc(sizeof(HttpHeader));
			*trim_end(line, colon) = '\0';
			*trim_end(value, stop) = '\0';
			for (char *c = line; *c; c++)
				*c = pg_ascii_tolower((unsigned char) *c);
			last->name = line;
			last->value = value;
			last->secret = false;
			headers = lappend(headers, last);
		}
		else
			last = NULL;
		line = next;
	}
	return headers;
}

/* the first byte of [p, end) that is not a space or a tab, or end */
static char *
skip_blank(char *p, char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* the end of [p, end) without the spaces and tabs it ends with */
static char *
trim_end(char *p, char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

/*
 * HttpResponseSucceeded
 *		See http.h.
 */
bool
HttpResponseSucceeded(const HttpResponse *response)
{
	return response->outcome == HTTP_OK &&
		response->status >= 200 && response->status <= 299;
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
		case HTTP_REFUSED:
			return "refused";
		case HTTP_UNAVAILABLE:
			return "unavailable";
	}
	return "unknown";
}

/*
 * HttpTransferLogResult
 *		DEBUG2 line for one finished request: method, scheme, host, port,
 *		path and outcome.  Never the query string, user info, headers or
 *		bodies, which may carry secrets.
 */
void
HttpTransferLogResult(const HttpRequest *request, const HttpResponse *response)
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
 * HttpTransferRelease
 *		Remove a transfer's easy handle from the multi handle (multi, which
 *		may be NULL), return it to the free list and free the transfer's
 *		malloc'd memory.
 *
 * Never raises ERROR; safe in PG_FINALLY and at process exit.
 */
void
HttpTransferRelease(CURLM *multi, HttpTransfer *t)
{
	HttpPolicyReleased(t);
	if (t->handle != NULL && t->in_multi && multi != NULL)
		curl_multi_remove_handle(multi, t->easy);
	t->in_multi = false;
	http_uncount(t);
	http_body_return(t);
	http_head_return(t);
	if (t->handle != NULL)
		http_easy_put(multi, t->handle);
	t->handle = NULL;
	t->easy = NULL;
}

/*
 * HttpTransferSetCloser
 *		See http_internal.h.
 */
void
HttpTransferSetCloser(curl_closesocket_callback closer, void *data)
{
	Assert(http_nfree_easy == 0);
	http_closer = closer;
	http_closer_data = data;
}

/*
 * HttpTransferShutdown
 *		Free the easy handles kept for reuse; at process exit.
 */
void
HttpTransferShutdown(void)
{
	while (http_nfree_easy > 0)
		http_easy_free(http_free_easy[--http_nfree_easy]);
	/* only once no handle uses it */
	if (http_share != NULL && curl_share_cleanup(http_share) == CURLSHE_OK)
		http_share = NULL;
}
