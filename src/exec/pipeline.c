/*-------------------------------------------------------------------------
 *
 * pipeline.c
 *	  Executing the pipelined model call (see pipeline.h): outer rows are
 *	  read ahead, their requests kept in flight through an HttpQueue, and
 *	  joined rows returned in the outer order (or as they complete).
 *
 * Rows.  Each outer row read is kept in the window (pipeline_window.c): a
 * copy of the outer tuple, the converted model inputs, and room for the
 * outputs.  A row with a NULL input gets NULL outputs without a request,
 * as ml_predict does.  Other rows gather into the forming batch, which is
 * sent as one request (or as few as the provider's limits allow) when it
 * reaches the batch size, or sooner when nothing else can move.
 *
 * Calls.  A call is one request in flight with its rows; it owns a memory
 * context for the request, the answer and the decoded outputs, freed when
 * its last row has been released.  At most max_parallelism calls are in
 * flight (the runtime option, else mlpredict.max_parallelism;
 * async_enabled = false means one).  Under a LIMIT or in a cursor the
 * scan slow-starts: it may have started at most 2n + 1 calls when n rows
 * have had their turn, so a query that stops early has not paid for many
 * calls it does not use, whatever the timing of the answers.
 *
 * The window.  Rows are read while a call can take them and the window
 * has room: it is bounded by the rows buffered
 * (mlpredict.pipeline_window_rows) and the bytes they and their calls
 * hold (mlpredict.pipeline_window_memory), not by the oldest row.  So a
 * slow row, or one whose request waits to be retried, holds up only the
 * rows behind it that the window can keep (in order, they wait for their
 * turn; unordered, they are returned as they complete), while the other
 * calls go on.  When the window is full, reading waits until rows are
 * returned.
 *
 * Order and errors.  A call's answer is decoded when its first row is
 * returned, by the same code as ml_predict (decode_rows.c), so values,
 * errors and on_error give the same rows as one call per row: in order,
 * an error is raised when its row's turn comes.  A batch that fails with
 * an error that may be one row's fault, or whose answer does not decode,
 * is split in two and each half sent again, until the bad row stands
 * alone.
 *
 * ai_complete and ai_embedding are scalar functions: their rows are never
 * dropped (on_error = skip gives NULL, as the function gives), and their
 * model is checked with MlAiCheckModel instead of a column list
 * (ai_functions.c).
 *
 * Duplicates.  A row whose inputs equal those of an earlier row of the
 * scan (the model version and runtime options are the scan's) sends no
 * request: it waits for the first row's call and, on its turn, gets the
 * first row's outputs, or its on_error result (cache/memo.c keeps them,
 * bounded by mlpredict.dedup_memory, so a duplicate read after the first
 * row was returned is answered too).  A model version with a response
 * cache (mlpredict.cache_ttl) is looked up before a row is sent, and a
 * first row's decoded answer is stored on its turn (cache/response_cache.c).
 *
 * Memory stays flat: the window's segments and the calls' contexts are
 * freed as their rows are released, and a row's memory lives until the
 * row after it has been returned.
 *
 * IDENTIFICATION
 *	  src/exec/pipeline.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_func.h"
#include "portability/instr_time.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "cache/cache.h"
#include "compat.h"
#include "exec/ai_functions.h"
#include "exec/decode_rows.h"
#include "exec/pipeline.h"
#include "exec/pipeline_window.h"
#include "exec/predict.h"
#include "mlpredict.h"
#include "types/typemap.h"

/*
 * Call contexts of finished calls kept (reset) for the next calls, so that
 * a call does not cost a context creation and deletion; one that grew
 * beyond PIPE_SPARE_CALL_BYTES (a big answer) is deleted instead.
 */
#define PIPE_SPARE_CALLS		64
#define PIPE_SPARE_CALL_BYTES	(64 * 1024)

/* One request in flight (or answered) and the rows it carries. */
typedef struct PipeCall
{
	MemoryContext context;		/* this struct, request, answer, outputs */
	dlist_node	node;			/* in PipelineState.calls */
	Size		counted;		/* its bytes in the window */
	PipeRow   **rows;
	int			nrows;
	int			live;			/* rows not yet released */
	HttpRequest *request;
	HttpResponse response;
	bool		decoded;
	bool		failed;			/* decoded, and the rows failed */
} PipeCall;

