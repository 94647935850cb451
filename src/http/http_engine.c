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
 * Built with -DMLPREDICT_USE_EPOLL where the kernel has epoll (off by
 * default: with it, HTTP/2 transfers through the pool worker still fail
 * now and then in libcurl 7.88 with "Stream error in the HTTP/2 framing
 * layer" under bench/instant_bench.sh, even with the generations below,
 * and it measured no cheaper per request there), the
 * sockets are in an epoll set of the engine's own, changed in place
 * from the socket callback (one epoll_ctl per change libcurl asks for,
 * as libcurl's own loop would do), and the WaitEventSet, built once, watches that epoll descriptor: it
 * never needs rebuilding, however often connections come and go or
 * switch between reading and writing.  Sockets already ready are taken
 * without blocking first, so a busy engine does not sleep at all.  Each
 * event carries the generation of its descriptor number, bumped whenever
 * a socket comes or goes on it, so that an event taken for a socket that
 * libcurl closed while acting on an earlier event (a hang-up after a
 * GOAWAY, say) is never handed to a new socket that reuses the number.
 * Otherwise, the WaitEventSet holds one entry per socket; a WaitEventSet
 * cannot shrink, so the engine rebuilds it when sockets came or went, and
 * adjusts it in place (ModifyWaitEvent) when only what they are watched
 * for changed.
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
#if defined(HAVE_SYS_EPOLL_H) && defined(MLPREDICT_USE_EPOLL)
#include <sys/epoll.h>
#define HTTP_USE_EPOLL 1
#endif

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

/* Ready sockets taken from the engine's epoll set at a time. */
#define HTTP_EPOLL_BATCH		64

/* A socket libcurl asked us to watch, with its CURL_POLL_* mask. */
typedef struct HttpSocket
{
	curl_socket_t fd;
	int			what;
	int			position;		/* in the engine's wait set, -1: not in it */
	bool		changed;		/* what changed since the set was built */
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
#ifdef HTTP_USE_EPOLL
	int			epfd;			/* the sockets' epoll set, -1: not yet */
	bool		epoll_failed;	/* an epoll_ctl failed in the callback */
	int			epoll_errno;
	uint32	   *fd_generation;	/* per descriptor number: bumped whenever a
								 * socket comes or goes on it */
	int			fd_generation_cap;
#endif
};

static bool http_curl_initialized = false;

static int	http_socket_cb(CURL *easy, curl_socket_t fd, int what,
						   void *userp, void *socketp);
static int	http_timer_cb(CURLM *multi, long timeout_ms, void *userp);
static void http_socket_action(HttpEngine *engine, curl_socket_t fd, int flags);
static uint32 socket_events(int what);
static void build_wait_set(HttpEngine *engine);
static void free_wait_set(HttpEngine *engine);
static void http_note_version(HttpEngine *engine, CURL *easy);
static void http_set_h2_cap(HttpEngine *engine, bool on);
#ifdef HTTP_USE_EPOLL
static int	epoll_socket_cb(HttpEngine *engine, curl_socket_t fd, int what,
							void *socketp);
static bool epoll_act(HttpEngine *engine);
static bool fd_generation_room(HttpEngine *engine, curl_socket_t fd);
static void epoll_check(HttpEngine *engine);
#endif

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
#ifdef HTTP_USE_EPOLL
	if (engine != NULL)
		engine->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (engine != NULL && engine->epfd < 0)
	{
		int			save_errno = errno;

		if (engine->multi != NULL)
			curl_multi_cleanup(engine->multi);
		free(engine);
		errno = save_errno;
		ereport(ERROR,
				errcode_for_socket_access(),
				errmsg("could not create an epoll set for HTTP requests: %m"));
	}
#endif
	if (engine == NULL || engine->multi == NULL)
	{
#ifdef HTTP_USE_EPOLL
		if (engine != NULL)
			close(engine->epfd);
#endif
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
	curl_multi_cleanup(engine->multi);
	free_wait_set(engine);
#ifdef HTTP_USE_EPOLL
	close(engine->epfd);
	free(engine->fd_generation);
#endif
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
 *		The WaitEventSet events for a socket's CURL_POLL_* mask.
 */
static uint32
socket_events(int what)
{
	uint32		events = 0;

	if (what & CURL_POLL_IN)
		events |= WL_SOCKET_READABLE;
	if (what & CURL_POLL_OUT)
		events |= WL_SOCKET_WRITEABLE;
	return events;
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

#ifdef HTTP_USE_EPOLL
	/* the latch, postmaster death and the epoll set: built once */
	if (engine->wait_set != NULL)
		return;
	engine->occurred = MemoryContextAlloc(TopMemoryContext, 3 * sizeof(WaitEvent));
	engine->wait_set = MlCreateLastingWaitEventSet(3);
	AddWaitEventToSet(engine->wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(engine->wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(engine->wait_set, WL_SOCKET_READABLE, (pgsocket) engine->epfd,
					  NULL, NULL);
	return;
#endif

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
		uint32		events = socket_events(sock->what);

		sock->position = events == 0 ? -1 :
			AddWaitEventToSet(engine->wait_set, events, (pgsocket) sock->fd,
							  NULL, NULL);
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
#ifdef HTTP_USE_EPOLL
	/* sockets ready already: act on them without sleeping */
	if (epoll_act(engine))
		return;
#endif
	if (timeout_ms <= 0)
	{
		http_socket_action(engine, CURL_SOCKET_TIMEOUT, 0);
		return;
	}

	build_wait_set(engine);
	occurred = engine->occurred;
#ifdef HTTP_USE_EPOLL
	nevents = 3;
#else
	nevents = engine->nsockets + 2;
#endif
	nready = WaitEventSetWait(engine->wait_set, timeout_ms, occurred, nevents,
							  wait_event_info);

	for (int i = 0; i < nready; i++)
	{
		int			flags = 0;

		if (occurred[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);
#ifdef HTTP_USE_EPOLL
		if (occurred[i].events & WL_SOCKET_READABLE)
			acted |= epoll_act(engine);
		continue;
#endif
		if (occurred[i].events & WL_SOCKET_READABLE)
			flags |= CURL_CSELECT_IN;
		if (occurred[i].events & WL_SOCKET_WRITEABLE)
			flags |= CURL_CSELECT_OUT;
		if (flags != 0)
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

#ifdef HTTP_USE_EPOLL
/*
 * epoll_act
 *		Hand the sockets of the engine's epoll set that are ready now to
 *		libcurl, without blocking; true if there were any.  Raises ERROR
 *		if epoll_wait or libcurl fails.
 */
static bool
epoll_act(HttpEngine *engine)
{
	struct epoll_event ready[HTTP_EPOLL_BATCH];
	int			n;

	epoll_check(engine);
	n = epoll_wait(engine->epfd, ready, HTTP_EPOLL_BATCH, 0);
	if (n < 0 && errno != EINTR)
		ereport(ERROR,
				errcode_for_socket_access(),
				errmsg("could not wait for HTTP sockets: %m"));
	for (int i = 0; i < n; i++)
	{
		int			flags = 0;
		uint32		ev = ready[i].events;
		int			fd = (int) (ready[i].data.u64 & 0xFFFFFFFF);
		uint32		generation = (uint32) (ready[i].data.u64 >> 32);

		/*
		 * Acting on an earlier event may have closed this socket and opened
		 * another on the same number: its event (a hang-up, an error) is
		 * not the new socket's.
		 */
		if (fd >= engine->fd_generation_cap ||
			engine->fd_generation[fd] != generation)
			continue;
		if (ev & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))
			flags |= CURL_CSELECT_IN;
		if (ev & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (ev & EPOLLERR)
			flags |= CURL_CSELECT_ERR;
		http_socket_action(engine, (curl_socket_t) fd, flags);
	}
	return n > 0;
}

/*
 * epoll_check
 *		Raise the ERROR of an epoll_ctl that failed inside the socket
 *		callback (where no ERROR may be raised).
 */
static void
epoll_check(HttpEngine *engine)
{
	if (!engine->epoll_failed)
		return;
	engine->epoll_failed = false;
	errno = engine->epoll_errno;
	ereport(ERROR,
			errcode_for_socket_access(),
			errmsg("could not watch an HTTP socket: %m"));
}

/*
 * fd_generation_room
 *		Make room for descriptor number fd in the generation table.  Runs
 *		inside libcurl: a failure is kept for epoll_check.
 */
static bool
fd_generation_room(HttpEngine *engine, curl_socket_t fd)
{
	int			cap = engine->fd_generation_cap;
	uint32	   *grown;

	if (fd < 0)
		return true;
	if (fd < cap)
		return true;
	while (cap <= fd)
		cap = cap == 0 ? 256 : cap * 2;
	grown = realloc(engine->fd_generation, cap * sizeof(uint32));
	if (grown == NULL)
	{
		engine->epoll_failed = true;
		engine->epoll_errno = ENOMEM;
		return false;
	}
	memset(grown + engine->fd_generation_cap, 0,
		   (cap - engine->fd_generation_cap) * sizeof(uint32));
	engine->fd_generation = grown;
	engine->fd_generation_cap = cap;
	return true;
}

/*
 * epoll_socket_cb
 *		The socket callback's work with epoll: add, change or remove the
 *		socket in the engine's epoll set.  libcurl's socketp (set with
 *		curl_multi_assign) tells whether the socket is in the set already.
 *		Runs inside libcurl: never raises ERROR; a failure is kept for
 *		epoll_check and reported to libcurl with -1.
 */
static int
epoll_socket_cb(HttpEngine *engine, curl_socket_t fd, int what, void *socketp)
{
	struct epoll_event ev;

	if (!fd_generation_room(engine, fd))
		return -1;
	if (what == CURL_POLL_REMOVE)
	{
		/* events already taken for it are stale from now on */
		engine->fd_generation[fd]++;
		/* it may be closed already, which removed it: nothing to report */
		if (socketp != NULL)
			(void) epoll_ctl(engine->epfd, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	if (socketp == NULL)
		engine->fd_generation[fd]++;	/* a new socket on this number */
	memset(&ev, 0, sizeof(ev));
	ev.data.u64 = ((uint64) engine->fd_generation[fd] << 32) | (uint32) fd;
	if (what & CURL_POLL_IN)
		ev.events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev.events |= EPOLLOUT;
	if (epoll_ctl(engine->epfd, socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
				  fd, &ev) == 0)
	{
		if (socketp == NULL)
			(void) curl_multi_assign(engine->multi, fd, engine);
		return 0;
	}
	/* closed and its number reused, or watched already: the other way */
	if ((errno == ENOENT || errno == EEXIST) &&
		epoll_ctl(engine->epfd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
				  fd, &ev) == 0)
	{
		if (socketp == NULL)
			(void) curl_multi_assign(engine->multi, fd, engine);
		return 0;
	}
	engine->epoll_failed = true;
	engine->epoll_errno = errno;
	return -1;
}
#endif

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
	int			i;

#ifdef HTTP_USE_EPOLL
	return epoll_socket_cb(engine, fd, what, socketp);
#endif
	for (i = 0; i < engine->nsockets; i++)
		if (engine->sockets[i].fd == fd)
			break;

	if (what == CURL_POLL_REMOVE)
	{
		if (i < engine->nsockets)
		{
			engine->sockets[i] = engine->sockets[--engine->nsockets];
			engine->set_stale = true;
		}
		return 0;
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
		engine->nsockets++;
		engine->set_stale = true;
	}
	if (engine->sockets[i].what != what)
	{
		/* in place if it stays watched, else the set is rebuilt */
		if (engine->sockets[i].position >= 0 && socket_events(what) != 0)
		{
			engine->sockets[i].changed = true;
			engine->set_changed = true;
		}
		else
			engine->set_stale = true;
	}
	engine->sockets[i].what = what;
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

	if (fd == CURL_SOCKET_TIMEOUT)
	{
		/* One-shot timer: libcurl re-arms it if it still needs it. */
		engine->timer_active = false;
	}
#ifndef HTTP_USE_EPOLL
	else
	{
		int			i;

		/* An earlier action of this pass may have closed the socket. */
		for (i = 0; i < engine->nsockets; i++)
			if (engine->sockets[i].fd == fd)
				break;
		if (i == engine->nsockets)
			return;
	}
#endif

	engine->socket_oom = false;
	rc = curl_multi_socket_action(engine->multi, fd, flags, &engine->running);
#ifdef HTTP_USE_EPOLL
	epoll_check(engine);
#endif

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
