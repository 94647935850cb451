/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The pool worker: a background worker that performs the HTTP requests
 *	  of every backend that offers it a channel.
 *
 * The main loop:
 *	 1. attach the channels newly offered in our slots;
 *	 2. read every request waiting in the channels' queues and submit it
 *		to the dispatcher, each channel being one owner (so sessions take
 *		turns);
 *	 3. send the responses that are ready (a response that does not fit
 *		the queue yet is sent on a later pass: nothing ever blocks);
 *	 4. start what the limits allow, then wait on the latch and libcurl's
 *		sockets until something happens, the next timer, or a held
 *		request may start;
 *	 5. collect finished transfers (retries go back to the queue, final
 *		responses to the channel's outbox), and send the outboxes: each
 *		channel's responses of a pass go out as one batch, which sets the
 *		backend's latch once (not once per response).
 *
 * Bounds (see dispatch.c): no session has more than
 * mlpredict.max_session_share percent of mlpredict.max_connections on the
 * wire, nor starts more while its answers not yet sent hold that share of
 * the buffer budget; request bodies, response bodies and answers not yet
 * sent stay within mlpredict.pool_max_buffered_bytes.  The bytes held and
 * their peak are published in the worker's shared state for
 * mlpredict.pool_info().
 *
 * A channel whose backend detached (the statement was cancelled, or the
 * backend exited) is closed at once: its transfers are removed from the
 * multi handle, which closes their connections, and their slots freed.
 *
 * The worker's state is shown in pg_stat_activity (backend_type
 * "mlpredict pool").  SIGTERM ends it with exit code 1, so the postmaster
 * starts a new one a second later (bgw_restart_time); backends waiting
 * on it notice within POOL_CHECK_MS and raise an error.
 *
 * IDENTIFICATION
 *	  src/pool/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "http/http_internal.h"
#include "pool/dispatch.h"
#include "pool/limiter.h"
#include "pool/message.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"

/* One backend's channel, as the worker sees it. */
typedef struct WorkerChannel
{
	dlist_node	node;			/* in channels */
	int			slot;
	dsm_handle	handle;
	dsm_segment *seg;
	shm_mq_handle *requests;	/* we receive */
	shm_mq_handle *responses;	/* we send */
	DispatchOwner owner;
	MemoryContext context;		/* jobs and pending responses */
	List	   *outbox;			/* OutboxMessages not yet (fully) sent */
	bool		gone;			/* the backend detached */
} WorkerChannel;

/*
 * An encoded message in a channel's outbox: sent as its head, then (a
 * long response's body) in pieces of POOL_BODY_PIECE (message.h).
 */
typedef struct OutboxMessage
{
	StringInfoData msg;
	int			head_len;		/* bytes of the first shm_mq message */
	int			sent;			/* bytes sent so far */
} OutboxMessage;

static int	worker_index;
static Dispatcher *dispatcher;
static HttpEngine *engine;
static dlist_head channels = DLIST_STATIC_INIT(channels);
static uint64 offers_seen = 0;
static char last_status[128];
static bool responses_waiting = false;	/* job_done queued some */
static uint64 requests_answered = 0;	/* published by report_status */

static void worker_announce(void);
static void worker_exit(int code, Datum arg);
static void accept_channels(void);
static void attach_channel(int slot, dsm_handle handle, int parts);
static void read_requests(WorkerChannel *ch);
static void send_responses(WorkerChannel *ch);
static void send_all_responses(void);
static void close_channel(WorkerChannel *ch);
static void job_done(Dispatcher *d, DispatchJob *job);
static void job_retry_wait(Dispatcher *d, DispatchJob *job, bool waiting);
static void report_status(void);
static void apply_settings(void);
static void keep_heap(void);
static void trim_heap_when_idle(void);

/*
 * mlpredict_pool_worker_main
 *		Entry point of a pool worker; arg is its index.
 */
