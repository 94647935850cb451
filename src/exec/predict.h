/*-------------------------------------------------------------------------
 *
 * predict.h
 *	  Per-query call state shared by ml_predict and debug_request: the
 *	  resolved model and how each SQL argument becomes a model input.
 *
 * IDENTIFICATION
 *	  src/exec/predict.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PREDICT_H
#define MLPREDICT_PREDICT_H

#include "access/tupdesc.h"
#include "fmgr.h"

#include "cache/cache.h"
#include "exec/request.h"

/* How one argument is turned into its INPUT column's type. */
typedef enum ArgConversion
{
	ARG_AS_IS,					/* same or binary-compatible type */
	ARG_INPUT_FUNCTION,			/* unknown-type literal: type input function */
	ARG_CAST_FUNCTION			/* implicit cast function */
} ArgConversion;

typedef struct ArgInfo
{
	ArgConversion conversion;
	FmgrInfo	func;			/* cast, input function */
	Oid			ioparam;
	int32		typmod;
} ArgInfo;

typedef struct PredictState
{
	char	   *model_text;		/* the model argument this state is for */
	MlTarget   *target;
	ArgInfo    *args;			/* one per model input */
	bool		has_options;	/* last argument is predict_options */
	bool		desc_checked;
	MemoryContext row_context;	/* reset for every call */
	MlKeyPrefix *identity;		/* the version's, once ml_predict needs it */
} PredictState;


extern MlTarget *MlPredictTarget(const char *model_text);
extern void MlPlanConversion(ArgInfo *arg, Oid argtype, struct MlColumn *col,
							 int position, const char *fname, MlTarget *target,
							 MemoryContext mcxt);
extern ArgInfo *MlPlanArguments(MlTarget *target, const Oid *argtypes,
								int nargs, const char *fname,
								MemoryContext mcxt);
extern Datum MlConvertArgument(ArgInfo *arg, Datum value);
extern bool MlAnyNull(bool *nulls, int n);
extern void MlCheckResultDesc(MlTarget *target, TupleDesc desc);
extern PredictState *MlPredictState(FunctionCallInfo fcinfo, const char *fname);
extern void MlPredictInputs(PredictState *state, FunctionCallInfo fcinfo,
							Datum *values, bool *nulls, MlRuntimeOptions *runtime);

#endif							/* MLPREDICT_PREDICT_H */
