/*-------------------------------------------------------------------------
 *
 * http_engine.c
 *	  A libcurl multi handle and the wait that drives it: the transport
 *	  under both the pool worker and the in-backend dispatcher.
 *
 * An HttpEngine is created once per process and kept for its life, so TCP
 * and TLS connections (and HTTP/2 streams over them) are kept alive and
 * reused across requests, statements and, in the pool worker, sessions.
 * The engine knows nothing of whose requests it carries: it starts and
 * removes transfers, waits, and reports the finished ones.
 *
 * Waiting.  libcurl tells us which sockets to watch through
 * CURLMOPT_SOCKETFUNCTION and when to call it back through
 * CURLMOPT_TIMERFUNCTION.  HttpEngineWait waits on a WaitEventSet with the
 * process latch and postmaster death, resets the latch, and hands the
 * ready sockets (or the expired timer) to curl_multi_socket_action.  The
 * caller checks for interrupts after each wait.
 *
 * The WaitEventSet holds one entry per socket.  A WaitEventSet cannot
 * shrink, so the engine rebuilds it when sockets came or went, and adjusts
 * it in place (ModifyWaitEvent) when only what they are watched for
 * changed.  A connection that goes back to libcurl's cache between
 * transfers is not a socket that went: libcurl stops watching it
 * (CURL_POLL_REMOVE) and asks again when the next transfer reuses it,
 * which over keep-alive connections is once per request.  Such a socket
 * stays in the set, parked: watched for reading, which an idle connection
 * only becomes when the server closes it or sends something unasked
 * (then it leaves the set, at the next rebuild).  A socket goes for good
 * when libcurl closes it, which it does through our
 * CURLOPT_CLOSESOCKETFUNCTION (http_close_socket_cb), so the set never
 * holds a descriptor number that a new socket may since have taken.  Only
 * sockets libcurl has watched for reading are parked: those of
 * connections.  An attempt to connect is watched for writing only, and
 * libcurl 7.x closes one that loses or times out without calling us (it
 * says CURL_POLL_REMOVE afterwards), so its socket leaves at once.  Over
 * keep-alive connections, the set then changes only when one opens or
 * closes, and a request costs no system call for it.
 *
 * Memory.  The socket callbacks run inside libcurl and must never raise
 * an ERROR; the engine and its socket table are malloc'd, and failure is
 * reported to libcurl through their return value.  The callbacks of each
 * transfer, and the memory rules for them, are in http_transfer.c.
 *
 * IDENTIFICATION
 *	  src/http/http_engine.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "http/http.h"
#include "http/http_internal.h"

/* Idle connections the multi handle keeps open for reuse, at least. */
#define HTTP_MAX_IDLE_CONNECTS	256L

/* Longest single wait; bounds the damage of a lost curl timer. */
#define HTTP_MAX_WAIT_MS		1000L

/*
 * HTTP/2 per-host connection cap: after this many transfers in a row
 * answered over HTTP/2 (and none over HTTP/1.x), at most
 * HTTP_H2_HOST_CONNECTIONS connections per host; see http_note_version.
 */
#define HTTP_H2_STREAK			32
#define HTTP_H2_HOST_CONNECTIONS 4L

/*
 * A socket libcurl asked us to watch, with its CURL_POLL_* mask; 0: parked
 * (libcurl stopped watching it, and it is still open).
 */
typedef struct HttpSocket
{
	curl_socket_t fd;
	int			what;
	int			position;		/* in the engine's wait set, -1: not in it */
	bool		changed;		/* what changed since the set was built */
	bool		read;			/* ever watched for reading: a connection */
} HttpSocket;

struct HttpEngine
{
	CURLM	   *multi;
	HttpSocket *sockets;		/* maintained by http_socket_cb */
	int			nsockets;
	int			socket_cap;
	bool		socket_oom;
	bool		set_stale;		/* sockets came or went: rebuild wait_set */
	bool		set_changed;	/* some socket's what changed */
	WaitEventSet *wait_set;		/* latch, postmaster death, the sockets */
	WaitEvent  *occurred;		/* room for the wait set's events */
	bool		timer_active;	/* maintained by http_timer_cb */
	TimestampTz timer_deadline;
	int			running;		/* transfers libcurl still runs */
	int			h2_streak;		/* transfers in a row answered over HTTP/2 */
	bool		h2_capped;		/* CURLMOPT_MAX_HOST_CONNECTIONS is set */
};

static bool http_curl_initialized = false;

