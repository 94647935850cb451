/*-------------------------------------------------------------------------
 *
 * channel.c
 *	  A backend's channels to pool workers: each a DSM segment with a
 *	  request queue and a response queue (shm_mq), offered through the
 *	  backend's slot for that worker in shared memory, kept for the life
 *	  of the session.
 *
 * This is the queue backend (http_queue.h) of a backend with the pool:
 * requests come from HttpQueues (http_queue.c); each gets an id on the
 * channel, and each response goes back to the queue entry its id names,
 * so several queues (a pipelined query and the OAuth token fetch it
 * makes, two pipelined joins of one query) share the channel.
 *
 * Several workers.  A session starts with one channel, to its home
 * worker (procno % mlpredict.pool_workers).  While every channel it has
 * holds POOL_SPILL_AT or more outstanding requests, the next request
 * opens a channel to the next worker, up to
 * mlpredict.pool_workers_per_session of them; each request goes to the
 * channel with the fewest outstanding.  The number is fixed while any
 * channel has requests: after a change of the setting, the channels are
 * closed and opened anew once they are all idle.
 * So a light session keeps one worker and its keep-alive connections,
 * and one heavy query can use every worker's CPU.  Each worker is told
 * how many the session may spread over and gives each part that
 * fraction of mlpredict.max_session_share.  While
 * many requests are outstanding, new ones go out in batches of
 * POOL_SEND_BATCH, or at the next poll, whichever comes first, so the
 * worker's latch is set once a batch; with few outstanding, at once.
 * Sending never blocks: what does not fit the request queue waits in the
 * channel's pending list and goes out on the next poll, and polls drain
 * the response queue too, so neither queue can deadlock the other.  A
 * long body arrives in pieces after its response's head (message.h),
 * appended to the response as they come, read in place from the ring.  A
 * waiting poll sleeps on the latch at most POOL_CHECK_MS, then checks
 * for interrupts and that the worker it talks to is still the one that
 * attached.
 *
 * Cancellation.  A queue that is cancelled (its query ended, or its
 * memory went in an abort) makes the channel forget its requests: their
 * responses are dropped when they arrive.  A transaction abort with
 * requests still on the channel closes it: the worker sees the queue
 * detached and abandons the session's transfers, closing their
 * connections.  A backend that exits detaches the same way, and the
 * worker's exit fails every outstanding request with an ERROR.  The next
 * request opens a new channel.
 *
 * IDENTIFICATION
 *	  src/pool/channel.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "access/xact.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "http/http_queue.h"
#include "pool/channel.h"
#include "pool/message.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"
#include "stats/stats.h"

/* Longest wait before checking that the worker is alive. */
#define POOL_CHECK_MS			100

/* How long a call waits for a worker that is (re)starting. */
#define POOL_START_WAIT_MS		3000

/*
 * While more than this many requests are outstanding, requests are sent
 * in batches of this many (setting the worker's latch once a batch); a
 * poll sends whatever waits.  With fewer outstanding, each goes at once:
 * the worker may have nothing else to do.
 */
#define POOL_SEND_BATCH			16

/*
 * A session opens a channel to one more worker when each channel it has
 * holds at least this many outstanding requests.
 */
#define POOL_SPILL_AT			16

typedef struct PoolChannel
{
	dsm_segment *seg;
	shm_mq_handle *requests;	/* we send */
	shm_mq_handle *responses;	/* we receive */
	int			slot;
	int			worker;
	uint64		generation;		/* of the worker we offered it to */
	MemoryContext context;		/* pending messages, the id table */
	HTAB	   *outstanding;	/* id -> OutstandingRequest */
	List	   *pending;		/* PendingMessage not yet (fully) sent */
	int			abandoned;		/* forgotten requests still to be answered */
	uint32		piece_id;		/* the response whose body pieces arrive */
	Size		piece_left;		/* bytes of them still to come (0: none) */
} PoolChannel;

typedef struct OutstandingRequest
{
	uint32		id;				/* hash key */
	HttpQueueEntry *entry;
} OutstandingRequest;

