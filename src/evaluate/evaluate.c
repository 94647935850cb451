/*-------------------------------------------------------------------------
 *
 * evaluate.c
 *	  mlpredict.ml_evaluate(model, query, config): Confluent's ML_EVALUATE.
 *	  Runs the caller's evaluation query through the model and returns one
 *	  row (model, version, metrics) per version evaluated.
 *
 * The model reference may name the default version, m$n, m$latest or
 * m$all (every version, in version order).  The caller needs EXECUTE on
 * the model (checked for every version before anything is sent).  For
 * each version, eval_statement.c turns the query into a statement that
 * predicts every row with the pipelined LATERAL join; it runs through
 * SPI as the caller, read only, and its rows go straight to a
 * DestReceiver that scores them (eval_collect.c) without being stored.
 * config is passed to ml_predict unchanged, so on_error, max_parallelism
 * and the rest apply as in any prediction.  Errors raised while a version
 * is evaluated say which (errcontext).
 *
 * IDENTIFICATION
 *	  src/evaluate/evaluate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "evaluate/eval_collect.h"
#include "options/options.h"
#include "syntax/names.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_ml_evaluate);

/* the rows of the generated statement go to the collector */
typedef struct EvalReceiver
{
	DestReceiver pub;
	EvalCollector *collector;
} EvalReceiver;

static bool
eval_receive(TupleTableSlot *slot, DestReceiver *self)
{
	slot_getallattrs(slot);
	EvalCollectRow(((EvalReceiver *) self)->collector, slot->tts_values,
				   slot->tts_isnull);
	return true;
}

static void
eval_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
eval_shutdown(DestReceiver *self)
{
}

static void
eval_destroy(DestReceiver *self)
{
}

/* what the error context says */
typedef struct EvalContext
{
	MlModel    *model;
} EvalContext;

static void
eval_error_context(void *arg)
{
	EvalContext *ctx = arg;

	errcontext("ML_EVALUATE of model \"%s\" version %d",
			   MlQualifiedModelName(ctx->model->schema, ctx->model->name),
			   ctx->model->version);
}

/* the reference of exactly this version, for ml_predict, as a literal */
static char *
version_literal(MlModel *model)
{
	char	   *ref = psprintf("%s.%s$%d", quote_identifier(model->schema),
							   quote_identifier(model->name), model->version);

	return quote_literal_cstr(ref);
}

/* the runtime options as a typed literal */
static char *
options_literal(Datum config)
{
	Oid			type = MlRuntimeOptionsTypeId();
	Oid			output;
	bool		varlena;

	getTypeOutputInfo(type, &output, &varlena);
	return psprintf("CAST(%s AS mlpredict.predict_options)",
					quote_literal_cstr(OidOutputFunctionCall(output, config)));
}

/*
 * evaluate_version
 *		The metrics of one model version over the query's rows.
 */
static Jsonb *
evaluate_version(MlModel *model, const char *query, Datum config,
				 bool has_config, bool fail_on_error)
{
	EvalTask	task = EvalTaskOf(model);
	char	   *sql = EvalStatement(model, task, query, version_literal(model),
										has_config ? options_literal(config) : NULL);
	EvalReceiver receiver;
	SPIExecuteOptions options;
	Jsonb	   *metrics;
	int			rc;

	memset(&receiver, 0, sizeof(receiver));
	receiver.pub.receiveSlot = eval_receive;
	receiver.pub.rStartup = eval_startup;
	receiver.pub.rShutdown = eval_shutdown;
	receiver.pub.rDestroy = eval_destroy;
	receiver.pub.mydest = DestNone;
	receiver.collector = EvalCollectorCreate(task, fail_on_error);

	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.dest = &receiver.pub;
	rc = SPI_execute_extended(sql, &options);
	if (rc < 0)
		elog(ERROR, "SPI_execute_extended failed: %s", SPI_result_code_string(rc));
	if (EvalCollectorRows(receiver.collector) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query of ML_EVALUATE returned no rows"),
				 errhint("Evaluate the model over at least one labelled row.")));
	metrics = EvalCollectorResult(receiver.collector);
	EvalCollectorFree(receiver.collector);
	return metrics;
}

/*
 * mlpredict_ml_evaluate
 *		ml_evaluate(model text, query text, config predict_options)
 *		RETURNS TABLE (model text, version integer, metrics jsonb)
 */
Datum
mlpredict_ml_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		has_config = !PG_ARGISNULL(2);
	MlRuntimeOptions runtime;
	char	   *query;
	List	   *versions;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the query of ML_EVALUATE must not be null")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MlRuntimeOptionsDefaults(&runtime);
	if (has_config)
		MlRuntimeOptionsFromDatum(PG_GETARG_DATUM(2), &runtime);

	MlInitMaterializedSRF(fcinfo, false);
	versions = CatalogGetModelVersions(MlParseModelRef(text_to_cstring(PG_GETARG_TEXT_PP(0))),
									   false);
	foreach(lc, versions)
		TypedFunctionCheckExecute(lfirst(lc));

	SPI_connect();
	foreach(lc, versions)
	{
		MlModel    *model = lfirst(lc);
		EvalContext ctx = {model};
		ErrorContextCallback callback;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		callback.callback = eval_error_context;
		callback.arg = &ctx;
		callback.previous = error_context_stack;
		error_context_stack = &callback;
		values[2] = JsonbPGetDatum(evaluate_version(model, query,
													has_config ? PG_GETARG_DATUM(2) : (Datum) 0,
													has_config,
													runtime.on_error == ML_ON_ERROR_FAIL));
		error_context_stack = callback.previous;
		values[0] = CStringGetTextDatum(MlQualifiedModelName(model->schema, model->name));
		values[1] = Int32GetDatum(model->version);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}
