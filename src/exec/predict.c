/*-------------------------------------------------------------------------
 *
 * predict.c
 *	  mlpredict.ml_predict(model, VARIADIC inputs "any"): the set-returning
 *	  function behind LATERAL ml_predict(...) and every typed model function.
 *
 * Per query (cached in fn_extra) the model reference is resolved, the
 * caller's EXECUTE privilege on the model's typed function is checked, the
 * model is prepared for calls, and each argument's type is matched against
 * the model's INPUT columns.  Per row the inputs are converted, one request
 * is sent and the answer is returned as one row typed by the model's
 * OUTPUT (decode_rows.c, which also applies on_error and counts rows and
 * tokens).  A NULL input gives a row of NULLs without a request.  A call
 * whose inputs and runtime options equal an earlier call's of the same
 * statement gets that call's outputs (or its on_error result) without a
 * request (predict_answers.c, bounded by mlpredict.dedup_memory); a model
 * version with a response cache (mlpredict.cache_ttl) is looked up before
 * a request and stores the answers that decoded.  Work
 * for a row happens in a context reset at the next row, so nothing
 * accumulates.  This is the one-row-at-a-time path; a LATERAL call is
 * normally run by the pipelined executor instead (pipeline.c).
 *
 * IDENTIFICATION
 *	  src/exec/predict.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "cache/cache.h"
#include "compat.h"
#include "exec/decode_rows.h"
#include "exec/predict.h"
#include "exec/predict_answers.h"
#include "syntax/names.h"
#include "types/typemap.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_ml_predict);

/*
 * input_list_text
 *		"(`text` STRING, ...)" for messages.
 */
static char *
input_list_text(MlModel *model)
{
	return psprintf("(%s)", MlColumnsToFlink(model->input));
}

/*
 * MlPlanConversion
 *		Decide how an argument of type argtype becomes column col.
 */
void
MlPlanConversion(ArgInfo *arg, Oid argtype, MlColumn *col, int position,
				const char *fname, MlTarget *target, MemoryContext mcxt)
{
	Oid			funcid = InvalidOid;
	CoercionPathType path;

	arg->typmod = col->typmod;
	if (argtype == col->typid)
	{
		arg->conversion = ARG_AS_IS;
		return;
	}
	if (argtype == UNKNOWNOID)
	{
		Oid			infunc;

		getTypeInputInfo(col->typid, &infunc, &arg->ioparam);
		fmgr_info_cxt(infunc, &arg->func, mcxt);
		arg->conversion = ARG_INPUT_FUNCTION;
		return;
	}
	path = find_coercion_pathway(col->typid, argtype, COERCION_IMPLICIT, &funcid);
	if (path == COERCION_PATH_RELABELTYPE)
		arg->conversion = ARG_AS_IS;
	else if (path == COERCION_PATH_FUNC && OidIsValid(funcid))
	{
		fmgr_info_cxt(funcid, &arg->func, mcxt);
		arg->conversion = ARG_CAST_FUNCTION;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument %d of %s has type %s but INPUT column \"%s\" of model \"%s\" is %s",
						position, fname, format_type_be(argtype), col->name,
						target->display_name, col->decl),
				 errhint("Cast the argument to %s.", MlColumnTypeName(col))));
}

/*
 * MlPlanArguments
 *		Check that nargs inputs of types argtypes fit the model and plan
 *		each one's conversion; the plans are allocated in mcxt.
 */
ArgInfo *
MlPlanArguments(MlTarget *target, const Oid *argtypes, int nargs,
				const char *fname, MemoryContext mcxt)
{
	ArgInfo    *args;

	if (nargs != target->ninputs)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("model \"%s\" takes %d input%s but %d %s given",
						target->display_name, target->ninputs,
						target->ninputs == 1 ? "" : "s", nargs, nargs == 1 ? "was" : "were"),
				 errdetail("The model's INPUT is %s.", input_list_text(target->model))));
	args = MemoryContextAllocZero(mcxt, sizeof(ArgInfo) * Max(nargs, 1));
	for (int i = 0; i < nargs; i++)
		MlPlanConversion(&args[i], argtypes[i], list_nth(target->model->input, i),
						 i + 2, fname, target, mcxt);
	return args;
}

/*
 * plan_arguments
 *		Check the arguments of this call and plan their conversions.
 */
