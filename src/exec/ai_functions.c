/*-------------------------------------------------------------------------
 *
 * ai_functions.c
 *	  mlpredict.ai_complete(model, prompt [, config]) and
 *	  mlpredict.ai_embedding(model, input [, config]): Confluent's
 *	  AI_COMPLETE and AI_EMBEDDING as scalar functions.
 *
 * Both call a model the way ml_predict does (predict.c: the model
 * reference is resolved, the caller's EXECUTE privilege on the model's
 * typed function is checked, the request is built, sent through the pool
 * or the in-backend queue, and decoded by decode_rows.c under on_error),
 * but return one value instead of a row: ai_complete the text of a model
 * with one string INPUT and one string OUTPUT, ai_embedding the real[]
 * of a model with one string INPUT and one ARRAY<FLOAT> or ARRAY<DOUBLE>
 * OUTPUT.  Any other model is refused (42809) with a hint to use
 * ml_predict.  A NULL input gives NULL and sends nothing; a failed call
 * under on_error = null or skip gives NULL (a scalar function always
 * gives one value, so skip drops nothing).
 *
 * This is the one-call-per-row path.  In FROM (LATERAL ai_complete(...))
 * and in a select list that select_list.c rewrites, the pipelined
 * executor (pipeline.c) runs them instead, using MlAiCheckModel and
 * MlAiResult from here so both paths give the same values and errors.
 *
 * IDENTIFICATION
 *	  src/exec/ai_functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "exec/ai_functions.h"
#include "exec/decode_rows.h"
#include "exec/predict.h"
#include "types/typemap.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_ai_complete);
PG_FUNCTION_INFO_V1(mlpredict_ai_embedding);

/* Per query (fn_extra): the model resolved for calling. */
typedef struct AiState
{
	char	   *model_text;
	MlTarget   *target;
	ArgInfo		arg;			/* text -> the INPUT column's type */
	MemoryContext row_context;	/* reset for every call */
} AiState;

/*
 * MlAiKindOfSymbol
 *		See ai_functions.h.
 */
MlAiKind
MlAiKindOfSymbol(const char *symbol)
{
	if (strcmp(symbol, AI_COMPLETE_SYMBOL) == 0)
		return ML_AI_COMPLETE;
	if (strcmp(symbol, AI_EMBEDDING_SYMBOL) == 0)
		return ML_AI_EMBEDDING;
	return ML_AI_NONE;
}

/*
 * MlAiFunctionKind
 *		See ai_functions.h.
 */
MlAiKind
MlAiFunctionKind(Oid funcid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	MlAiKind	kind = ML_AI_NONE;
	bool		isnull;

	if (!HeapTupleIsValid(tuple))
		return ML_AI_NONE;
	if (((Form_pg_proc) GETSTRUCT(tuple))->prolang == ClanguageId)
	{
		Datum		src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);

		if (!isnull)
			kind = MlAiKindOfSymbol(TextDatumGetCString(src));
	}
	ReleaseSysCache(tuple);
	return kind;
}

/*
 * is_string
 *		A string column (STRING, VARCHAR, CHAR, text).
 */
static bool
is_string(MlColumn *col)
{
	return TypeCategory(col->typid) == TYPCATEGORY_STRING;
}

/*
 * is_float_array
 *		ARRAY<FLOAT> or ARRAY<DOUBLE>.
 */
static bool
is_float_array(MlColumn *col)
{
	return col->typid == FLOAT4ARRAYOID || col->typid == FLOAT8ARRAYOID;
}

/*
 * MlAiCheckModel
 *		See ai_functions.h.
 */
void
MlAiCheckModel(MlAiKind kind, MlTarget *target)
{
	MlModel    *model = target->model;
	const char *fname = kind == ML_AI_COMPLETE ? "ai_complete" : "ai_embedding";
	bool		ok = list_length(model->input) == 1 && list_length(model->output) == 1 &&
		is_string(linitial(model->input));

	if (ok)
		ok = kind == ML_AI_COMPLETE ? is_string(linitial(model->output)) :
			is_float_array(linitial(model->output));
	if (ok)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("model \"%s\" cannot be called with %s", target->display_name, fname),
			 errdetail("%s needs one STRING INPUT column and one %s OUTPUT column; the model has INPUT (%s) and OUTPUT (%s).",
					   fname, kind == ML_AI_COMPLETE ? "STRING" : "ARRAY<FLOAT> or ARRAY<DOUBLE>",
					   MlColumnsToFlink(model->input), MlColumnsToFlink(model->output)),
			 errhint("Call the model with mlpredict.ml_predict or its typed function %s(...).",
					 MlQualifiedModelName(model->schema, model->name))));
}