static int	http_socket_cb(CURL *easy, curl_socket_t fd, int what,
						   void *userp, void *socketp);
static int	http_timer_cb(CURLM *multi, long timeout_ms, void *userp);
static void http_socket_action(HttpEngine *engine, curl_socket_t fd, int flags);
static uint32 socket_events(int what);
static HttpSocket *find_socket(HttpEngine *engine, curl_socket_t fd, int hint);
static void forget_socket(HttpEngine *engine, HttpSocket *sock);
static int	http_close_socket_cb(void *clientp, curl_socket_t fd);
static void build_wait_set(HttpEngine *engine);
static void free_wait_set(HttpEngine *engine);
static void http_note_version(HttpEngine *engine, CURL *easy);
static void http_set_h2_cap(HttpEngine *engine, bool on);

/*
 * HttpEngineCreate
 *		A new engine whose multi handle opens at most max_connections TCP
 *		connections at a time (0: no limit).
 */
HttpEngine *
HttpEngineCreate(long max_connections)
{
	HttpEngine *engine;

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

	engine = calloc(1, sizeof(HttpEngine));
	if (engine != NULL)
		engine->multi = curl_multi_init();
	if (engine == NULL || engine->multi == NULL)
	{
		free(engine);
		ereport(ERROR,
				errcode(ERRCODE_OUT_OF_MEMORY),
				errmsg("out of memory"),
				errdetail("Could not create a libcurl multi handle."));
	}

	curl_multi_setopt(engine->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(engine->multi, CURLMOPT_SOCKETDATA, engine);
	curl_multi_setopt(engine->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(engine->multi, CURLMOPT_TIMERDATA, engine);
	curl_multi_setopt(engine->multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
	/* capped until an answer comes over HTTP/1.x: see http_note_version */
	curl_multi_setopt(engine->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
					  HTTP_H2_HOST_CONNECTIONS);
	engine->h2_capped = true;
	engine->h2_streak = HTTP_H2_STREAK;
	HttpEngineSetMaxConnections(engine, max_connections);
	HttpTransferSetCloser(http_close_socket_cb, engine);
	return engine;
}

/*
 * HttpEngineSetMaxConnections
 *		Change the cap on open TCP connections (0: none).  Transfers beyond
 *		it queue inside libcurl until a connection is free.
 */
void
HttpEngineSetMaxConnections(HttpEngine *engine, long max_connections)
{
	curl_multi_setopt(engine->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
					  max_connections > 0 ? max_connections : 0L);
	/*
	 * The idle cache holds at least as many connections as may be open,
	 * so that a query's HTTP/1.1 connections all survive until the next
	 * one instead of being closed and opened again.
	 */
	curl_multi_setopt(engine->multi, CURLMOPT_MAXCONNECTS,
					  Max(HTTP_MAX_IDLE_CONNECTS, max_connections));
}

/*
 * HttpEngineDestroy
 *		Tear down the engine.  Every transfer must have been removed.
 *		Never raises ERROR; safe at process exit.
 */
void
HttpEngineDestroy(HttpEngine *engine)
{
	if (engine == NULL)
		return;
	HttpTransferShutdown();
	curl_multi_cleanup(engine->multi);	/* closes through the engine */
	HttpTransferSetCloser(NULL, NULL);
	free_wait_set(engine);
	free(engine->sockets);
	free(engine);
}

/*
 * HttpEngineStart
 *		Set up a transfer for request and start it.  May raise ERROR; what
 *		was set up is recorded in *t and released by HttpEngineRemove.
 */
void
HttpEngineStart(HttpEngine *engine, HttpTransfer *t, const HttpRequest *request)
{
	/* cleartext never multiplexes: the HTTP/2 cap would only hold it back */
	if (engine->h2_capped && pg_strncasecmp(request->url, "http://", 7) == 0)
		http_set_h2_cap(engine, false);
	HttpTransferStart(engine->multi, t, request, HttpMaxBodyBytes(request));
	engine->running++;
}

/*
 * HttpEngineRemove
 *		Stop a transfer (finished or not) and free what it holds.  An
 *		unfinished one is abandoned: libcurl closes its connection.  Never
 *		raises ERROR.
 */
void
HttpEngineRemove(HttpEngine *engine, HttpTransfer *t)
{
	HttpTransferRelease(engine->multi, t);
	memset(t, 0, sizeof(HttpTransfer));
}

/*
 * HttpEngineNextDone
 *		A transfer libcurl reports finished (with its result in *rc), taken
 *		out of the multi handle but not yet released; NULL if none.
 */
HttpTransfer *
HttpEngineNextDone(HttpEngine *engine, CURLcode *rc)
{
	CURLMsg    *msg;
	int			msgs_left;

	while ((msg = curl_multi_info_read(engine->multi, &msgs_left)) != NULL)
	{
		char	   *priv = NULL;
		HttpTransfer *t;

		if (msg->msg != CURLMSG_DONE)
			continue;

		/* msg is invalid once its handle has been removed. */
		*rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		t = (HttpTransfer *) priv;
		if (t == NULL || t->done)
			continue;
		http_note_version(engine, t->easy);
		curl_multi_remove_handle(engine->multi, t->easy);
		t->in_multi = false;
		t->done = true;
		return t;
	}
	return NULL;
}

/*
 * http_note_version
 *		Keep the per-host connection cap in step with the protocol the
 *		answers come in.
 *
 * Over HTTP/2, libcurl 7.88 multiplexes new transfers onto a host's
 * connection, and while the host's support is not known yet a transfer
 * with CURLOPT_PIPEWAIT waits for the first connection.  But once the
 * host is known to multiplex and its connection closes (a GOAWAY: nginx
 * sends one after 1000 requests by default, providers recycle
 * connections too), every transfer started before the new connection is
 * up opens a connection of its own: one TLS connection per request in
 * flight (and a new engine's first transfers sometimes do the same
 * while the first connection's TLS handshake runs).  So from the start,
 * and again once HTTP_H2_STREAK answers in a row came over HTTP/2, at
 * most HTTP_H2_HOST_CONNECTIONS connections per host are allowed, and
 * further transfers wait inside libcurl for a connection to multiplex
 * on; an answer over HTTP/1.x, or a cleartext http:// transfer (never
 * multiplexed), lifts the cap: an HTTP/1.1 host needs a connection per
 * request in flight, so a TLS HTTP/1.1 host is held to that many only
 * until its first answer.
 * Never raises ERROR.
 */
static void
http_note_version(HttpEngine *engine, CURL *easy)
{
	long		version = 0;

	if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version) != CURLE_OK ||
		version == 0)
		return;					/* no answer: tells nothing */
	if (version >= CURL_HTTP_VERSION_2_0)
	{
		if (engine->h2_streak < HTTP_H2_STREAK)
			engine->h2_streak++;
		if (engine->h2_streak >= HTTP_H2_STREAK && !engine->h2_capped)
			http_set_h2_cap(engine, true);
		return;
	}
	http_set_h2_cap(engine, false);
}

/*
 * http_set_h2_cap
 *		Set or lift the per-host connection cap; lifting it also restarts
 *		the count of answers over HTTP/2.  Never raises ERROR.
 */
static void
http_set_h2_cap(HttpEngine *engine, bool on)
{
	if (!on)
		engine->h2_streak = 0;
	if (engine->h2_capped == on)
		return;
	curl_multi_setopt(engine->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
					  on ? HTTP_H2_HOST_CONNECTIONS : 0L);
	engine->h2_capped = on;
}

/*
 * HttpEngineTimeout
 *		Milliseconds until libcurl's timer fires (0: due now), at most
 *		limit_ms.
 */
long
HttpEngineTimeout(HttpEngine *engine, long limit_ms)
{
	TimestampTz now;
	int64		remaining_us;

	limit_ms = Min(limit_ms, HTTP_MAX_WAIT_MS);
	if (!engine->timer_active)
		return limit_ms;

	now = GetCurrentTimestamp();
	if (now >= engine->timer_deadline)
		return 0;

	/* Round up, so that we do not wake up just before the deadline. */
	remaining_us = engine->timer_deadline - now;
	return Min((remaining_us + 999) / 1000, limit_ms);
}

/*
 * socket_events
 *		The WaitEventSet events for a socket's CURL_POLL_* mask; a parked
 *		socket (0) is watched for reading.
 */
static uint32
socket_events(int what)
{
	uint32		events = 0;

	if (what & CURL_POLL_IN)
		events |= WL_SOCKET_READABLE;
	if (what & CURL_POLL_OUT)
		events |= WL_SOCKET_WRITEABLE;
	return events != 0 ? events : WL_SOCKET_READABLE;
}

/*
 * build_wait_set
 *		Bring the engine's wait set up to date with libcurl's sockets:
 *		rebuilt when sockets came or went, adjusted in place when only what
 *		they are watched for changed.  Building a set costs system calls
 *		per socket, which the pool worker would otherwise pay on every
 *		wait.
 */
static void
build_wait_set(HttpEngine *engine)
{
	int			nevents = engine->nsockets + 2;

	if (engine->wait_set != NULL && !engine->set_stale)
	{
		if (!engine->set_changed)
			return;
		for (int i = 0; i < engine->nsockets; i++)
		{
			HttpSocket *sock = &engine->sockets[i];

			if (sock->changed)
				ModifyWaitEvent(engine->wait_set, sock->position,
								socket_events(sock->what), NULL);
			sock->changed = false;
		}
		engine->set_changed = false;
		return;
	}
	free_wait_set(engine);
	engine->occurred = MemoryContextAlloc(TopMemoryContext, nevents * sizeof(WaitEvent));
	engine->wait_set = MlCreateLastingWaitEventSet(nevents);
	AddWaitEventToSet(engine->wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(engine->wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < engine->nsockets; i++)
	{
		HttpSocket *sock = &engine->sockets[i];

		/* the socket's index rides along, to find it again quickly */
		sock->position = AddWaitEventToSet(engine->wait_set,
										   socket_events(sock->what),
										   (pgsocket) sock->fd, NULL,
										   (void *) (intptr_t) i);
		sock->changed = false;
	}
	engine->set_stale = false;
	engine->set_changed = false;
}

/* Free the engine's wait set.  Never raises ERROR. */
static void
free_wait_set(HttpEngine *engine)
{
	if (engine->wait_set != NULL)
		FreeWaitEventSet(engine->wait_set);
	if (engine->occurred != NULL)
		pfree(engine->occurred);
	engine->wait_set = NULL;
	engine->occurred = NULL;
}

/*
 * watched_socket
 *		Whether libcurl watches the socket of a ready event.  Not if an
 *		earlier action of this pass closed it, nor if it is parked: a
 *		connection idle in libcurl's cache that became readable (the
 *		server closed it, or sent something unasked), which is dropped
 *		from the set, or it would end every wait at once.  If libcurl
 *		reuses it, it asks for it again (and finds it closed, if it is).
 */
static bool
watched_socket(HttpEngine *engine, const WaitEvent *event)
{
	HttpSocket *sock = find_socket(engine, (curl_socket_t) event->fd,
								   (int) (intptr_t) event->user_data);

	if (sock == NULL)
		return false;
	if (sock->what == 0)
	{
		forget_socket(engine, sock);
		return false;
	}
	return true;
}

/*
 * HttpEngineWait
 *		Wait up to timeout_ms for the latch, postmaster death or a watched
 *		socket, then let libcurl act on what happened (or on its timer).
 *
 * The latch is reset before returning, so the caller must look at what
 * may have set it (interrupts, queues) after every call.
 */
void
HttpEngineWait(HttpEngine *engine, long timeout_ms, uint32 wait_event_info)
{
	WaitEvent  *occurred;
	int			nevents;
	int			nready;
	bool		acted = false;

	timeout_ms = HttpEngineTimeout(engine, timeout_ms);
	if (timeout_ms <= 0)
	{
		http_socket_action(engine, CURL_SOCKET_TIMEOUT, 0);
		return;
	}

	build_wait_set(engine);
	occurred = engine->occurred;
	nevents = engine->nsockets + 2;
	nready = WaitEventSetWait(engine->wait_set, timeout_ms, occurred, nevents,
							  wait_event_info);

	for (int i = 0; i < nready; i++)
	{
		int			flags = 0;

		if (occurred[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);
		if (occurred[i].events & WL_SOCKET_READABLE)
			flags |= CURL_CSELECT_IN;
		if (occurred[i].events & WL_SOCKET_WRITEABLE)
			flags |= CURL_CSELECT_OUT;
		if (flags != 0 && watched_socket(engine, &occurred[i]))
		{
			http_socket_action(engine, (curl_socket_t) occurred[i].fd, flags);
			acted = true;
		}
	}

	/*
	 * No socket was ready: the wait timed out, or only the latch was set.
	 * Run libcurl's timer if it is due.
	 */
	if (!acted && HttpEngineTimeout(engine, 1) == 0)
		http_socket_action(engine, CURL_SOCKET_TIMEOUT, 0);
}


/*
 * http_socket_cb
 *		CURLMOPT_SOCKETFUNCTION: record which sockets libcurl wants watched.
 *
 * Runs inside libcurl: must not raise ERROR.  On out of memory it sets
 * socket_oom and returns -1, which makes libcurl fail the call.
 */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
			   void *socketp)
{
	HttpEngine *engine = (HttpEngine *) userp;
	HttpSocket *found = find_socket(engine, fd, -1);
	int			i = found != NULL ? (int) (found - engine->sockets) : engine->nsockets;

	/*
	 * Not watched any more.  A connection's socket is not closed either
	 * (that comes through http_close_socket_cb): parked, in the set,
	 * watched for reading.  Any other may be closed already.
	 */
	if (what == CURL_POLL_REMOVE)
	{
		if (i == engine->nsockets)
			return 0;
		if (!engine->sockets[i].read)
		{
			forget_socket(engine, &engine->sockets[i]);
			return 0;
		}
		what = 0;
	}

	if (i == engine->nsockets)
	{
		if (engine->nsockets == engine->socket_cap)
		{
			int			newcap = engine->socket_cap > 0 ? engine->socket_cap * 2 : 16;
			HttpSocket *grown = realloc(engine->sockets,
										newcap * sizeof(HttpSocket));

			if (grown == NULL)
			{
				engine->socket_oom = true;
				return -1;
			}
			engine->sockets = grown;
			engine->socket_cap = newcap;
		}
		engine->sockets[i].fd = fd;
		engine->sockets[i].what = 0;
		engine->sockets[i].position = -1;
		engine->sockets[i].changed = false;
		engine->sockets[i].read = false;
		engine->nsockets++;
		engine->set_stale = true;
	}
	/* in the set already: changed in place, if the events differ at all */
	if (engine->sockets[i].position >= 0 &&
		socket_events(engine->sockets[i].what) != socket_events(what))
	{
		engine->sockets[i].changed = true;
		engine->set_changed = true;
	}
	engine->sockets[i].what = what;
	if (what & CURL_POLL_IN)
		engine->sockets[i].read = true;
	return 0;
}

/*
 * find_socket
 *		The engine's entry for a socket, NULL if none; hint is where it
 *		was when the wait set was built (it may have moved since).
 */
static HttpSocket *
find_socket(HttpEngine *engine, curl_socket_t fd, int hint)
{
	if (hint >= 0 && hint < engine->nsockets && engine->sockets[hint].fd == fd)
		return &engine->sockets[hint];
	for (int i = 0; i < engine->nsockets; i++)
		if (engine->sockets[i].fd == fd)
			return &engine->sockets[i];
	return NULL;
}

/*
 * forget_socket
 *		Take a socket out of the engine's table; the wait set is rebuilt
 *		without it before the next wait.  Never raises ERROR.
 */
static void
forget_socket(HttpEngine *engine, HttpSocket *sock)
{
	*sock = engine->sockets[--engine->nsockets];
	engine->set_stale = true;
}

/*
 * http_close_socket_cb
 *		CURLOPT_CLOSESOCKETFUNCTION: libcurl closes one of its sockets, for
 *		good.  It leaves the engine's table (and, at the next rebuild, the
 *		wait set) before its descriptor number can be given to another.
 *		Runs inside libcurl: must not raise ERROR.
 */
static int
http_close_socket_cb(void *clientp, curl_socket_t fd)
{
	HttpEngine *engine = (HttpEngine *) clientp;
	HttpSocket *sock = find_socket(engine, fd, -1);

	if (sock != NULL)
		forget_socket(engine, sock);
	return close(fd);
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
	HttpEngine *engine = (HttpEngine *) userp;

	if (timeout_ms < 0)
		engine->timer_active = false;
	else
	{
		engine->timer_active = true;
		engine->timer_deadline = GetCurrentTimestamp() +
			(TimestampTz) timeout_ms * 1000;
	}
	return 0;
}

/*
 * http_socket_action
 *		Let libcurl act on one ready socket, or on its timer.
 *
 * Raises ERROR if libcurl itself fails (not for transfer failures, which
 * are reported per transfer).
 */
static void
http_socket_action(HttpEngine *engine, curl_socket_t fd, int flags)
{
	CURLMcode	rc;

	/* One-shot timer: libcurl re-arms it if it still needs it. */
	if (fd == CURL_SOCKET_TIMEOUT)
		engine->timer_active = false;

	engine->socket_oom = false;
	rc = curl_multi_socket_action(engine->multi, fd, flags, &engine->running);

	if (engine->socket_oom || rc == CURLM_OUT_OF_MEMORY)
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