/* An encoded request waiting for room in the request queue. */
typedef struct PendingMessage
{
	uint32		id;
	StringInfoData msg;			/* holds secrets: wiped once sent */
} PendingMessage;

/* The channel's data of a queue entry (HttpQueueEntryData). */
typedef struct ChannelEntry
{
	uint32		id;				/* its id on the channel */
	int			worker;			/* the channel's worker */
} ChannelEntry;

/* The open channels, by worker; nopen of them are not NULL. */
static PoolChannel *channels[POOL_MAX_WORKERS];
static int	nopen = 0;
static int	session_parts = 1;	/* workers to spread over, while any open */
static uint32 pool_wait_event = 0;
static bool callbacks_registered = false;
static uint32 next_id = 0;

static void channel_submit(HttpQueueEntry *entry);
static void channel_poll(bool wait);
static void channel_cancel(HttpQueue *queue);
static void channel_forget(HttpQueueEntry *entry);
static PoolChannel *channel_choose(void);
static int	parts_wanted(int nworkers);
static bool channels_idle(void);
static int	channel_load(PoolChannel *ch);
static PoolChannel *channel_open(int worker, bool wait);
static void channel_close(PoolChannel *ch);
static void channel_close_all(void);
static void channel_exit(int code, Datum arg);
static void channel_xact(XactEvent event, void *arg);
static bool channel_flush(PoolChannel *ch);
static bool channel_receive(PoolChannel *ch);
static void receive_piece(PoolChannel *ch, const char *data, Size nbytes);
static bool channels_move(void);
static void channel_check_worker(PoolChannel *ch);
pg_noreturn static void worker_gone(PoolChannel *ch);
static bool worker_running(int worker, uint64 *generation, Latch **latch);

const HttpQueueBackend PoolChannelBackend = {
	.entry_size = sizeof(ChannelEntry),
	.submit = channel_submit,
	.poll = channel_poll,
	.cancel = channel_cancel,
};

/*
 * channel_submit
 *		Send a queue entry's request to a pool worker (now, or on a later
 *		poll when the request queue is full).  Opens a channel if needed;
 *		raises ERROR when the worker is not running.
 */
static void
channel_submit(HttpQueueEntry *entry)
{
	ChannelEntry *ce = HttpQueueEntryData(entry);
	PoolChannel *ch;
	OutstandingRequest *out;
	PendingMessage *pending;
	MemoryContext old;
	bool		found;

	MlStatsForgetMissingDatabases();
	if (pool_wait_event == 0)
		pool_wait_event = MlWaitEventExtensionNew("MlpredictPool");
	ch = channel_choose();

	if (++next_id == 0)
		next_id = 1;
	ce->id = next_id;
	ce->worker = ch->worker;
	old = MemoryContextSwitchTo(ch->context);
	pending = palloc(sizeof(PendingMessage));
	pending->id = ce->id;
	initStringInfo(&pending->msg);
	PoolEncodeRequest(&pending->msg, pending->id, entry->request);
	ch->pending = lappend(ch->pending, pending);
	MemoryContextSwitchTo(old);
	out = hash_search(ch->outstanding, &ce->id, HASH_ENTER, &found);
	out->entry = entry;
	if (list_length(ch->pending) >= POOL_SEND_BATCH ||
		hash_get_num_entries(ch->outstanding) <= POOL_SEND_BATCH)
		(void) channel_flush(ch);
}

/*
 * channel_choose
 *		The channel for the next request: the open one with the fewest
 *		outstanding requests; the home worker's, opened now, when none is
 *		open; another worker's, opened now, when every open one holds
 *		POOL_SPILL_AT or more and the session may spread further (a worker
 *		that is not running is passed over).
 */