/*
 * MlAiResult
 *		See ai_functions.h.
 */
Datum
MlAiResult(MlAiKind kind, MlTarget *target, Datum value)
{
	MlColumn   *col = linitial(target->model->output);
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			dims[1];
	int			lbs[1] = {1};

	if (kind != ML_AI_EMBEDDING || col->typid != FLOAT8ARRAYOID)
		return value;
	array = DatumGetArrayTypeP(value);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("embedding of model \"%s\" has %d dimensions", target->display_name,
						ARR_NDIM(array)),
				 errdetail("ai_embedding returns a one-dimensional real[].")));
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			elems[i] = Float4GetDatum((float4) DatumGetFloat8(elems[i]));
	dims[0] = n;
	return PointerGetDatum(construct_md_array(elems, nulls, n > 0 ? 1 : 0, dims, lbs,
											  FLOAT4OID, sizeof(float4), true,
											  TYPALIGN_INT));
}

/*
 * ai_state
 *		The call state for this query, built on the first call (or when the
 *		model argument changes).
 */
static AiState *
ai_state(FunctionCallInfo fcinfo, MlAiKind kind, const char *fname)
{
	AiState    *state = fcinfo->flinfo->fn_extra;
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
	state = palloc0(sizeof(AiState));
	state->model_text = pstrdup(model_text);
	state->target = MlPredictTarget(model_text);
	MlAiCheckModel(kind, state->target);
	MlPlanConversion(&state->arg, TEXTOID, linitial(state->target->model->input), 2,
					 fname, state->target, fcinfo->flinfo->fn_mcxt);
	state->row_context = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
											   "mlpredict ai function row",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = state;
	return state;
}

/*
 * ai_call
 *		One model call for the input in argument 1; the result in the
 *		caller's memory context, or *isnull.
 */
static Datum
ai_call(FunctionCallInfo fcinfo, MlAiKind kind, const char *fname, bool *isnull)
{
	AiState    *state = ai_state(fcinfo, kind, fname);
	MlTarget   *target = state->target;
	MemoryContext caller = CurrentMemoryContext;
	MlRuntimeOptions runtime;
	HttpRequest *request;
	HttpResponse response = {0};
	Datum		value;
	bool		value_null = false;
	Datum		out_value = (Datum) 0;
	bool		out_null = true;
	MlBatchRow	row = {&value, &value_null, &out_value, &out_null};
	Datum		result = (Datum) 0;

	*isnull = true;
	if (PG_ARGISNULL(1))
		return (Datum) 0;		/* NULL input: NULL, nothing sent */
	MlRuntimeOptionsDefaults(&runtime);
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		MlRuntimeOptionsFromDatum(PG_GETARG_DATUM(2), &runtime);

	MemoryContextReset(state->row_context);
	MemoryContextSwitchTo(state->row_context);
	value = MlConvertArgument(&state->arg, PG_GETARG_DATUM(1));
	request = MlBuildRequest(target, &value, &value_null, &runtime);
	MlSendRequests(target, &request, &response, 1, &runtime);
	if (MlDecodeRows(target, request, &response, &row, 1, runtime.on_error, NULL) &&
		!out_null)
	{
		Datum		converted = MlAiResult(kind, target, out_value);

		MemoryContextSwitchTo(caller);
		result = datumCopy(converted, false, -1);
		*isnull = false;
	}
	MemoryContextSwitchTo(caller);
	return result;
}

/*
 * mlpredict_ai_complete
 *		ai_complete(model text, prompt text, config predict_options) -> text
 */
Datum
mlpredict_ai_complete(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		result = ai_call(fcinfo, ML_AI_COMPLETE, "ai_complete", &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * mlpredict_ai_embedding
 *		ai_embedding(model text, input text, config predict_options) -> real[]
 */
Datum
mlpredict_ai_embedding(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		result = ai_call(fcinfo, ML_AI_EMBEDDING, "ai_embedding", &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
