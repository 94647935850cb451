/*-------------------------------------------------------------------------
 *
 * decode_rows.c
 *	  A final response becomes its rows' outputs, or what the on_error
 *	  runtime option makes of a failure; rows and tokens are counted.
 *
 * Shared by ml_predict's one-row-per-call path (predict.c) and the
 * pipelined executor (pipeline.c), so both give the same rows for the
 * same answers.
 *
 * on_error = fail raises the error.  null gives every output of the
 * failed rows NULL; skip drops them.  A failure is a request that failed
 * for good (a transport failure or a non-2xx status after the retries)
 * or an answer that cannot be decoded into the model's OUTPUT; the
 * failure is counted in the statistics either way (the dispatcher
 * counts failed requests, this file undecodable answers).  Only errors a
 * decoder raises about the answer itself are turned into NULL or skip:
 * data exceptions, external-routine errors, type mismatches and limits.
 * Anything else (a cancel, out of memory, an internal error) propagates.
 * Decoders touch nothing but memory, which is why catching their errors
 * without a subtransaction is safe.
 *
 * IDENTIFICATION
 *	  src/exec/decode_rows.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "exec/decode_rows.h"
#include "stats/stats.h"

/*
 * answer_error
 *		Is this error one a decoder raises about a bad answer?
 */
static bool
answer_error(int sqlerrcode)
{
	int			category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_DATA_EXCEPTION ||
		category == ERRCODE_EXTERNAL_ROUTINE_EXCEPTION ||
		category == ERRCODE_PROGRAM_LIMIT_EXCEEDED ||
		sqlerrcode == ERRCODE_DATATYPE_MISMATCH;
}

/*
 * rows_failed
 *		The rows failed and on_error is null or skip: every output NULL;
 *		whether to return them.
 */
static bool
rows_failed(MlTarget *target, MlBatchRow *rows, int nrows, MlOnError on_error,
			bool *failed)
{
	if (failed)
		*failed = true;
	for (int r = 0; r < nrows; r++)
		for (int i = 0; i < target->noutputs; i++)
		{
			rows[r].out_values[i] = (Datum) 0;
			rows[r].out_nulls[i] = true;
		}
	return on_error == ML_ON_ERROR_NULL;
}

/*
 * count_usage
 *		Record decoded rows and the tokens the answer reports (the
 *		dispatcher has charged them to the connection's tokens_per_minute
 *		bucket when the answer arrived).
 */
static void
count_usage(HttpRequest *request, MlResponseBody *body, int nrows)
{
	int64		prompt;
	int64		completion;

	if (!MlResponseUsage(body, &prompt, &completion))
		prompt = completion = 0;
	MlStatsRows(&request->route, nrows, prompt, completion);
}

/*
 * MlDecodeRows
 *		See decode_rows.h.
 */
bool
MlDecodeRows(MlTarget *target, HttpRequest *request, HttpResponse *response,
			 MlBatchRow *rows, int nrows, MlOnError on_error, bool *failed)
{
	MemoryContext mcxt = CurrentMemoryContext;
	MlResponseBody body;
	volatile bool ok = HttpResponseSucceeded(response);
	ErrorData  *volatile edata = NULL;

	if (failed)
		*failed = false;
	/* the dispatcher has counted a failed request */
	if (!ok && on_error != ML_ON_ERROR_FAIL)
		return rows_failed(target, rows, nrows, on_error, failed);

	PG_TRY();
	{
		MlDecodeBatchResponse(target, request, response, rows, nrows, &body);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(mcxt);
		if (!ok)
			PG_RE_THROW();
		edata = CopyErrorData();
		if (answer_error(edata->sqlerrcode))
			MlStatsResponseError(&request->route);
		if (on_error == ML_ON_ERROR_FAIL || !answer_error(edata->sqlerrcode))
			PG_RE_THROW();
		FlushErrorState();
	}
	PG_END_TRY();

	if (edata != NULL)
	{
		FreeErrorData(edata);
		return rows_failed(target, rows, nrows, on_error, failed);
	}
	count_usage(request, &body, nrows);
	return true;
}
