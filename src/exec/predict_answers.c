/*-------------------------------------------------------------------------
 *
 * predict_answers.c
 *	  The answers ml_predict (one call per row, predict.c) shares within a
 *	  statement: per model version, the memo of answers by call key
 *	  (cache/memo.c) and the model's response cache (cache/response_cache.c).
 *
 * They belong to the statement, not to the function call site: a typed
 * function is a SQL function whose inner ml_predict call is set up afresh
 * for every row, so its fn_extra cannot carry them.  They live in a
 * context under TopTransactionContext and are found again by the model
 * version's identity (cache_key.c); a new statement starts afresh (the
 * old statement's context is deleted when the next one first looks, or
 * goes with its transaction, which a transaction callback notes).  A memo is shared only by calls with
 * the runtime options of the call that made it.
 *
 * IDENTIFICATION
 *	  src/exec/predict_answers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "catalog/ml_catalog.h"
#include "exec/predict_answers.h"
#include "exec/request.h"
#include "syntax/names.h"

/* The answers of one model version in the current statement. */
typedef struct AnswerSet
{
	StringInfoData identity;	/* MlKeyPrefix.identity of the version */
	PredictAnswers answers;
} AnswerSet;

static MemoryContext statement_context = NULL;	/* NULL: none yet */
static TimestampTz statement_start = 0;
static List *answer_sets = NIL;
static bool callback_registered = false;

/*
 * forget_at_end
 *		The transaction is over: its TopTransactionContext takes the
 *		statement's context with it.
 */
static void
forget_at_end(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
	{
		statement_context = NULL;
		answer_sets = NIL;
	}
}

/*
 * statement_answers
 *		The current statement's context, made afresh when the sets were
 *		made in another statement.
 */
static MemoryContext
statement_answers(void)
{
	if (!callback_registered)
	{
		RegisterXactCallback(forget_at_end, NULL);
		callback_registered = true;
	}
	if (statement_context != NULL &&
		statement_start == GetCurrentStatementStartTimestamp())
		return statement_context;
	if (statement_context != NULL)
		MemoryContextDelete(statement_context);
	statement_context = AllocSetContextCreate(TopTransactionContext,
											  "mlpredict statement answers",
											  ALLOCSET_DEFAULT_SIZES);
	statement_start = GetCurrentStatementStartTimestamp();
	answer_sets = NIL;
	return statement_context;
}

/*
 * MlPredictAnswers
 *		See predict_answers.h.
 */
PredictAnswers *
MlPredictAnswers(const MlKeyPrefix *identity, const char *model_text,
				 const MlRuntimeOptions *runtime)
{
	MemoryContext context = statement_answers();
	MemoryContext old;
	AnswerSet  *set;
	MlModel    *model;
	MlTarget   *target;
	ListCell   *lc;

	foreach(lc, answer_sets)
	{
		set = lfirst(lc);
		if (set->identity.len == identity->identity.len &&
			memcmp(set->identity.data, identity->identity.data,
				   set->identity.len) == 0)
			return &set->answers;
	}

	/* the first call of this version in the statement */
	old = MemoryContextSwitchTo(context);
	set = palloc0(sizeof(AnswerSet));
	initStringInfo(&set->identity);
	appendBinaryStringInfo(&set->identity, identity->identity.data,
						   identity->identity.len);
	model = CatalogGetModel(MlParseModelRef(model_text), false);
	target = MlTargetBuild(model);
	set->answers.memo = MlMemoCreate(target, context);
	set->answers.cache = MlResponseCacheOpen(target);
	MlKeyPrefixInit(&set->answers.prefix, target);
	set->answers.runtime = *runtime;
	answer_sets = lappend(answer_sets, set);
	MemoryContextSwitchTo(old);
	return &set->answers;
}