void
mlpredict_pool_worker_main(Datum arg)
{
	MemoryContext loop_context;

	worker_index = DatumGetInt32(arg);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	keep_heap();
	engine = HttpEngineCreate(mlpredict_max_connections);
	dispatcher = DispatchCreate(engine, job_done);
	DispatchSetRetryWaitHook(dispatcher, job_retry_wait);
	apply_settings();
	worker_announce();
	loop_context = AllocSetContextCreate(TopMemoryContext, "mlpredict pool loop",
										 ALLOCSET_DEFAULT_SIZES);
	elog(LOG, "mlpredict pool worker %d started", worker_index + 1);

	for (;;)
	{
		dlist_mutable_iter iter;
		long		wake;

		MemoryContextReset(loop_context);
		MemoryContextSwitchTo(loop_context);
		/* absorbs ProcSignalBarriers (DROP DATABASE waits for them) */
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			apply_settings();
		}

		accept_channels();
		dlist_foreach_modify(iter, &channels)
		{
			WorkerChannel *ch = dlist_container(WorkerChannel, node, iter.cur);

			read_requests(ch);
			send_responses(ch);
			if (ch->gone)
				close_channel(ch);
		}
		wake = DispatchStartReady(dispatcher);
		if (responses_waiting)
			send_all_responses();
		report_status();
		trim_heap_when_idle();
		HttpEngineWait(engine, wake < 0 ? 1000 : wake, PG_WAIT_EXTENSION);
		DispatchCollect(dispatcher);
		if (responses_waiting)
			send_all_responses();
	}
}

/*
 * apply_settings
 *		The connection cap, the session share and the buffer budget, at
 *		start and after a reload.
 */
static void
apply_settings(void)
{
	size_t		budget = (size_t) mlpredict_pool_max_buffered * 1024;

	HttpEngineSetMaxConnections(engine, mlpredict_max_connections);
	DispatchSetOwnerCap(dispatcher, PoolSessionCap(),
						budget / 100 * (size_t) mlpredict_max_session_share);
	HttpBufferSetBudget(budget);
}

/*
 * keep_heap
 *		Keep freed memory in the worker's heap while it is busy.
 *
 * With glibc's defaults, free() gives the top of the heap back to the
 * kernel as soon as 128 kB of it is free, and the next allocations fault
 * fresh pages in: in bench/instant_bench.sh the worker made 2,300-5,200
 * brk calls and 52,000 page faults per 80,000 requests, each request's
 * libcurl receive buffer (16 kB, allocated and freed per transfer) among
 * the allocations that paid for them.  Explicit thresholds also stop
 * glibc from moving the mmap threshold, so they are set together: bodies
 * up to POOL_MMAP_THRESHOLD come from the heap and are reused, larger ones
 * get mappings of their own, given back at once.  What the heap keeps is
 * returned when the worker goes idle (trim_heap_when_idle).
 */
#define POOL_MMAP_THRESHOLD		(32 * 1024 * 1024)
#define POOL_TRIM_THRESHOLD		(64 * 1024 * 1024)

static void
keep_heap(void)
{
#ifdef __GLIBC__
	(void) mallopt(M_MMAP_THRESHOLD, POOL_MMAP_THRESHOLD);
	(void) mallopt(M_TRIM_THRESHOLD, POOL_TRIM_THRESHOLD);
#endif
}

/*
 * trim_heap_when_idle
 *		Give the heap's free memory back to the kernel once the worker has
 *		had nothing in flight nor queued for POOL_TRIM_IDLE_MS, once per
 *		busy spell (an idle worker wakes up at least once a second).
 */
#define POOL_TRIM_IDLE_MS		1000

static void
trim_heap_when_idle(void)
{
	static bool trimmed = true;
	static TimestampTz idle_since = 0;

	if (DispatchRunning(dispatcher) > 0 || DispatchQueued(dispatcher) > 0 ||
		responses_waiting)
	{
		trimmed = false;
		idle_since = 0;
		return;
	}
	if (trimmed)
		return;
	if (idle_since == 0)
		idle_since = GetCurrentTimestamp();
	else if (TimestampDifferenceExceeds(idle_since, GetCurrentTimestamp(),
										POOL_TRIM_IDLE_MS))
	{
#ifdef __GLIBC__
		(void) malloc_trim(0);
#endif
		trimmed = true;
	}
}

