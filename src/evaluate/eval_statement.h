/*-------------------------------------------------------------------------
 *
 * eval_statement.h
 *	  The task a model is evaluated as, and the statement ML_EVALUATE
 *	  runs to predict over the caller's query (eval_statement.c); its
 *	  columns are what the collector (eval_collect.h) scores.
 *
 * IDENTIFICATION
 *	  src/evaluate/eval_statement.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_EVAL_STATEMENT_H
#define MLPREDICT_EVAL_STATEMENT_H

#include "mlpredict.h"

typedef enum EvalTask
{
	EVAL_CLASSIFICATION,
	EVAL_REGRESSION,
	EVAL_CLUSTERING,
	EVAL_EMBEDDING,
	EVAL_TEXT_GENERATION
} EvalTask;

/*
 * The generated statement's columns, converted for scoring: the label
 * (text, float8, float8[] or text by task; NULL::text for clustering),
 * the prediction (the model's first OUTPUT column, same types), and for
 * clustering the point (float8[] of the numeric inputs).
 */
#define EVAL_COL_LABEL		0
#define EVAL_COL_PREDICTION	1
#define EVAL_COL_POINT		2

extern EvalTask EvalTaskOf(MlModel *model);
extern char *EvalStatement(MlModel *model, EvalTask task, const char *query,
						   const char *model_literal, const char *options_literal);

#endif							/* MLPREDICT_EVAL_STATEMENT_H */