static PoolChannel *
channel_choose(void)
{
	int			nworkers = Max(PoolState->nworkers, 1);
	int			home = MlMyProcNumber() % nworkers;
	PoolChannel *best = NULL;

	if (nopen > 0 && parts_wanted(nworkers) != session_parts && channels_idle())
		channel_close_all();
	if (nopen == 0)
	{
		session_parts = parts_wanted(nworkers);
		return channel_open(home, true);
	}
	for (int i = 0; i < session_parts; i++)
	{
		PoolChannel *ch = channels[(home + i) % nworkers];

		if (ch != NULL && (best == NULL || channel_load(ch) < channel_load(best)))
			best = ch;
	}
	if (best == NULL)			/* the home channel closed, others open */
		return channel_open(home, true);
	if (channel_load(best) < POOL_SPILL_AT || nopen >= session_parts)
		return best;
	for (int i = 1; i < session_parts; i++)
	{
		int			worker = (home + i) % nworkers;

		if (channels[worker] == NULL)
		{
			PoolChannel *ch = channel_open(worker, false);

			if (ch != NULL)
				return ch;
		}
	}
	return best;
}

/*
 * The workers mlpredict.pool_workers_per_session asks to spread over; no
 * more than the session's share of mlpredict.max_connections, so that
 * each part's share (at least 1) adds up to no more than the whole.
 */
static int
parts_wanted(int nworkers)
{
	int			parts = nworkers;

	if (mlpredict_pool_workers_per_session > 0)
		parts = Min(mlpredict_pool_workers_per_session, nworkers);
	if (PoolSessionCap() > 0)
		parts = Min(parts, PoolSessionCap());
	return parts;
}

/* Whether no channel has a request outstanding, pending or abandoned. */
static bool
channels_idle(void)
{
	for (int w = 0; w < POOL_MAX_WORKERS; w++)
	{
		PoolChannel *ch = channels[w];

		if (ch != NULL && (channel_load(ch) > 0 || ch->pending != NIL ||
						   ch->abandoned > 0))
			return false;
	}
	return true;
}

/* Requests outstanding on a channel. */
static int
channel_load(PoolChannel *ch)
{
	return (int) hash_get_num_entries(ch->outstanding);
}

/*
 * channel_poll
 *		Move messages both ways on every channel: send what waits, and
 *		hand every response that arrived to its entry
 *		(HttpQueueEntryDone).  With wait, and when nothing moved, sleep on
 *		the latch first (at most POOL_CHECK_MS; every worker sets it),
 *		then check for interrupts and the workers.  Raises ERROR when a
 *		worker exited (after failing its outstanding requests).
 */
static void
channel_poll(bool wait)
{
	if (nopen == 0)
		return;
	if (channels_move() || !wait)
		return;
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 POOL_CHECK_MS, pool_wait_event);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	for (int w = 0; w < POOL_MAX_WORKERS; w++)
		if (channels[w] != NULL)
			channel_check_worker(channels[w]);
	(void) channels_move();
}

/* One round of channel_flush and channel_receive on each channel. */
static bool
channels_move(void)
{
	bool		progress = false;

	for (int w = 0; w < POOL_MAX_WORKERS; w++)
	{
		if (channels[w] == NULL)
			continue;
		progress |= channel_flush(channels[w]);
		if (channels[w] != NULL)
			progress |= channel_receive(channels[w]);
	}
	return progress;
}

/*
 * channel_cancel
 *		Forget every outstanding request of the queue.  Never raises
 *		ERROR.
 */
static void
channel_cancel(HttpQueue *queue)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &queue->outstanding)
	{
		HttpQueueEntry *entry = dlist_container(HttpQueueEntry, node, iter.cur);

		channel_forget(entry);
		dlist_delete(&entry->node);
	}
}

/*
 * channel_forget
 *		Forget an outstanding request: its response will be dropped.  Never
 *		raises ERROR.
 */