/*
 * worker_announce
 *		Publish our pid and latch; a new generation tells backends that
 *		channels offered to an earlier worker are dead.
 */
static void
worker_announce(void)
{
	PoolWorkerState *w = &PoolState->workers[worker_index];

	SpinLockAcquire(&PoolState->mutex);
	w->pid = MyProcPid;
	w->latch = MyLatch;
	w->generation++;
	w->sessions = 0;
	w->requests = 0;
	SpinLockRelease(&PoolState->mutex);
	before_shmem_exit(worker_exit, (Datum) 0);
}

/*
 * worker_exit
 *		before_shmem_exit: give back the limiter slots and in-flight counts
 *		of the requests still on the wire (a restarted worker would
 *		otherwise find max_connections and max_concurrency short by them
 *		for good), then tell backends we are gone.
 */
static void
worker_exit(int code, Datum arg)
{
	PoolWorkerState *w = &PoolState->workers[worker_index];

	/* an error may have left a lock held; the exit releases it anyway */
	LWLockReleaseAll();
	if (dispatcher != NULL)
		DispatchReleaseShared(dispatcher);
	SpinLockAcquire(&PoolState->mutex);
	w->pid = 0;
	w->latch = NULL;
	w->generation++;
	w->sessions = 0;
	SpinLockRelease(&PoolState->mutex);
}

/*
 * accept_channels
 *		Attach every channel offered in our slots since we last looked.
 */
static void
accept_channels(void)
{
	PoolWorkerState *w = &PoolState->workers[worker_index];
	uint64		offers;

	SpinLockAcquire(&PoolState->mutex);
	offers = w->offers;
	SpinLockRelease(&PoolState->mutex);
	if (offers == offers_seen)
		return;
	offers_seen = offers;

	for (int slot = worker_index; slot < PoolState->nslots;
		 slot += PoolState->nworkers)
	{
		PoolSlot   *s = &PoolState->slots[slot];
		dsm_handle	handle = 0;
		int			parts = 1;
		bool		offered;

		SpinLockAcquire(&PoolState->mutex);
		offered = s->state == POOL_SLOT_OFFERED &&
			s->generation == w->generation;
		if (offered)
		{
			handle = s->handle;
			parts = s->parts;
			s->state = POOL_SLOT_ATTACHED;
		}
		SpinLockRelease(&PoolState->mutex);
		if (offered)
			attach_channel(slot, handle, parts);
	}
}

/*
 * attach_channel
 *		Map a backend's segment and attach to its queues.  A segment that
 *		is already gone (the backend gave up) is skipped.  parts: the
 *		number of workers the session spreads over (its share of the
 *		limits is divided among them).
 */
static void
attach_channel(int slot, dsm_handle handle, int parts)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	dsm_segment *seg = dsm_attach(handle);
	PoolChannelHeader *header;
	WorkerChannel *ch;
	shm_mq	   *mq;

	if (seg == NULL)
	{
		MemoryContextSwitchTo(old);
		return;
	}
	dsm_pin_mapping(seg);
	header = dsm_segment_address(seg);
	if (header->magic != POOL_CHANNEL_MAGIC)
	{
		dsm_detach(seg);
		MemoryContextSwitchTo(old);
		return;
	}
	ch = palloc0(sizeof(WorkerChannel));
	ch->slot = slot;
	ch->handle = handle;
	ch->seg = seg;
	ch->context = AllocSetContextCreate(TopMemoryContext, "mlpredict pool channel",
										ALLOCSET_DEFAULT_SIZES);
	mq = (shm_mq *) ((char *) header + header->request_offset);
	shm_mq_set_receiver(mq, MyProc);
	ch->requests = shm_mq_attach(mq, seg, NULL);
	mq = (shm_mq *) ((char *) header + header->response_offset);
	shm_mq_set_sender(mq, MyProc);
	ch->responses = shm_mq_attach(mq, seg, NULL);
	DispatchAddOwner(dispatcher, &ch->owner, ch);
	DispatchSetOwnerParts(&ch->owner, parts);
	dlist_push_tail(&channels, &ch->node);
	MemoryContextSwitchTo(old);
}

