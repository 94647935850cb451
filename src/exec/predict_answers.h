/*-------------------------------------------------------------------------
 *
 * predict_answers.h
 *	  The answers ml_predict (one call per row) shares within a statement,
 *	  per model version (predict_answers.c).
 *
 * IDENTIFICATION
 *	  src/exec/predict_answers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PREDICT_ANSWERS_H
#define MLPREDICT_PREDICT_ANSWERS_H

#include "cache/cache.h"

/*
 * A model version's memo (NULL when mlpredict.dedup_memory = 0), for
 * calls with the runtime options of the first call, and its response
 * cache (NULL unless the model opted in).
 */
typedef struct PredictAnswers
{
	MlMemo	   *memo;
	MlResponseCache *cache;
	MlKeyPrefix prefix;
	MlRuntimeOptions runtime;	/* those memo is for */
} PredictAnswers;

/*
 * The current statement's answers for the version whose key prefix is
 * identity (MlKeyPrefixInit of the caller's target), made on its first
 * call from model_text, the reference the caller resolved and checked.
 */
extern PredictAnswers *MlPredictAnswers(const MlKeyPrefix *identity,
										const char *model_text,
										const MlRuntimeOptions *runtime);

#endif							/* MLPREDICT_PREDICT_ANSWERS_H */