typedef struct PipelineState
{
	CustomScanState css;

	/* from the plan */
	int			ninputs;
	int			nouter;
	int			flags;
	Oid			funcid;
	MlAiKind	ai_kind;		/* ai_complete/ai_embedding: never drop a row */
	int		   *out_attnos;		/* output column of each scan column after
								 * the outer ones (1-based) */
	int			nfunc_cols;
	List	   *out_types;
	List	   *out_names;
	List	   *out_typmods;
	ExprState  *model_expr;
	ExprState **input_exprs;
	ExprState  *options_expr;
	ExprContext *input_econtext;	/* per row read, reset each time */
	TupleTableSlot *outer_row;	/* a stored outer tuple, deformed */
	MemoryContext context;		/* everything of the node's execution */
	MemoryContext scratch;		/* building a request, reset after each */
	MemoryContext spare_calls[PIPE_SPARE_CALLS];	/* reset call contexts */
	int			nspare_calls;

	/* set up on the first row */
	bool		started;
	MlTarget   *target;
	ArgInfo    *args;
	int16	   *input_typlen;	/* of each INPUT column, for copying */
	bool	   *input_typbyval;
	MlRuntimeOptions runtime;
	MlMemo	   *memo;			/* answers for duplicate rows, or NULL */
	MlResponseCache *cache;		/* the model's response cache, or NULL */
	MlKeyPrefix key_prefix;		/* with either of them */
	int			max_calls;
	int			batch_size;
	HttpQueue  *queue;

	/* rows: window.nread rows read, those from next_seq on not returned */
	PipeWindow	window;
	dlist_head	calls;			/* PipeCall not yet freed */
	uint64		next_seq;		/* ordered: the next row to return */
	PipeRow   **forming;		/* rows waiting to be sent, in order */
	int			nforming;
	PipeRow    *ready_head;		/* unordered: rows ready, in completion order */
	PipeRow    *ready_tail;
	int			inflight;
	bool		outer_done;
	PipeRow    *last_returned;	/* its memory is released on the next call */
	uint64		returned;
	uint64		taken;			/* rows past their turn: returned or dropped */
	uint64		calls_started;		/* calls submitted since the (re)start */

	/* for EXPLAIN ANALYZE */
	int64		n_requests;
	int64		n_batched;
	int64		n_rows_sent;
	int64		n_retries;
	int64		n_splits;
	int			peak_inflight;
	double		wait_ms;
} PipelineState;

static Node *pipeline_create_state(CustomScan *cscan);
static void pipeline_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *pipeline_exec(CustomScanState *node);
static void pipeline_end(CustomScanState *node);
static void pipeline_rescan(CustomScanState *node);
static void pipeline_explain(CustomScanState *node, List *ancestors,
							 ExplainState *es);
static TupleTableSlot *pipeline_next(ScanState *ss);
static bool decode_batch(PipelineState *state, PipeCall *call);
static bool pipeline_recheck(ScanState *ss, TupleTableSlot *slot);

CustomScanMethods MlPipelineScanMethods = {
	.CustomName = "MLPredict",
	.CreateCustomScanState = pipeline_create_state,
};

static const CustomExecMethods pipeline_exec_methods = {
	.CustomName = "MLPredict",
	.BeginCustomScan = pipeline_begin,
	.ExecCustomScan = pipeline_exec,
	.EndCustomScan = pipeline_end,
	.ReScanCustomScan = pipeline_rescan,
	.ExplainCustomScan = pipeline_explain,
};