/*
 * read_requests
 *		Submit every complete request message waiting in the channel.
 */
static void
read_requests(WorkerChannel *ch)
{
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result res;
		MemoryContext job_context;
		MemoryContext old;
		DispatchJob *job;
		uint32		id;

		res = shm_mq_receive(ch->requests, &nbytes, &data, true);
		if (res == SHM_MQ_DETACHED)
			ch->gone = true;
		if (res != SHM_MQ_SUCCESS)
			return;

		job_context = AllocSetContextCreate(ch->context, "mlpredict pool job",
											ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(job_context);
		job = palloc0(sizeof(DispatchJob));
		job->request = PoolDecodeRequest(data, nbytes, &id);
		explicit_bzero(data, nbytes);
		job->id = id;
		job->response = palloc0(sizeof(HttpResponse));
		job->context = job_context;
		MemoryContextSwitchTo(old);
		DispatchSubmit(dispatcher, &ch->owner, job);
	}
}

/*
 * new_message
 *		A message for the job's channel, in the channel's memory; fill it
 *		with one of message.h's encoders, then queue it with outbox_add.
 */
static OutboxMessage *
new_message(DispatchJob *job)
{
	WorkerChannel *ch = (WorkerChannel *) job->owner->arg;
	MemoryContext old = MemoryContextSwitchTo(ch->context);
	OutboxMessage *m = palloc0(sizeof(OutboxMessage));

	initStringInfo(&m->msg);
	MemoryContextSwitchTo(old);
	return m;
}

/*
 * outbox_add
 *		Queue an encoded message on the job's channel, counted against the
 *		session's backlog and the buffer budget until it is sent.
 */
static void
outbox_add(DispatchJob *job, OutboxMessage *m)
{
	WorkerChannel *ch = (WorkerChannel *) job->owner->arg;
	MemoryContext old = MemoryContextSwitchTo(ch->context);

	ch->outbox = lappend(ch->outbox, m);
	ch->owner.backlog += m->msg.maxlen;
	HttpBufferAdjust(m->msg.maxlen);
	MemoryContextSwitchTo(old);
	responses_waiting = true;
}

/*
 * job_done
 *		A request is final: queue its response on its channel and free the
 *		job.  Secrets in the request are wiped first.
 */
static void
job_done(Dispatcher *d, DispatchJob *job)
{
	OutboxMessage *m = new_message(job);
	ListCell   *lc;

	m->head_len = PoolEncodeResponse(&m->msg, (uint32) job->id, job->response);
	outbox_add(job, m);
	requests_answered++;

	foreach(lc, job->request->headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);

		if (header->secret && header->value)
			explicit_bzero(header->value, strlen(header->value));
	}
	MemoryContextDelete(job->context);
}

/*
 * job_retry_wait
 *		Tell the job's session that it began or ended a retry's backoff (a
 *		small message, in order with its responses).
 */
static void
job_retry_wait(Dispatcher *d, DispatchJob *job, bool waiting)
{
	OutboxMessage *m = new_message(job);

	PoolEncodeRetryWait(&m->msg, (uint32) job->id, waiting);
	m->head_len = m->msg.len;
	outbox_add(job, m);
}

/*
 * send_all_responses
 *		Send what waits in every channel's outbox.
 */
static void
send_all_responses(void)
{
	dlist_iter	iter;

	responses_waiting = false;
	dlist_foreach(iter, &channels)
	{
		WorkerChannel *ch = dlist_container(WorkerChannel, node, iter.cur);

		send_responses(ch);
	}
}

