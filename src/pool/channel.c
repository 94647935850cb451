/*-------------------------------------------------------------------------
 *
 * channel.c
 *	  A backend's channel to its pool worker: a DSM segment with a request
 *	  queue and a response queue (shm_mq), offered through the backend's
 *	  slot in shared memory, kept for the life of the session.
 *
 * This is the queue backend (http_queue.h) of a backend with the pool:
 * requests come from HttpQueues (http_queue.c); each gets an id on the
 * channel, and each response goes back to the queue entry its id names,
 * so several queues (a pipelined query and the OAuth token fetch it
 * makes, two pipelined joins of one query) share the channel.  While
 * many requests are outstanding, new ones go out in batches of
 * POOL_SEND_BATCH, or at the next poll, whichever comes first, so the
 * worker's latch is set once a batch; with few outstanding, at once.
 * Sending never blocks: what does not fit the request queue waits in the
 * channel's pending list and goes out on the next poll, and polls drain
 * the response queue too, so neither queue can deadlock the other.  A
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
} ChannelEntry;

static PoolChannel *channel = NULL;
static uint32 pool_wait_event = 0;
static bool callbacks_registered = false;
static uint32 next_id = 0;

static void channel_submit(HttpQueueEntry *entry);
static void channel_poll(bool wait);
static void channel_cancel(HttpQueue *queue);
static void channel_forget(HttpQueueEntry *entry);
static void channel_open(void);
static void channel_close(void);
static void channel_exit(int code, Datum arg);
static void channel_xact(XactEvent event, void *arg);
static bool channel_flush(void);
static bool channel_receive(void);
static void channel_check_worker(void);
pg_noreturn static void worker_gone(void);
static bool worker_running(int worker, uint64 *generation, Latch **latch);

const HttpQueueBackend PoolChannelBackend = {
	.entry_size = sizeof(ChannelEntry),
	.submit = channel_submit,
	.poll = channel_poll,
	.cancel = channel_cancel,
};

/*
 * channel_submit
 *		Send a queue entry's request to the pool worker (now, or on a later
 *		poll when the request queue is full).  Opens the channel if needed;
 *		raises ERROR when the worker is not running.
 */
static void
channel_submit(HttpQueueEntry *entry)
{
	ChannelEntry *ce = HttpQueueEntryData(entry);
	OutstandingRequest *out;
	PendingMessage *pending;
	MemoryContext old;
	bool		found;

	MlStatsForgetMissingDatabases();
	if (pool_wait_event == 0)
		pool_wait_event = MlWaitEventExtensionNew("MlpredictPool");
	if (channel == NULL)
		channel_open();

	if (++next_id == 0)
		next_id = 1;
	ce->id = next_id;
	old = MemoryContextSwitchTo(channel->context);
	pending = palloc(sizeof(PendingMessage));
	pending->id = ce->id;
	initStringInfo(&pending->msg);
	PoolEncodeRequest(&pending->msg, pending->id, entry->request);
	channel->pending = lappend(channel->pending, pending);
	MemoryContextSwitchTo(old);
	out = hash_search(channel->outstanding, &ce->id, HASH_ENTER, &found);
	out->entry = entry;
	if (list_length(channel->pending) >= POOL_SEND_BATCH ||
		hash_get_num_entries(channel->outstanding) <= POOL_SEND_BATCH)
		(void) channel_flush();
}

/*
 * channel_poll
 *		Move messages both ways: send what waits, and hand every response
 *		that arrived to its entry (HttpQueueEntryDone).  With wait, and
 *		when nothing moved, sleep on the latch first (at most
 *		POOL_CHECK_MS), then check for interrupts and the worker.  Raises
 *		ERROR when the worker exited (after failing every outstanding
 *		request).
 */
static void
channel_poll(bool wait)
{
	bool		progress;

	if (channel == NULL)
		return;
	progress = channel_flush();
	progress |= channel_receive();
	if (progress || !wait)
		return;
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 POOL_CHECK_MS, pool_wait_event);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	channel_check_worker();
	(void) channel_flush();
	(void) channel_receive();
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
	ListCell   *lc;
	bool		found;

	if (channel == NULL)
		return;
	(void) hash_search(channel->outstanding, &ce->id, HASH_REMOVE, &found);
	if (!found)
		return;
	/* not sent yet (and not partly sent, as the head may be): drop it */
	foreach(lc, channel->pending)
	{
		PendingMessage *pending = lfirst(lc);

		if (pending->id != ce->id || lc == list_head(channel->pending))
			continue;
		explicit_bzero(pending->msg.data, pending->msg.len);
		pfree(pending->msg.data);
		pfree(pending);
		channel->pending = foreach_delete_current(channel->pending, lc);
		return;
	}
	channel->abandoned++;
}

/*
 * channel_flush
 *		Send pending messages while the request queue has room, as one
 *		batch (only the last is flushed; a full queue flushes what is
 *		pending itself); true if any went out.
 */
