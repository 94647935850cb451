/*-------------------------------------------------------------------------
 *
 * ai_functions.h
 *	  mlpredict.ai_complete and mlpredict.ai_embedding (Confluent's
 *	  AI_COMPLETE and AI_EMBEDDING): scalar calls of a model with one
 *	  string input, and what the pipelined executor needs to run them.
 *
 * IDENTIFICATION
 *	  src/exec/ai_functions.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_AI_FUNCTIONS_H
#define MLPREDICT_AI_FUNCTIONS_H

#include "exec/request.h"

#define AI_COMPLETE_SYMBOL	"mlpredict_ai_complete"
#define AI_EMBEDDING_SYMBOL "mlpredict_ai_embedding"

typedef enum MlAiKind
{
	ML_AI_NONE,					/* not an AI function */
	ML_AI_COMPLETE,				/* ai_complete: text out */
	ML_AI_EMBEDDING				/* ai_embedding: real[] out */
} MlAiKind;

/* Which AI function a C function's symbol (pg_proc.prosrc) names. */
extern MlAiKind MlAiKindOfSymbol(const char *symbol);

/* Which AI function funcid is (by its C symbol), or ML_AI_NONE. */
extern MlAiKind MlAiFunctionKind(Oid funcid);

/*
 * Raise ERROR (42809) unless the model fits the function: one string
 * INPUT and one string OUTPUT (complete) or ARRAY<FLOAT|DOUBLE> OUTPUT
 * (embedding).
 */
extern void MlAiCheckModel(MlAiKind kind, MlTarget *target);

/*
 * The function's result for a decoded (non-NULL) OUTPUT value: an
 * ARRAY<DOUBLE> embedding becomes real[]; anything else is returned as is.
 * Allocates in the current memory context.
 */
extern Datum MlAiResult(MlAiKind kind, MlTarget *target, Datum value);

#endif							/* MLPREDICT_AI_FUNCTIONS_H */
