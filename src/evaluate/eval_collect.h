/*-------------------------------------------------------------------------
 *
 * eval_collect.h
 *	  Scoring the rows of ML_EVALUATE's generated statement into the
 *	  metrics jsonb (eval_collect.c).
 *
 * IDENTIFICATION
 *	  src/evaluate/eval_collect.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_EVAL_COLLECT_H
#define MLPREDICT_EVAL_COLLECT_H

#include "utils/jsonb.h"

#include "evaluate/eval_statement.h"

typedef struct EvalCollector EvalCollector;

extern EvalCollector *EvalCollectorCreate(EvalTask task, bool fail_on_error);
extern void EvalCollectRow(EvalCollector *collector, Datum *values, bool *nulls);
extern Jsonb *EvalCollectorResult(EvalCollector *collector);
extern int64 EvalCollectorRows(EvalCollector *collector);
extern void EvalCollectorFree(EvalCollector *collector);

#endif							/* MLPREDICT_EVAL_COLLECT_H */
