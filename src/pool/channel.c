/*-------------------------------------------------------------------------
 *
 * channel.c
 *	  A backend's channel to its pool worker: a DSM segment with a request
 *	  queue and a response queue (shm_mq), offered through the backend's
 *	  slot in shared memory, kept for the life of the session.
 *
 * The backend sends every request of a batch, then waits on its latch
 * for the responses, draining them while it still sends so that neither
 * queue can deadlock the other.  Every wait lasts at most
 * POOL_CHECK_MS, after which it checks for interrupts and that the
 * worker it talks to is still the one that attached.
 *
 * Cancellation.  On any ERROR while requests are outstanding (query
 * cancel, statement_timeout, the worker's exit) the backend detaches the
 * segment.  That sets the worker's latch; the worker sees the queue
 * detached and abandons the session's transfers, closing their
 * connections.  A backend that exits detaches the same way.  The next
 * call opens a new channel.
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
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "pool/channel.h"
#include "pool/message.h"
#include "pool/pool.h"
#include "pool/pool_internal.h"

/* Longest wait before checking that the worker is alive. */
#define POOL_CHECK_MS			100

/* How long a call waits for a worker that is (re)starting. */
#define POOL_START_WAIT_MS		3000

typedef struct PoolChannel
{
	dsm_segment *seg;
	shm_mq_handle *requests;	/* we send */
	shm_mq_handle *responses;	/* we receive */
	int			slot;
	int			worker;
	uint64		generation;		/* of the worker we offered it to */
} PoolChannel;

static PoolChannel *channel = NULL;
static uint32 pool_wait_event = 0;
static bool exit_callback_registered = false;

static void channel_open(void);
static void channel_close(void);
static void channel_exit(int code, Datum arg);
static void channel_exchange(StringInfo msgs, HttpResponse *responses, int n);
static void channel_check_worker(void);
static void worker_gone(void) pg_attribute_noreturn();
static bool worker_running(int worker, uint64 *generation, Latch **latch);

/*
 * PoolChannelPerform
 *		See channel.h.
 */
void
PoolChannelPerform(HttpRequest **requests, HttpResponse *responses, int n)
{
	StringInfo	msgs = palloc(sizeof(StringInfoData) * n);

	for (int i = 0; i < n; i++)
	{
		initStringInfo(&msgs[i]);
		PoolEncodeRequest(&msgs[i], (uint32) i, requests[i]);
	}
	if (pool_wait_event == 0)
		pool_wait_event = MlWaitEventExtensionNew("MlpredictPool");
	if (channel == NULL)
		channel_open();

	PG_TRY();
	{
		channel_exchange(msgs, responses, n);
	}
	PG_CATCH();
	{
		channel_close();
		for (int i = 0; i < n; i++)
			explicit_bzero(msgs[i].data, msgs[i].len);
		PG_RE_THROW();
	}
	PG_END_TRY();
	/* every message was sent, and wiped once sent */
	for (int i = 0; i < n; i++)
		pfree(msgs[i].data);
	pfree(msgs);
}

/*
 * channel_exchange
 *		Send n requests and receive their n responses.
 */
static void
channel_exchange(StringInfo msgs, HttpResponse *responses, int n)
{
	int			sent = 0;
	int			received = 0;

	while (received < n)
	{
		bool		progress = false;
		shm_mq_result res;

		while (sent < n)
		{
			res = MlShmMqSend(channel->requests, msgs[sent].len, msgs[sent].data, true);
			if (res == SHM_MQ_DETACHED)
				worker_gone();
			if (res != SHM_MQ_SUCCESS)
				break;
			explicit_bzero(msgs[sent].data, msgs[sent].len);
			sent++;
			progress = true;
		}
		while (received < n)
		{
			Size		nbytes;
			void	   *data;

			res = shm_mq_receive(channel->responses, &nbytes, &data, true);
			if (res == SHM_MQ_DETACHED)
				worker_gone();
			if (res != SHM_MQ_SUCCESS)
				break;
			(void) PoolDecodeResponse(data, nbytes, responses, n);
			received++;
			progress = true;
		}
		if (received == n || progress)
			continue;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 POOL_CHECK_MS, pool_wait_event);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		channel_check_worker();
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

	if (!exit_callback_registered)
	{
		before_shmem_exit(channel_exit, (Datum) 0);
		exit_callback_registered = true;
	}

	old = MemoryContextSwitchTo(TopMemoryContext);
	ch = palloc0(sizeof(PoolChannel));
	ch->slot = slot;
	ch->worker = worker;
	ch->generation = generation;
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

	if (ch == NULL)
		return;
	channel = NULL;
	SpinLockAcquire(&PoolState->mutex);
	if (PoolState->slots[ch->slot].handle == dsm_segment_handle(ch->seg))
		PoolState->slots[ch->slot].state = POOL_SLOT_EMPTY;
	SpinLockRelease(&PoolState->mutex);
	dsm_detach(ch->seg);
	pfree(ch);
}

/* before_shmem_exit: close the channel while shared memory is still there. */
static void
channel_exit(int code, Datum arg)
{
	channel_close();
}