static Node *
pipeline_create_state(CustomScan *cscan)
{
	PipelineState *state = palloc0(sizeof(PipelineState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &pipeline_exec_methods;
	return (Node *) state;
}

/*
 * check_execute
 *		Calling the function needs EXECUTE on it, as a function scan checks;
 *		a typed function also runs mlpredict.ml_predict as the caller, so
 *		that needs EXECUTE too.
 */
static void
check_execute(Oid funcid, MlAiKind ai_kind)
{
	Oid			argtypes[2] = {TEXTOID, ANYOID};
	Oid			ml_predict;

	if (MlProcAclCheck(funcid, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(funcid));
	if (ai_kind != ML_AI_NONE)
		return;					/* the AI functions do not run ml_predict */
	ml_predict = LookupFuncName(list_make2(makeString(MLPREDICT_SCHEMA),
										   makeString("ml_predict")),
								2, argtypes, true);
	if (OidIsValid(ml_predict) && ml_predict != funcid &&
		MlProcAclCheck(ml_predict, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, "ml_predict");
}

/*
 * pipeline_begin
 *		Initialise the outer child and the expressions.  The model is
 *		resolved on the first row, as ml_predict resolves it on its first
 *		call, so an empty outer side never looks at the model.
 */
static void
pipeline_begin(CustomScanState *node, EState *estate, int eflags)
{
	PipelineState *state = (PipelineState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	List	   *attnos = list_nth(priv, PIPE_PRIVATE_ATTNOS);
	List	   *exprs = cscan->custom_exprs;
	TupleDesc	outer_desc;
	PlanState  *outer;
	int			i = 0;
	ListCell   *lc;

	state->ninputs = intVal(list_nth(priv, PIPE_PRIVATE_NINPUTS));
	state->nouter = intVal(list_nth(priv, PIPE_PRIVATE_NOUTER));
	state->flags = intVal(list_nth(priv, PIPE_PRIVATE_FLAGS));
	state->funcid = (Oid) intVal(list_nth(priv, PIPE_PRIVATE_FUNCID));
	state->out_types = list_nth(priv, PIPE_PRIVATE_TYPES);
	state->out_names = list_nth(priv, PIPE_PRIVATE_NAMES);
	state->out_typmods = list_nth(priv, PIPE_PRIVATE_TYPMODS);
	state->nfunc_cols = list_length(attnos);
	state->out_attnos = palloc(sizeof(int) * Max(state->nfunc_cols, 1));
	foreach(lc, attnos)
		state->out_attnos[i++] = lfirst_int(lc);

	state->ai_kind = MlAiFunctionKind(state->funcid);
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
		check_execute(state->funcid, state->ai_kind);

	outer = ExecInitNode(linitial(cscan->custom_plans), estate, eflags);
	node->custom_ps = list_make1(outer);
	outer_desc = ExecGetResultType(outer);
	state->outer_row = ExecInitExtraTupleSlot(estate, outer_desc, &TTSOpsMinimalTuple);

	state->model_expr = ExecInitExpr(linitial(exprs), &node->ss.ps);
	state->input_exprs = palloc(sizeof(ExprState *) * Max(state->ninputs, 1));
	for (i = 0; i < state->ninputs; i++)
		state->input_exprs[i] = ExecInitExpr(list_nth(exprs, i + 1), &node->ss.ps);
	state->options_expr = ExecInitExpr(llast(exprs), &node->ss.ps);
	state->input_econtext = CreateExprContext(estate);
	state->context = AllocSetContextCreate(CurrentMemoryContext, "mlpredict pipeline",
										   ALLOCSET_DEFAULT_SIZES);
	dlist_init(&state->calls);
}

/*
 * eval_text
 *		A row-independent text expression's value, or NULL.
 */
static char *
eval_text(ExprState *expr, ExprContext *econtext)
{
	bool		isnull;
	Datum		value = ExecEvalExprSwitchContext(expr, econtext, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * result_desc
 *		The function's output columns as the query declared them.
 */
static TupleDesc
result_desc(PipelineState *state)
{
	TupleDesc	desc = CreateTemplateTupleDesc(list_length(state->out_types));
	ListCell   *lc;
	int			i = 1;

	foreach(lc, state->out_types)
	{
		TupleDescInitEntry(desc, i, strVal(list_nth(state->out_names, i - 1)),
						   lfirst_oid(lc), list_nth_int(state->out_typmods, i - 1), 0);
		i++;
	}
	return desc;
}

/*
 * start
 *		On the first row: resolve the model (with the privilege check of
 *		ml_predict), plan the input conversions, read the runtime options
 *		and set up the window.
 */
static void
start(PipelineState *state)
{
	ExprContext *econtext = state->input_econtext;
	MemoryContext old = MemoryContextSwitchTo(state->context);
	char	   *model_text = eval_text(state->model_expr, econtext);
	Oid		   *argtypes = palloc(sizeof(Oid) * Max(state->ninputs, 1));
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	bool		isnull;
	Datum		options;

	if (model_text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name must not be null")));
	state->target = MlPredictTarget(model_text);
	if (state->ai_kind != ML_AI_NONE)
		MlAiCheckModel(state->ai_kind, state->target);
	else
		MlCheckResultDesc(state->target, result_desc(state));
	for (int i = 0; i < state->ninputs; i++)
		argtypes[i] = exprType(list_nth(cscan->custom_exprs, i + 1));
	state->args = MlPlanArguments(state->target, argtypes, state->ninputs,
								  "ml_predict", state->context);
	state->input_typlen = palloc(sizeof(int16) * Max(state->ninputs, 1));
	state->input_typbyval = palloc(sizeof(bool) * Max(state->ninputs, 1));
	for (int i = 0; i < state->ninputs; i++)
	{
		MlColumn   *col = list_nth(state->target->model->input, i);

		get_typlenbyval(col->typid, &state->input_typlen[i], &state->input_typbyval[i]);
	}

	MlRuntimeOptionsDefaults(&state->runtime);
	options = ExecEvalExprSwitchContext(state->options_expr, econtext, &isnull);
	if (!isnull)
		MlRuntimeOptionsFromDatum(options, &state->runtime);
	state->max_calls = state->runtime.async_enabled ? state->runtime.max_parallelism : 1;
	state->batch_size = MlTargetBatchSize(state->target);
	state->memo = MlMemoCreate(state->target, state->context);
	state->cache = MlResponseCacheOpen(state->target);
	if (state->memo != NULL || state->cache != NULL)
		MlKeyPrefixInit(&state->key_prefix, state->target);

	PipeWindowInit(&state->window, state->context);
	state->scratch = AllocSetContextCreate(state->context, "mlpredict pipeline request",
										   ALLOCSET_DEFAULT_SIZES);
	state->forming = palloc(sizeof(PipeRow *) * state->batch_size);
	state->queue = HttpQueueCreate();
	state->started = true;
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
}

/*
 * allowed_calls
 *		Calls that may be in flight now: max_calls, or while slow-starting
 *		as many as the budget allows: 2 * (rows past their turn) + 1 calls
 *		started in all.  The budget counts calls started, not calls in
 *		flight, so answers that come back quickly do not let a LIMIT start
 *		more calls than it will use; one call is always allowed when none
 *		is in flight (a resent half of a failed batch, say), so the scan
 *		always moves on.
 */
static int
allowed_calls(PipelineState *state)
{
	uint64		budget;
	uint64		more;

	if (!(state->flags & PIPE_FLAG_SLOW_START))
		return state->max_calls;
	budget = 2 * state->taken + 1;
	more = budget > state->calls_started ? budget - state->calls_started : 0;
	more = Min(more, (uint64) state->max_calls);
	return (int) Max(Min((uint64) state->max_calls, state->inflight + more), 1);
}

/*
 * mark_ready
 *		A row's outputs can be had (its call is final, or it needs none).
 */
static void
mark_ready(PipelineState *state, PipeRow *row)
{
	row->ready = true;
	if (state->runtime.ordered)
		return;
	row->next_ready = NULL;
	if (state->ready_tail != NULL)
		state->ready_tail->next_ready = row;
	else
		state->ready_head = row;
	state->ready_tail = row;
}

/*
 * alloc_io
 *		A row's input and output arrays, in one allocation.
 */
static void
alloc_io(MlBatchRow *io, int ninputs, int noutputs)
{
	Size		values = MAXALIGN(sizeof(Datum) * ninputs);
	Size		out_values = MAXALIGN(sizeof(Datum) * noutputs);
	char	   *p = palloc0(values + out_values + ninputs + noutputs);

	io->values = (Datum *) p;
	io->out_values = (Datum *) (p + values);
	io->nulls = (bool *) (p + values + out_values);
	io->out_nulls = (bool *) (p + values + out_values + ninputs);
	memset(io->out_nulls, true, noutputs);
}

/*
 * duplicate
 *		A row whose inputs an earlier row's call has (entry): it waits for
 *		that call's answer, or has it.
 */
static void
duplicate(PipelineState *state, PipeRow *row, MlMemoEntry *entry)
{
	state->memo->duplicates++;
	row->dedup = entry;
	entry->refs++;
	if (entry->state == ML_MEMO_DONE || entry->leader_ready)
		mark_ready(state, row);
	else
	{
		row->next_waiter = entry->waiters;
		entry->waiters = row;
	}
}

/*
 * answer_known
 *		Whether a row needs no request of its own: a duplicate, or an
 *		answer from the response cache.  Otherwise the row leads the calls
 *		with its inputs (if the memo has room) and keeps its key for the
 *		cache.
 */
static bool
answer_known(PipelineState *state, PipeRow *row, MemoryContext row_context)
{
	MlCacheKey	key;
	MlMemoEntry *entry = NULL;

	if (state->memo == NULL && state->cache == NULL)
		return false;
	MlCallKey(&state->key_prefix, row->io.values, row->io.nulls, &key);
	if (state->memo != NULL && (entry = MlMemoLookup(state->memo, &key)) != NULL)
	{
		duplicate(state, row, entry);
		return true;
	}
	if (state->cache != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(row_context);
		bool		hit = MlResponseCacheGet(state->cache, &key, row->io.out_values,
											 row->io.out_nulls);

		if (!hit)
			row->key = memcpy(palloc(sizeof(MlCacheKey)), &key, sizeof(MlCacheKey));
		MemoryContextSwitchTo(old);
		PipeWindowRowStored(&state->window, row);
		if (hit)
		{
			if (state->memo != NULL && (entry = MlMemoEnter(state->memo, &key)) != NULL)
				MlMemoSetAnswer(state->memo, entry, row->io.out_values,
								row->io.out_nulls, true);
			mark_ready(state, row);
			return true;
		}
	}
	if (state->memo != NULL && (entry = MlMemoEnter(state->memo, &key)) != NULL)
	{
		entry->leader = row;
		row->dedup = entry;
	}
	return false;
}

/*
 * read_row
 *		Take the outer row in slot into the window: copy it, compute and
 *		convert its inputs.
 */
static void
read_row(PipelineState *state, TupleTableSlot *slot)
{
	TupleTableSlot *scan = state->css.ss.ss_ScanTupleSlot;
	ExprContext *econtext = state->input_econtext;
	MlTarget   *target = state->target;
	MemoryContext row_context;
	PipeRow    *row = PipeWindowAddRow(&state->window, &row_context);
	MemoryContext old;
	int			i;

	/* the inputs are computed over the outer columns of the scan tuple */
	slot_getallattrs(slot);
	ExecClearTuple(scan);
	for (i = 0; i < scan->tts_tupleDescriptor->natts; i++)
	{
		scan->tts_values[i] = i < state->nouter ? slot->tts_values[i] : (Datum) 0;
		scan->tts_isnull[i] = i < state->nouter ? slot->tts_isnull[i] : true;
	}
	ExecStoreVirtualTuple(scan);
	econtext->ecxt_scantuple = scan;
	ResetExprContext(econtext);

	old = MemoryContextSwitchTo(row_context);
	row->outer = ExecCopySlotMinimalTuple(slot);
	alloc_io(&row->io, Max(target->ninputs, 1), Max(target->noutputs, 1));
	row->keep = true;
	for (i = 0; i < state->ninputs; i++)
	{
		bool		isnull;
		Datum		value = ExecEvalExprSwitchContext(state->input_exprs[i], econtext,
													  &isnull);

		row->io.nulls[i] = isnull;
		if (!isnull)
			row->io.values[i] = datumCopy(MlConvertArgument(&state->args[i], value),
										  state->input_typbyval[i],
										  state->input_typlen[i]);
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
	PipeWindowRowStored(&state->window, row);

	if (MlAnyNull(row->io.nulls, target->ninputs))
		mark_ready(state, row);
	else if (!answer_known(state, row, row_context))
	{
		/* forming has batch_size slots: fill() sends a full batch first */
		if (state->nforming >= state->batch_size)
			elog(ERROR, "mlpredict pipeline read a row into a full batch");
		state->forming[state->nforming++] = row;
	}
}

/* copy_request copies the fields up to sensitive, the last one */
StaticAssertDecl(offsetof(HttpRequest, sensitive) + sizeof(List *) == sizeof(HttpRequest),
				 "copy_request must copy every pointer field of HttpRequest");

/*
 * copy_request
 *		A request built in the scratch context, copied into the current
 *		one: building it allocates several times what it keeps, and a
 *		waiting row keeps its request until its turn.
 */
static HttpRequest *
copy_request(const HttpRequest *from)
{
	HttpRequest *to = palloc(sizeof(HttpRequest));
	ListCell   *lc;

	*to = *from;
	to->url = pstrdup(from->url);
	to->headers = NIL;
	foreach(lc, from->headers)
	{
		HttpHeader *header = palloc(sizeof(HttpHeader));

		*header = *(HttpHeader *) lfirst(lc);
		header->name = pstrdup(header->name);
		header->value = pstrdup(header->value);
		to->headers = lappend(to->headers, header);
	}
	if (from->body != NULL)
	{
		to->body = palloc(from->body_len + 1);
		memcpy(to->body, from->body, from->body_len);
		to->body[from->body_len] = '\0';
	}
	to->sensitive = NIL;
	foreach(lc, from->sensitive)
		to->sensitive = lappend(to->sensitive,
								DatumGetPointer(datumCopy(PointerGetDatum(lfirst(lc)),
														  false, -1)));
	return to;
}

/*
 * call_context
 *		A memory context for a new call: a spare one, else a new one with
 *		small blocks (a waiting row's call holds what it uses, little more).
 */
static MemoryContext
call_context(PipelineState *state)
{
	if (state->nspare_calls > 0)
		return state->spare_calls[--state->nspare_calls];
	return AllocSetContextCreate(state->context, "mlpredict pipeline call",
								 0, 1024, 1024);
}

/*
 * submit
 *		Send rows[0..nrows-1] as one or more calls.  A call's request is
 *		built in the scratch context and kept as a compact copy.
 */
static void
submit(PipelineState *state, PipeRow **rows, int nrows)
{
	while (nrows > 0)
	{
		MemoryContext context = call_context(state);
		MemoryContext old = MemoryContextSwitchTo(state->scratch);
		MlBatchRow *io = palloc(sizeof(MlBatchRow) * nrows);
		HttpRequest *built;
		PipeCall   *call;
		int			taken;

		for (int i = 0; i < nrows; i++)
			io[i] = rows[i]->io;
		taken = MlBuildBatchRequest(state->target, io, nrows, &state->runtime,
									&built);
		MemoryContextSwitchTo(context);
		call = palloc0(sizeof(PipeCall));
		call->context = context;
		call->request = copy_request(built);
		MemoryContextReset(state->scratch);
		call->rows = palloc(sizeof(PipeRow *) * taken);
		memcpy(call->rows, rows, sizeof(PipeRow *) * taken);
		call->nrows = call->live = taken;
		for (int i = 0; i < taken; i++)
			rows[i]->call = call;
		HttpQueueSubmit(state->queue, call->request, &call->response, call);
		MemoryContextSwitchTo(old);
		dlist_push_tail(&state->calls, &call->node);
		PipeWindowRecount(&state->window, context, &call->counted);

		state->inflight++;
		state->calls_started++;
		state->peak_inflight = Max(state->peak_inflight, state->inflight);
		state->n_requests++;
		state->n_rows_sent += taken;
		if (taken > 1)
			state->n_batched++;
		rows += taken;
		nrows -= taken;
	}
}

/*
 * may_start_call
 *		Whether another call may start: fewer than allowed_calls are being
 *		attempted.  A call waiting out a retry's backoff gives its place to
 *		the next one meanwhile (so one failing row does not slow the rows
 *		behind it), up to max_calls more calls in all; not when the user
 *		asked for one call at a time (async_enabled false).
 */
static bool
may_start_call(PipelineState *state)
{
	int			attempting = state->inflight - HttpQueueWaitingRetry(state->queue);
	int			most = state->runtime.async_enabled ? 2 * state->max_calls : state->max_calls;

	return attempting < allowed_calls(state) && state->inflight < most;
}

/*
 * send_forming
 *		Send the forming batch (a call at a time while calls are allowed).
 */
static void
send_forming(PipelineState *state)
{
	while (state->nforming > 0 && may_start_call(state))
	{
		int			n = Min(state->nforming, state->batch_size);

		submit(state, state->forming, n);
		memmove(state->forming, state->forming + n,
				sizeof(PipeRow *) * (state->nforming - n));
		state->nforming -= n;
	}
}

/*
 * free_call
 *		A call is done with: its memory goes.
 */
static void
free_call(PipelineState *state, PipeCall *call)
{
	MemoryContext context = call->context;

	dlist_delete(&call->node);
	PipeWindowForget(&state->window, &call->counted);
	if (state->nspare_calls < PIPE_SPARE_CALLS &&
		MemoryContextMemAllocated(context, false) <= PIPE_SPARE_CALL_BYTES)
	{
		MemoryContextReset(context);
		state->spare_calls[state->nspare_calls++] = context;
	}
	else
		MemoryContextDelete(context);
}

/*
 * fill
 *		Read outer rows while the window has room and a call a use for
 *		them, sending batches as they fill.
 */
static void
fill(PipelineState *state)
{
	PlanState  *outer = linitial(state->css.custom_ps);

	while (!state->outer_done && !PipeWindowFull(&state->window))
	{
		TupleTableSlot *slot;

		/*
		 * A full forming batch (the first row, read by pipeline_next, or a
		 * batch held while no call was allowed) goes before another row
		 * is read into it; if it cannot go yet, wait.
		 */
		if (state->nforming >= state->batch_size)
		{
			send_forming(state);
			if (state->nforming >= state->batch_size)
				break;
		}
		slot = ExecProcNode(outer);
		if (TupIsNull(slot))
		{
			state->outer_done = true;
			break;
		}
		read_row(state, slot);
		if (state->nforming >= state->batch_size)
			send_forming(state);
	}
	/* a partial batch goes when no more rows are coming or fit */
	if (state->outer_done || PipeWindowFull(&state->window))
		send_forming(state);
}

/*
 * release_waiters
 *		A first row's call is final: the duplicates waiting for it are
 *		ready (after it), and so are those read from now on.
 */
static void
release_waiters(PipelineState *state, PipeRow *row)
{
	MlMemoEntry *entry = row->dedup;
	PipeRow    *waiter;

	if (entry == NULL || entry->leader != row)
		return;
	entry->leader_ready = true;
	waiter = entry->waiters;
	entry->waiters = NULL;
	while (waiter != NULL)
	{
		PipeRow    *next = waiter->next_waiter;

		waiter->next_waiter = NULL;
		mark_ready(state, waiter);
		waiter = next;
	}
}

/*
 * complete
 *		A call is final: split a batch that failed in a way one row may
 *		have caused, else make its rows ready.
 */
static void
complete(PipelineState *state, PipeCall *call)
{
	state->inflight--;
	state->n_retries += Max(call->response.nattempts - 1, 0);
	if (state->runtime.debug)
		MlReportAttempts(state->target, call->request, &call->response);
	if (call->nrows > 1 &&
		(HttpResponseSucceeded(&call->response) ? !decode_batch(state, call) :
		 MlBatchFailureMayBeRow(&call->response)))
	{
		int			half = call->nrows / 2;

		state->n_splits++;
		submit(state, call->rows, half);
		submit(state, call->rows + half, call->nrows - half);
		free_call(state, call);
		return;
	}
	PipeWindowRecount(&state->window, call->context, &call->counted);
	for (int i = 0; i < call->nrows; i++)
	{
		mark_ready(state, call->rows[i]);
		release_waiters(state, call->rows[i]);
	}
}

/*
 * collect
 *		Take every final call from the queue; with wait, block until at
 *		least one is.
 */
static void
collect(PipelineState *state, bool wait)
{
	void	   *arg;

	if (wait)
	{
		instr_time	start;
		instr_time	elapsed;

		INSTR_TIME_SET_CURRENT(start);
		if (HttpQueueNext(state->queue, true, &arg))
			complete(state, (PipeCall *) arg);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		state->wait_ms += INSTR_TIME_GET_MILLISEC(elapsed);
	}
	while (HttpQueueNext(state->queue, false, &arg))
		complete(state, (PipeCall *) arg);
}

/*
 * release
 *		A row is done with: its call's memory goes with its call's last
 *		row, and its own with its segment's.
 */
static void
release(PipelineState *state, PipeRow *row)
{
	PipeCall   *call = row->call;

	row->call = NULL;
	if (call != NULL && --call->live == 0)
		free_call(state, call);
	PipeWindowRelease(&state->window, row);
}

/*
 * decode_call
 *		Decode a call's answer into its rows' outputs under on_error (the
 *		caller's, or another); false if the rows failed.
 */
static bool
decode_call(PipelineState *state, PipeCall *call, MlOnError on_error)
{
	MemoryContext old = MemoryContextSwitchTo(call->context);
	MlBatchRow *io = palloc(sizeof(MlBatchRow) * call->nrows);
	bool		failed;
	bool		keep;

	for (int i = 0; i < call->nrows; i++)
		io[i] = call->rows[i]->io;
	call->decoded = true;
	keep = MlDecodeRows(state->target, call->request, &call->response, io,
						call->nrows, on_error, &failed);
	call->failed = failed;
	for (int i = 0; i < call->nrows; i++)
		call->rows[i]->keep = keep;
	MemoryContextSwitchTo(old);
	PipeWindowRecount(&state->window, call->context, &call->counted);
	return !failed;
}

/*
 * decode
 *		Decode a call's answer into its rows (on its first row's turn, so
 *		that on_error = fail raises in the outer order).
 */
static void
decode(PipelineState *state, PipeCall *call)
{
	(void) decode_call(state, call, state->runtime.on_error);
}

/*
 * decode_batch
 *		A batch's 2xx answer is decoded as soon as it arrives, errors
 *		becoming NULLs: if it does not decode, one row's answer may be at
 *		fault, and the caller splits the batch (to give every other row its
 *		answer, and the bad one its error in its turn).
 */
static bool
decode_batch(PipelineState *state, PipeCall *call)
{
	return decode_call(state, call, ML_ON_ERROR_NULL);
}

/*
 * next_ready
 *		The next row to return, or NULL if it is not ready: the oldest row
 *		in order, else the first one completed.
 */
static PipeRow *
next_ready(PipelineState *state)
{
	PipeRow    *row;

	if (!state->runtime.ordered)
		return state->ready_head;
	if (state->next_seq >= state->window.nread)
		return NULL;
	row = PipeWindowFind(&state->window, state->next_seq);
	Assert(row != NULL);
	return row->ready ? row : NULL;
}

/*
 * take
 *		Mark a row returned (or dropped): the next one's turn.
 */
static void
take(PipelineState *state, PipeRow *row)
{
	if (state->runtime.ordered)
	{
		state->next_seq++;
		return;
	}
	state->ready_head = row->next_ready;
	if (state->ready_head == NULL)
		state->ready_tail = NULL;
}

/*
 * store_joined
 *		The scan tuple for a row: outer columns, then the outputs used
 *		(NULL for a row on_error dropped from a LEFT join).
 */
static TupleTableSlot *
store_joined(PipelineState *state, PipeRow *row)
{
	TupleTableSlot *scan = state->css.ss.ss_ScanTupleSlot;
	TupleTableSlot *outer = state->outer_row;

	ExecStoreMinimalTuple(row->outer, outer, false);
	slot_getallattrs(outer);
	ExecClearTuple(scan);
	for (int i = 0; i < state->nouter; i++)
	{
		scan->tts_values[i] = outer->tts_values[i];
		scan->tts_isnull[i] = outer->tts_isnull[i];
	}
	for (int j = 0; j < state->nfunc_cols; j++)
	{
		int			out = state->out_attnos[j] - 1;

		scan->tts_values[state->nouter + j] = row->keep ? row->io.out_values[out] : (Datum) 0;
		scan->tts_isnull[state->nouter + j] = row->keep ? row->io.out_nulls[out] : true;
		/* an ARRAY<DOUBLE> embedding becomes ai_embedding's real[] */
		if (state->ai_kind != ML_AI_NONE && !scan->tts_isnull[state->nouter + j])
		{
			/* in the per-tuple memory ExecScan resets for every row */
			MemoryContext old = MemoryContextSwitchTo(state->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);

			scan->tts_values[state->nouter + j] =
				MlAiResult(state->ai_kind, state->target,
						   scan->tts_values[state->nouter + j]);
			MemoryContextSwitchTo(old);
		}
	}
	return ExecStoreVirtualTuple(scan);
}

/*
 * settle
 *		On a row's turn, after its call is decoded: a first row leaves its
 *		answer for its duplicates and in the response cache (if it
 *		decoded); a duplicate takes the answer of its first row.
 */
static void
settle(PipelineState *state, PipeRow *row)
{
	MlMemoEntry *entry = row->dedup;

	row->dedup = NULL;
	if (entry != NULL && entry->leader != row)
	{
		MemoryContext old = MemoryContextSwitchTo(row->segment->context);

		if (entry->state != ML_MEMO_DONE)
			elog(ERROR, "mlpredict pipeline reached a duplicate row before its first row");
		MlMemoCopyAnswer(state->memo, entry, row->io.out_values, row->io.out_nulls);
		row->keep = entry->keep;
		entry->refs--;
		MemoryContextSwitchTo(old);
		PipeWindowRowStored(&state->window, row);
		return;
	}
	if (entry != NULL)
		MlMemoSetAnswer(state->memo, entry, row->io.out_values, row->io.out_nulls,
						row->keep);
	if (row->key != NULL && state->cache != NULL && row->call != NULL &&
		!row->call->failed && row->keep)
		MlResponseCachePut(state->cache, row->key, row->io.out_values,
						   row->io.out_nulls);
	row->key = NULL;
}

/*
 * pipeline_next
 *		ExecScan's access method: the next joined row, or an empty slot.
 */
static TupleTableSlot *
pipeline_next(ScanState *ss)
{
	PipelineState *state = (PipelineState *) ss;

	if (state->last_returned != NULL)
	{
		release(state, state->last_returned);
		state->last_returned = NULL;
	}
	for (;;)
	{
		PipeRow    *row;

		CHECK_FOR_INTERRUPTS();
		if (!state->started)
		{
			PlanState  *outer = linitial(state->css.custom_ps);
			TupleTableSlot *slot = ExecProcNode(outer);

			if (TupIsNull(slot))
				return ExecClearTuple(ss->ss_ScanTupleSlot);
			start(state);
			read_row(state, slot);
		}
		fill(state);
		row = next_ready(state);
		if (row != NULL)
		{
			if (row->call != NULL && !row->call->decoded)
				decode(state, row->call);
			if (row->dedup != NULL || row->key != NULL)
				settle(state, row);
			take(state, row);
			state->taken++;
			if (!row->keep && !(state->flags & PIPE_FLAG_LEFT_JOIN) &&
				state->ai_kind == ML_AI_NONE)
			{
				release(state, row);
				continue;
			}
			state->returned++;
			state->last_returned = row;
			return store_joined(state, row);
		}
		if (state->inflight == 0)
		{
			if (state->window.rows == 0 && state->outer_done)
				return ExecClearTuple(ss->ss_ScanTupleSlot);
			send_forming(state);
			if (state->inflight == 0)
				elog(ERROR, "mlpredict pipeline has no request in flight for its next row");
		}
		collect(state, true);
	}
}

static bool
pipeline_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
pipeline_exec(CustomScanState *node)
{
	return ExecScan(&node->ss, pipeline_next, pipeline_recheck);
}

/*
 * reset_rows
 *		Forget every row and call (after cancelling the requests).
 */
static void
reset_rows(PipelineState *state)
{
	dlist_mutable_iter iter;

	if (!state->started)
		return;
	HttpQueueCancel(state->queue);
	if (state->memo != NULL)
		MlMemoForgetPending(state->memo);
	dlist_foreach_modify(iter, &state->calls)
		free_call(state, dlist_container(PipeCall, node, iter.cur));
	PipeWindowReset(&state->window);
	state->last_returned = NULL;
	state->next_seq = 0;
	state->ready_head = state->ready_tail = NULL;
	state->nforming = 0;
	state->inflight = 0;
	state->outer_done = false;
	state->returned = 0;
	state->taken = 0;
	state->calls_started = 0;
}

static void
pipeline_end(CustomScanState *node)
{
	PipelineState *state = (PipelineState *) node;

	reset_rows(state);
	ExecEndNode(linitial(node->custom_ps));
	MemoryContextDelete(state->context);
}

static void
pipeline_rescan(CustomScanState *node)
{
	PipelineState *state = (PipelineState *) node;
	PlanState  *outer = linitial(node->custom_ps);

	reset_rows(state);
	if (outer->chgParam == NULL)
		ExecReScan(outer);
}

/*
 * explain_options
 *		The runtime options for EXPLAIN: the node's own once it has
 *		started, else those the plan gives (constant options over the
 *		GUCs' defaults).
 */
static void
explain_options(PipelineState *state, MlRuntimeOptions *runtime)
{
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	Node	   *options = llast(cscan->custom_exprs);

	if (state->started)
	{
		*runtime = state->runtime;
		return;
	}
	MlRuntimeOptionsDefaults(runtime);
	if (IsA(options, Const) && !((Const *) options)->constisnull)
		MlRuntimeOptionsFromDatum(((Const *) options)->constvalue, runtime);
}

/*
 * pipeline_explain
 *		The model, the settings and, under ANALYZE, what the calls did.
 */
static void
pipeline_explain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	PipelineState *state = (PipelineState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Node	   *model = linitial(cscan->custom_exprs);
	MlRuntimeOptions runtime;
	char	   *func = get_func_name(state->funcid);

	explain_options(state, &runtime);
	ExplainPropertyText("Function", func ? func : "?", es);
	if (IsA(model, Const) && !((Const *) model)->constisnull)
		ExplainPropertyText("Model", TextDatumGetCString(((Const *) model)->constvalue), es);
	ExplainPropertyInteger("Max Parallelism", NULL,
						   runtime.async_enabled ? runtime.max_parallelism : 1, es);
	ExplainPropertyBool("Ordered", runtime.ordered, es);
	ExplainPropertyText("On Error", MlOnErrorName(runtime.on_error), es);
	if (state->flags & PIPE_FLAG_SLOW_START)
		ExplainPropertyBool("Slow Start", true, es);
	if (!es->analyze || !state->started)
		return;
	ExplainPropertyInteger("Batch Size", NULL, state->batch_size, es);
	ExplainPropertyInteger("Requests", NULL, state->n_requests, es);
	ExplainPropertyInteger("Batched Requests", NULL, state->n_batched, es);
	ExplainPropertyInteger("Rows Sent", NULL, state->n_rows_sent, es);
	ExplainPropertyInteger("Retries", NULL, state->n_retries, es);
	ExplainPropertyInteger("Batch Splits", NULL, state->n_splits, es);
	ExplainPropertyInteger("Peak In Flight", NULL, state->peak_inflight, es);
	ExplainPropertyInteger("Window Rows", NULL, state->window.max_rows, es);
	ExplainPropertyInteger("Window Memory", "kB", state->window.max_bytes / 1024, es);
	ExplainPropertyInteger("Window Full", NULL, state->window.times_full, es);
	ExplainPropertyInteger("Peak Rows Buffered", NULL, state->window.peak_rows, es);
	ExplainPropertyInteger("Peak Memory Buffered", "kB",
						   (state->window.peak_bytes + 1023) / 1024, es);
	if (es->timing)
		ExplainPropertyFloat("Wait Time", "ms", state->wait_ms, 3, es);
	if (state->memo != NULL && state->memo->duplicates > 0)
		ExplainPropertyInteger("Duplicate Rows", NULL, state->memo->duplicates, es);
	if (state->cache != NULL)
	{
		ExplainPropertyInteger("Cache Hits", NULL, state->cache->hits, es);
		ExplainPropertyInteger("Cache Misses", NULL, state->cache->misses, es);
	}
}