static void
channel_forget(HttpQueueEntry *entry)
{
	ChannelEntry *ce = HttpQueueEntryData(entry);
	PoolChannel *ch;
	ListCell   *lc;
	bool		found;

	if (ce->worker < 0 || ce->worker >= POOL_MAX_WORKERS)
		return;
	ch = channels[ce->worker];
	if (ch == NULL)
		return;
	(void) hash_search(ch->outstanding, &ce->id, HASH_REMOVE, &found);
	if (!found)
		return;
	/* its head has come: the rest of its body is dropped as it comes */
	if (ch->piece_left > 0 && ch->piece_id == ce->id)
		return;
	/* not sent yet (and not partly sent, as the head may be): drop it */
	foreach(lc, ch->pending)
	{
		PendingMessage *pending = lfirst(lc);

		if (pending->id != ce->id || lc == list_head(ch->pending))
			continue;
		explicit_bzero(pending->msg.data, pending->msg.len);
		pfree(pending->msg.data);
		pfree(pending);
		ch->pending = foreach_delete_current(ch->pending, lc);
		return;
	}
	ch->abandoned++;
}

/*
 * channel_flush
 *		Send pending messages while the request queue has room, as one
 *		batch (only the last is flushed; a full queue flushes what is
 *		pending itself); true if any went out.
 */
static bool
channel_flush(PoolChannel *ch)
{
	bool		progress = false;

	while (ch->pending != NIL)
	{
		PendingMessage *pending = linitial(ch->pending);
		shm_mq_result res;

		res = MlShmMqSendBatched(ch->requests, pending->msg.len,
								 pending->msg.data, true,
								 list_length(ch->pending) == 1);
		if (res == SHM_MQ_DETACHED)
			worker_gone(ch);
		if (res != SHM_MQ_SUCCESS)
			break;
		explicit_bzero(pending->msg.data, pending->msg.len);
		pfree(pending->msg.data);
		pfree(pending);
		ch->pending = list_delete_first(ch->pending);
		progress = true;
	}
	return progress;
}

/*
 * channel_receive
 *		Hand every response waiting in the response queue to its entry
 *		(or drop it, if its request was forgotten); true if any came.
 */
static bool
channel_receive(PoolChannel *ch)
{
	bool		progress = false;

	for (;;)
	{
		Size		nbytes;
		void	   *data;
		uint32		id;
		OutstandingRequest *out;
		bool		waiting;
		shm_mq_result res;

		res = shm_mq_receive(ch->responses, &nbytes, &data, true);
		if (res == SHM_MQ_DETACHED)
			worker_gone(ch);
		if (res != SHM_MQ_SUCCESS)
			break;
		progress = true;
		if (ch->piece_left > 0)
		{
			receive_piece(ch, data, nbytes);
			continue;
		}
		if (PoolDecodeRetryWait(data, nbytes, &id, &waiting))
		{
			/* a notice, not final: an abandoned request's is dropped */
			out = hash_search(ch->outstanding, &id, HASH_FIND, NULL);
			if (out != NULL)
				HttpQueueEntryRetryWaiting(out->entry, waiting);
			continue;
		}
		id = PoolResponseId(data, nbytes, &ch->piece_left);
		ch->piece_id = id;
		out = hash_search(ch->outstanding, &id, HASH_FIND, NULL);
		if (out == NULL)
		{
			/* its pieces, if any, are dropped as they come */
			if (ch->abandoned > 0)
				ch->abandoned--;
			continue;
		}
		{
			HttpQueueEntry *entry = out->entry;
			MemoryContext old = MemoryContextSwitchTo(entry->response_context);

			PoolDecodeResponse(data, nbytes, entry->response);
			MemoryContextSwitchTo(old);
			if (ch->piece_left == 0)
			{
				(void) hash_search(ch->outstanding, &id, HASH_REMOVE, NULL);
				HttpQueueEntryDone(entry);
			}
		}
	}
	return progress;
}

/*
 * receive_piece
 *		A piece of the body of response piece_id: appended to it, the
 *		response done with its last piece; dropped if the request was
 *		forgotten meanwhile.
 */
