/*-------------------------------------------------------------------------
 *
 * http_perform.c
 *	  HttpPerform: run a batch of requests to completion, through the pool
 *	  worker when the library was preloaded, else in this backend with
 *	  the same dispatcher.
 *
 * In-backend mode keeps one engine per backend for the life of the
 * process (connections stay alive across rows and statements) and one
 * dispatcher whose only owner is the running call.  Every wait is on the
 * process latch with CHECK_FOR_INTERRUPTS after it; on any ERROR
 * (including cancel and statement_timeout) PG_FINALLY abandons the call's
 * transfers, freeing their slots, and leaves the engine clean.
 *
 * IDENTIFICATION
 *	  src/http/http_perform.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"

#include "compat.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "mlpredict.h"
#include "pool/channel.h"
#include "pool/dispatch.h"
#include "pool/pool.h"

static HttpEngine *local_engine = NULL;
static Dispatcher *local_dispatcher = NULL;
static uint32 local_wait_event = 0;

static void perform_locally(HttpRequest **requests, HttpResponse *responses,
							int n);
static void local_done(Dispatcher *d, DispatchJob *job);
static void local_shutdown(int code, Datum arg);

/*
 * HttpPerform
 *		See http.h.
 */
void
HttpPerform(HttpRequest **requests, HttpResponse *responses, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (requests[i] == NULL)
			elog(ERROR, "HTTP request %d is missing", i);
		HttpCheckRequest(requests[i]);
		/* the session's limit, which the pool worker cannot see */
		if (requests[i]->max_body == 0)
			requests[i]->max_body = HttpMaxBodyBytes(requests[i]);
		responses[i].outcome = HTTP_FAILED;
		responses[i].nattempts = 0;
	}
	if (n == 0)
		return;
	if (PoolIsShared())
		PoolChannelPerform(requests, responses, n);
	else
		perform_locally(requests, responses, n);
}

/*
 * perform_locally
 *		Dispatch the batch in this backend and wait until every request is
 *		final.
 */
static void
perform_locally(HttpRequest **requests, HttpResponse *responses, int n)
{
	DispatchOwner owner;
	DispatchJob *jobs = palloc0(sizeof(DispatchJob) * n);

	if (local_engine == NULL)
	{
		local_engine = HttpEngineCreate(0);
		local_dispatcher = DispatchCreate(local_engine, local_done);
		local_wait_event = MlWaitEventExtensionNew("MlpredictHttp");
		on_proc_exit(local_shutdown, (Datum) 0);
	}

	DispatchAddOwner(local_dispatcher, &owner, NULL);
	for (int i = 0; i < n; i++)
	{
		jobs[i].id = i;
		jobs[i].request = requests[i];
		jobs[i].response = &responses[i];
		jobs[i].context = CurrentMemoryContext;
		DispatchSubmit(local_dispatcher, &owner, &jobs[i]);
	}

	PG_TRY();
	{
		while (owner.njobs > 0)
		{
			long		wake = DispatchStartReady(local_dispatcher);

			if (owner.njobs > 0)
			{
				HttpEngineWait(local_engine, wake < 0 ? 1000 : wake,
							   local_wait_event);
				CHECK_FOR_INTERRUPTS();
				DispatchCollect(local_dispatcher);
			}
		}
	}
	PG_FINALLY();
	{
		DispatchCancelOwner(local_dispatcher, &owner);
	}
	PG_END_TRY();
	pfree(jobs);
}

/* A job of the running call is final: nothing to do, owner.njobs tells. */
static void
local_done(Dispatcher *d, DispatchJob *job)
{
}

/*
 * local_shutdown
 *		on_proc_exit: a FATAL exit (pg_terminate_backend during a call) does
 *		not unwind to PG_FINALLY; closing the engine closes the transfers.
 */
static void
local_shutdown(int code, Datum arg)
{
	HttpEngineDestroy(local_engine);
	local_engine = NULL;
}