static void
plan_arguments(PredictState *state, FunctionCallInfo fcinfo, const char *fname)
{
	int			nargs = PG_NARGS() - 1;
	Oid		   *argtypes;

	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not accept a VARIADIC array", fname),
				 errhint("Pass each model input as its own argument.")));
	state->has_options = nargs > 0 &&
		get_fn_expr_argtype(fcinfo->flinfo, nargs) == MlRuntimeOptionsTypeId();
	if (state->has_options)
		nargs--;
	argtypes = palloc(sizeof(Oid) * Max(nargs, 1));
	for (int i = 0; i < nargs; i++)
		argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i + 1);
	state->args = MlPlanArguments(state->target, argtypes, nargs, fname,
								  fcinfo->flinfo->fn_mcxt);
}

/*
 * MlPredictTarget
 *		The model version named by model_text, resolved for calling, after
 *		checking that the current user may execute it.
 */
MlTarget *
MlPredictTarget(const char *model_text)
{
	MlModel    *model = CatalogGetModel(MlParseModelRef(model_text), false);

	TypedFunctionCheckExecute(model);
	return MlTargetBuild(model);
}

/*
 * MlPredictState
 *		The call state for this query, built on the first call (or when the
 *		model argument changes).  Raises ERROR for unknown models, missing
 *		privileges and argument mismatches.
 */
PredictState *
MlPredictState(FunctionCallInfo fcinfo, const char *fname)
{
	PredictState *state = fcinfo->flinfo->fn_extra;
	char	   *model_text;
	MemoryContext old;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model name must not be null")));
	model_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (state && strcmp(state->model_text, model_text) == 0)
		return state;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (state)
		MemoryContextDelete(state->row_context);
	state = palloc0(sizeof(PredictState));
	state->model_text = pstrdup(model_text);
	state->target = MlPredictTarget(model_text);
	plan_arguments(state, fcinfo, fname);
	state->row_context = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
											   "mlpredict row",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = state;
	return state;
}

/*
 * MlConvertArgument
 *		Apply an argument's planned conversion.
 */
Datum
MlConvertArgument(ArgInfo *arg, Datum value)
{
	switch (arg->conversion)
	{
		case ARG_AS_IS:
			return value;
		case ARG_INPUT_FUNCTION:
			return InputFunctionCall(&arg->func, DatumGetCString(value),
									 arg->ioparam, arg->typmod);
		case ARG_CAST_FUNCTION:
			return FunctionCall3(&arg->func, value, Int32GetDatum(arg->typmod),
								 BoolGetDatum(false));
	}
	return value;
}

/*
 * MlPredictInputs
 *		Converted input values of this call, and its runtime options.
 */
void
MlPredictInputs(PredictState *state, FunctionCallInfo fcinfo, Datum *values,
				bool *nulls, MlRuntimeOptions *runtime)
{
	int			i;

	for (i = 0; i < state->target->ninputs; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 1);
		values[i] = nulls[i] ? (Datum) 0 :
			MlConvertArgument(&state->args[i], PG_GETARG_DATUM(i + 1));
	}
	MlRuntimeOptionsDefaults(runtime);
	if (state->has_options && !PG_ARGISNULL(state->target->ninputs + 1))
		MlRuntimeOptionsFromDatum(PG_GETARG_DATUM(state->target->ninputs + 1), runtime);
}

/*
 * MlCheckResultDesc
 *		The column definition list must match the model's OUTPUT: the same
 *		types, and where the query gives a type modifier (vector(3),
 *		numeric(10,2)) the model's, since the values come out as the model
 *		declares them.
 */
void
MlCheckResultDesc(MlTarget *target, TupleDesc desc)
{
	MlModel    *model = target->model;
	bool		ok = desc->natts == list_length(model->output);
	StringInfoData declared;
	int			i;

	for (i = 0; ok && i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		MlColumn   *col = list_nth(model->output, i);

		ok = attr->atttypid == col->typid &&
			(attr->atttypmod < 0 || attr->atttypmod == col->typmod);
	}
	if (ok)
		return;
	initStringInfo(&declared);
	for (i = 0; i < desc->natts; i++)
		appendStringInfo(&declared, "%s%s %s", i ? ", " : "",
						 NameStr(TupleDescAttr(desc, i)->attname),
						 format_type_with_typemod(TupleDescAttr(desc, i)->atttypid,
												  TupleDescAttr(desc, i)->atttypmod));
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("column definition list does not match the OUTPUT of model \"%s\"",
					target->display_name),
			 errdetail("The model returns (%s); the query declared (%s).",
					   MlColumnsToFlink(model->output), declared.data),
			 errhint("Declare the columns with the model's types, or call the model's typed function %s(...), which needs no column list.",
					 MlQualifiedModelName(model->schema, model->name))));
}

/*
 * MlAnyNull
 *		Is any input NULL?
 */