static bool
channel_flush(void)
{
	bool		progress = false;

	while (channel->pending != NIL)
	{
		PendingMessage *pending = linitial(channel->pending);
		shm_mq_result res;

		res = MlShmMqSendBatched(channel->requests, pending->msg.len,
								 pending->msg.data, true,
								 list_length(channel->pending) == 1);
		if (res == SHM_MQ_DETACHED)
			worker_gone();
		if (res != SHM_MQ_SUCCESS)
			break;
		explicit_bzero(pending->msg.data, pending->msg.len);
		pfree(pending->msg.data);
		pfree(pending);
		channel->pending = list_delete_first(channel->pending);
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
channel_receive(void)
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

		res = shm_mq_receive(channel->responses, &nbytes, &data, true);
		if (res == SHM_MQ_DETACHED)
			worker_gone();
		if (res != SHM_MQ_SUCCESS)
			break;
		progress = true;
		if (PoolDecodeRetryWait(data, nbytes, &id, &waiting))
		{
			/* a notice, not final: an abandoned request's is dropped */
			out = hash_search(channel->outstanding, &id, HASH_FIND, NULL);
			if (out != NULL)
				HttpQueueEntryRetryWaiting(out->entry, waiting);
			continue;
		}
		id = PoolResponseId(data, nbytes);
		out = hash_search(channel->outstanding, &id, HASH_FIND, NULL);
		if (out == NULL)
		{
			if (channel->abandoned > 0)
				channel->abandoned--;
			continue;
		}
		{
			HttpQueueEntry *entry = out->entry;
			MemoryContext old = MemoryContextSwitchTo(entry->response_context);

			(void) hash_search(channel->outstanding, &id, HASH_REMOVE, NULL);
			PoolDecodeResponse(data, nbytes, entry->response);
			MemoryContextSwitchTo(old);
			HttpQueueEntryDone(entry);
		}
	}
	return progress;
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
channel_check_worker(void)
{
	uint64		generation;
	Latch	   *latch;

	if (!worker_running(channel->worker, &generation, &latch) ||
		generation != channel->generation)
		worker_gone();
}

static void
worker_gone(void)
{
	int			worker = channel->worker + 1;

	channel_close();
	ereport(ERROR,
			errcode(ERRCODE_CONNECTION_FAILURE),
			errmsg("mlpredict pool worker %d exited while serving this session", worker),
			errdetail("The requests in flight were abandoned."),
			errhint("The worker restarts automatically; run the statement again."));
}

/*
 * channel_open
 *		Create the segment and its queues, and offer it to our worker,
 *		waiting a little for one that is starting.
 */
static void
channel_open(void)
{
	MemoryContext old;
	PoolChannel *ch;
	PoolChannelHeader *header;
	shm_mq	   *mq;
	int			slot = MlMyProcNumber();
	int			worker = slot % Max(PoolState->nworkers, 1);
	uint64		generation = 0;
	Latch	   *latch = NULL;
	TimestampTz deadline = GetCurrentTimestamp() +
		(TimestampTz) POOL_START_WAIT_MS * 1000;

	if (slot < 0 || slot >= PoolState->nslots)
		elog(ERROR, "mlpredict pool slot %d out of range", slot);
	while (!worker_running(worker, &generation, &latch))
	{
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
	channel = ch;

	SpinLockAcquire(&PoolState->mutex);
	PoolState->slots[slot].state = POOL_SLOT_OFFERED;
	PoolState->slots[slot].handle = dsm_segment_handle(ch->seg);
	PoolState->slots[slot].generation = generation;
	PoolState->workers[worker].offers++;
	SpinLockRelease(&PoolState->mutex);
	if (latch)
		SetLatch(latch);
}

/*
 * channel_close
 *		Give the slot back and detach the segment, which tells the worker
 *		to abandon whatever it still does for us.  Never raises ERROR.
 */
static void
channel_close(void)
{
	PoolChannel *ch = channel;
	HASH_SEQ_STATUS seq;
	OutstandingRequest *out;
	ListCell   *lc;

	if (ch == NULL)
		return;
	channel = NULL;
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

/*
 * channel_xact
 *		A transaction abort with requests still on the channel (answers
 *		outstanding or forgotten) closes it, so that the worker drops them
 *		now instead of finishing work nobody waits for.
 */
static void
channel_xact(XactEvent event, void *arg)
{
	if (channel == NULL)
		return;
	if (event != XACT_EVENT_ABORT && event != XACT_EVENT_PARALLEL_ABORT)
		return;
	if (hash_get_num_entries(channel->outstanding) > 0 ||
		channel->abandoned > 0 || channel->pending != NIL)
		channel_close();
}

/* before_shmem_exit: close the channel while shared memory is still there. */
static void
channel_exit(int code, Datum arg)
{
	channel_close();
}