/*
 * send_responses
 *		Send queued responses until the queue is full, as one batch: only
 *		the last part of the last is flushed (a full queue flushes what is
 *		pending itself).  A partly sent part stays next and is resent with
 *		the same bytes, as shm_mq requires.
 */
static void
send_responses(WorkerChannel *ch)
{
	while (ch->outbox != NIL && !ch->gone)
	{
		OutboxMessage *m = (OutboxMessage *) linitial(ch->outbox);
		int			len = m->sent == 0 ? m->head_len :
			Min(POOL_BODY_PIECE, m->msg.len - m->sent);
		bool		whole = (m->sent + len == m->msg.len);
		shm_mq_result res;

		res = MlShmMqSendBatched(ch->responses, len, m->msg.data + m->sent,
								 true, whole && list_length(ch->outbox) == 1);
		if (res == SHM_MQ_DETACHED)
			ch->gone = true;
		if (res != SHM_MQ_SUCCESS)
			return;
		m->sent += len;
		if (!whole)
			continue;
		ch->outbox = list_delete_first(ch->outbox);
		ch->owner.backlog -= Min(ch->owner.backlog, (size_t) m->msg.maxlen);
		HttpBufferAdjust(-(ssize_t) m->msg.maxlen);
		pfree(m->msg.data);
		pfree(m);
	}
}

/*
 * close_channel
 *		The backend has gone (or given up): abandon its requests, detach,
 *		and free the slot unless the backend already offered a new channel.
 */
static void
close_channel(WorkerChannel *ch)
{
	PoolSlot   *s = &PoolState->slots[ch->slot];
	ListCell   *lc;

	DispatchCancelOwner(dispatcher, &ch->owner);
	foreach(lc, ch->outbox)
		HttpBufferAdjust(-(ssize_t) ((OutboxMessage *) lfirst(lc))->msg.maxlen);
	dlist_delete(&ch->node);
	dsm_detach(ch->seg);
	SpinLockAcquire(&PoolState->mutex);
	if (s->handle == ch->handle && s->state == POOL_SLOT_ATTACHED)
		s->state = POOL_SLOT_EMPTY;
	SpinLockRelease(&PoolState->mutex);
	MemoryContextDelete(ch->context);
	pfree(ch);
}

/*
 * report_status
 *		Show sessions, requests in flight and queued in pg_stat_activity,
 *		and publish the bytes buffered, the sessions and the requests
 *		answered, when they change (this runs on every pass of the loop).
 */
static void
report_status(void)
{
	static int	last_sessions = -1;
	static int	last_running = -1;
	static int	last_queued = -1;
	static size_t last_buffered = 0;
	static size_t last_peak = 0;
	static uint64 last_answered = 0;
	char		status[128];
	int			sessions = DispatchOwners(dispatcher);
	int			running = DispatchRunning(dispatcher);
	int			queued = DispatchQueued(dispatcher);
	size_t		buffered = HttpBuffered();
	size_t		peak = HttpBufferedPeak();
	PoolWorkerState *w = &PoolState->workers[worker_index];

	if (buffered != last_buffered || peak != last_peak ||
		sessions != last_sessions || requests_answered != last_answered)
	{
		SpinLockAcquire(&PoolState->mutex);
		w->buffered = buffered;
		w->buffered_peak = peak;
		w->sessions = sessions;
		w->requests = requests_answered;
		SpinLockRelease(&PoolState->mutex);
		last_buffered = buffered;
		last_peak = peak;
		last_answered = requests_answered;
	}
	if (sessions == last_sessions && running == last_running &&
		queued == last_queued)
		return;
	last_sessions = sessions;
	last_running = running;
	last_queued = queued;

	snprintf(status, sizeof(status),
			 "mlpredict pool worker %d: %d session%s, %d in flight, %d queued",
			 worker_index + 1, sessions, sessions == 1 ? "" : "s", running, queued);
	if (strcmp(status, last_status) == 0)
		return;
	strlcpy(last_status, status, sizeof(last_status));
	pgstat_report_activity(running > 0 || queued > 0 ? STATE_RUNNING : STATE_IDLE,
						   status);
}