static void
receive_piece(PoolChannel *ch, const char *data, Size nbytes)
{
	OutstandingRequest *out;

	out = hash_search(ch->outstanding, &ch->piece_id, HASH_FIND, NULL);
	PoolAppendBodyPiece(data, nbytes, &ch->piece_left,
						out != NULL ? out->entry->response : NULL);
	if (out != NULL && ch->piece_left == 0)
	{
		HttpQueueEntry *entry = out->entry;

		(void) hash_search(ch->outstanding, &ch->piece_id, HASH_REMOVE, NULL);
		HttpQueueEntryDone(entry);
	}
}

/*
 * worker_running
 *		Whether the worker runs; its generation and latch if so.
 */
static bool
worker_running(int worker, uint64 *generation, Latch **latch)
{
	PoolWorkerState *w = &PoolState->workers[worker];
	bool		running;

	SpinLockAcquire(&PoolState->mutex);
	running = w->pid != 0;
	*generation = w->generation;
	*latch = w->latch;
	SpinLockRelease(&PoolState->mutex);
	return running;
}

/*
 * channel_check_worker
 *		ERROR if the worker we offered the channel to has exited (its
 *		generation changes when it exits and when a new one starts).
 */
static void
channel_check_worker(PoolChannel *ch)
{
	uint64		generation;
	Latch	   *latch;

	if (!worker_running(ch->worker, &generation, &latch) ||
		generation != ch->generation)
		worker_gone(ch);
}

static void
worker_gone(PoolChannel *ch)
{
	int			worker = ch->worker + 1;

	channel_close(ch);
	ereport(ERROR,
			errcode(ERRCODE_CONNECTION_FAILURE),
			errmsg("mlpredict pool worker %d exited while serving this session", worker),
			errdetail("The requests in flight were abandoned."),
			errhint("The worker restarts automatically; run the statement again."));
}

/*
 * channel_open
 *		Create a segment and its queues, and offer it to the worker in our
 *		slot for it.  With wait, wait a little for a worker that is
 *		starting, then raise ERROR; without, return NULL at once if the
 *		worker is not running.
 */