bool
MlAnyNull(bool *nulls, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (nulls[i])
			return true;
	return false;
}

/*
 * same_runtime
 *		Whether two calls' runtime options are the same.
 */
static bool
same_runtime(const MlRuntimeOptions *a, const MlRuntimeOptions *b)
{
	return a->client_timeout == b->client_timeout &&
		a->retry_count == b->retry_count &&
		a->debug == b->debug &&
		a->max_parallelism == b->max_parallelism &&
		a->async_enabled == b->async_enabled &&
		a->connect_timeout == b->connect_timeout &&
		a->ordered == b->ordered &&
		a->on_error == b->on_error;
}

/*
 * call_model
 *		The outputs of one call with inputs none NULL: an earlier equal
 *		call's, the response cache's, or a request's.  Returns false when
 *		on_error = skip drops the row.
 */
static bool
call_model(PredictState *state, Datum *in_values, bool *in_nulls,
		   Datum *out_values, bool *out_nulls, MlRuntimeOptions *runtime)
{
	MlTarget   *target = state->target;
	PredictAnswers *answers;
	MlMemo	   *memo;
	MlResponseCache *cache;
	MlMemoEntry *entry = NULL;
	MlCacheKey	key;
	HttpRequest *request;
	HttpResponse response = {0};
	MlBatchRow	row = {in_values, in_nulls, out_values, out_nulls};
	bool		failed;
	bool		keep;

	if (state->identity == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(MemoryContextGetParent(state->row_context));

		state->identity = palloc(sizeof(MlKeyPrefix));
		MlKeyPrefixInit(state->identity, target);
		MemoryContextSwitchTo(old);
	}
	answers = MlPredictAnswers(state->identity, state->model_text, runtime);
	memo = same_runtime(&answers->runtime, runtime) ? answers->memo : NULL;
	cache = answers->cache;
	if (memo != NULL || cache != NULL)
		MlCallKey(&answers->prefix, in_values, in_nulls, &key);
	if (memo != NULL && (entry = MlMemoLookup(memo, &key)) != NULL &&
		entry->state == ML_MEMO_DONE)
	{
		memo->duplicates++;
		MlMemoCopyAnswer(memo, entry, out_values, out_nulls);
		return entry->keep;
	}
	if (cache != NULL && MlResponseCacheGet(cache, &key, out_values, out_nulls))
		keep = true, failed = true;	/* known: nothing to store */
	else
	{
		request = MlBuildRequest(target, in_values, in_nulls, runtime);
		MlSendRequests(target, &request, &response, 1, runtime);
		keep = MlDecodeRows(target, request, &response, &row, 1, runtime->on_error,
							&failed);
		if (cache != NULL && !failed && keep)
			MlResponseCachePut(cache, &key, out_values, out_nulls);
	}
	if (memo != NULL && entry == NULL)
		entry = MlMemoEnter(memo, &key);
	if (entry != NULL)
		MlMemoSetAnswer(memo, entry, out_values, out_nulls, keep);
	return keep;
}

/*
 * mlpredict_ml_predict
 *		One row of outputs for one row of inputs.
 */
Datum
mlpredict_ml_predict(PG_FUNCTION_ARGS)
{
	PredictState *state = MlPredictState(fcinfo, "ml_predict");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MlTarget   *target = state->target;
	MemoryContext old;
	MlRuntimeOptions runtime;
	Datum	   *in_values,
			   *out_values;
	bool	   *in_nulls,
			   *out_nulls;

	MlInitMaterializedSRF(fcinfo, true);
	if (!state->desc_checked)
	{
		MlCheckResultDesc(target, rsinfo->setDesc);
		state->desc_checked = true;
	}
	MemoryContextReset(state->row_context);
	old = MemoryContextSwitchTo(state->row_context);
	in_values = palloc0(sizeof(Datum) * target->ninputs);
	in_nulls = palloc0(sizeof(bool) * target->ninputs);
	out_values = palloc0(sizeof(Datum) * target->noutputs);
	out_nulls = palloc(sizeof(bool) * target->noutputs);
	memset(out_nulls, true, sizeof(bool) * target->noutputs);

	MlPredictInputs(state, fcinfo, in_values, in_nulls, &runtime);
	if (!MlAnyNull(in_nulls, target->ninputs) &&
		!call_model(state, in_values, in_nulls, out_values, out_nulls, &runtime))
	{
		MemoryContextSwitchTo(old);
		return (Datum) 0;		/* on_error = skip: no row */
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out_values, out_nulls);
	MemoryContextSwitchTo(old);
	return (Datum) 0;
}