static PoolChannel *
channel_open(int worker, bool wait)
{
	MemoryContext old;
	PoolChannel *ch;
	PoolChannelHeader *header;
	shm_mq	   *mq;
	int			slot = MlMyProcNumber() * PoolState->nworkers + worker;
	uint64		generation = 0;
	Latch	   *latch = NULL;
	TimestampTz deadline = GetCurrentTimestamp() +
		(TimestampTz) POOL_START_WAIT_MS * 1000;

	if (MlMyProcNumber() < 0 || slot < 0 || slot >= PoolState->nslots)
		elog(ERROR, "mlpredict pool slot %d out of range", slot);
	while (!worker_running(worker, &generation, &latch))
	{
		if (!wait)
			return NULL;
		if (GetCurrentTimestamp() >= deadline)
			ereport(ERROR,
					errcode(ERRCODE_CONNECTION_FAILURE),
					errmsg("mlpredict pool worker %d is not running", worker + 1),
					errhint("Check the server log; the worker is restarted automatically a second after it exits."));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 POOL_CHECK_MS, pool_wait_event);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	if (!callbacks_registered)
	{
		before_shmem_exit(channel_exit, (Datum) 0);
		RegisterXactCallback(channel_xact, NULL);
		callbacks_registered = true;
	}

	old = MemoryContextSwitchTo(TopMemoryContext);
	ch = palloc0(sizeof(PoolChannel));
	ch->slot = slot;
	ch->worker = worker;
	ch->generation = generation;
	ch->context = AllocSetContextCreate(TopMemoryContext, "mlpredict pool channel",
										ALLOCSET_SMALL_SIZES);
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(uint32);
		ctl.entrysize = sizeof(OutstandingRequest);
		ctl.hcxt = ch->context;
		ch->outstanding = hash_create("mlpredict outstanding requests", 64, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	ch->seg = dsm_create(MAXALIGN(sizeof(PoolChannelHeader)) +
						 POOL_REQUEST_QUEUE_SIZE + POOL_RESPONSE_QUEUE_SIZE, 0);
	dsm_pin_mapping(ch->seg);
	header = dsm_segment_address(ch->seg);
	header->magic = POOL_CHANNEL_MAGIC;
	header->request_offset = MAXALIGN(sizeof(PoolChannelHeader));
	header->request_size = POOL_REQUEST_QUEUE_SIZE;
	header->response_offset = header->request_offset + POOL_REQUEST_QUEUE_SIZE;
	header->response_size = POOL_RESPONSE_QUEUE_SIZE;

	mq = shm_mq_create((char *) header + header->request_offset, header->request_size);
	shm_mq_set_sender(mq, MyProc);
	ch->requests = shm_mq_attach(mq, ch->seg, NULL);
	mq = shm_mq_create((char *) header + header->response_offset, header->response_size);
	shm_mq_set_receiver(mq, MyProc);
	ch->responses = shm_mq_attach(mq, ch->seg, NULL);
	MemoryContextSwitchTo(old);
	channels[worker] = ch;
	nopen++;

	SpinLockAcquire(&PoolState->mutex);
	PoolState->slots[slot].state = POOL_SLOT_OFFERED;
	PoolState->slots[slot].handle = dsm_segment_handle(ch->seg);
	PoolState->slots[slot].generation = generation;
	PoolState->slots[slot].parts = session_parts;
	PoolState->workers[worker].offers++;
	SpinLockRelease(&PoolState->mutex);
	if (latch)
		SetLatch(latch);
	return ch;
}

/*
 * channel_close
 *		Give the slot back and detach the segment, which tells the worker
 *		to abandon whatever it still does for us.  Never raises ERROR.
 */
static void
channel_close(PoolChannel *ch)
{
	HASH_SEQ_STATUS seq;
	OutstandingRequest *out;
	ListCell   *lc;

	if (ch == NULL || channels[ch->worker] != ch)
		return;
	channels[ch->worker] = NULL;
	nopen--;
	SpinLockAcquire(&PoolState->mutex);
	if (PoolState->slots[ch->slot].handle == dsm_segment_handle(ch->seg))
		PoolState->slots[ch->slot].state = POOL_SLOT_EMPTY;
	SpinLockRelease(&PoolState->mutex);
	dsm_detach(ch->seg);

	/* requests still waiting fail; their queues' memory is still there */
	hash_seq_init(&seq, ch->outstanding);
	while ((out = hash_seq_search(&seq)) != NULL)
	{
		HttpResponse *response = out->entry->response;

		response->outcome = HTTP_FAILED;
		response->status = 0;
		strlcpy(response->error, "the mlpredict pool channel closed before the response arrived",
				sizeof(response->error));
		HttpQueueEntryDone(out->entry);
	}
	foreach(lc, ch->pending)
	{
		PendingMessage *pending = lfirst(lc);

		explicit_bzero(pending->msg.data, pending->msg.len);
	}
	MemoryContextDelete(ch->context);
	pfree(ch);
}

/* Close every open channel.  Never raises ERROR. */
static void
channel_close_all(void)
{
	for (int w = 0; w < POOL_MAX_WORKERS; w++)
		if (channels[w] != NULL)
			channel_close(channels[w]);
}

/*
 * channel_xact
 *		A transaction abort with requests still on a channel (answers
 *		outstanding or forgotten) closes it, so that its worker drops them
 *		now instead of finishing work nobody waits for.
 */
static void
channel_xact(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_ABORT && event != XACT_EVENT_PARALLEL_ABORT)
		return;
	for (int w = 0; w < POOL_MAX_WORKERS; w++)
	{
		PoolChannel *ch = channels[w];

		if (ch != NULL &&
			(hash_get_num_entries(ch->outstanding) > 0 ||
			 ch->abandoned > 0 || ch->pending != NIL))
			channel_close(ch);
	}
}

/* before_shmem_exit: close the channels while shared memory is still there. */
static void
channel_exit(int code, Datum arg)
{
	channel_close_all();
}
