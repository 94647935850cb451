/*-------------------------------------------------------------------------
 *
 * pipeline.h
 *	  The pipelined model call: a CustomScan that runs
 *	  "FROM t, LATERAL ml_predict(...)" (or a model's typed function) as a
 *	  join that keeps many requests in flight.
 *
 * pipeline_path.c recognises the join in the planner and makes the plan;
 * pipeline.c executes it.  The plan is a CustomScan whose only child is
 * the outer side.  Its scan tuple (custom_scan_tlist) is the outer
 * child's target list followed by the function's output columns the
 * query uses; custom_exprs are the model name, the model inputs and the
 * runtime options (a NULL constant when not given), evaluated against the
 * scan tuple.  custom_private is a List laid out as below.
 *
 * IDENTIFICATION
 *	  src/exec/pipeline.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PIPELINE_H
#define MLPREDICT_PIPELINE_H

#include "nodes/extensible.h"

/* custom_private, by position */
#define PIPE_PRIVATE_NINPUTS	0	/* Integer: model inputs in custom_exprs */
#define PIPE_PRIVATE_NOUTER		1	/* Integer: outer columns of the scan tuple */
#define PIPE_PRIVATE_FLAGS		2	/* Integer: PIPE_FLAG_* */
#define PIPE_PRIVATE_FUNCID		3	/* Integer: the function replaced (an Oid) */
#define PIPE_PRIVATE_ATTNOS		4	/* IntList: output column of each scan
									 * tuple column after the outer ones */
#define PIPE_PRIVATE_TYPES		5	/* OidList: every output column's type */
#define PIPE_PRIVATE_NAMES		6	/* List of String: and its name */
#define PIPE_PRIVATE_TYPMODS	7	/* IntList: and its declared typmod */

#define PIPE_FLAG_LEFT_JOIN		0x01	/* LEFT JOIN LATERAL ... ON true */
#define PIPE_FLAG_SLOW_START	0x02	/* a LIMIT or cursor may stop early */

/* pipeline_path.c: install the planner hook (from _PG_init) */
extern void MlPipelineInit(void);

/*
 * pipeline_path.c: whether a FuncExpr of a query not yet planned is a
 * call the pipelined join takes (ml_predict, ai_complete, ai_embedding, a
 * model's typed function, with the model and options the same for every
 * row); select_list.c asks.
 */
extern bool MlPipelinableCall(Node *funcexpr);

/* pipeline.c */
extern CustomScanMethods MlPipelineScanMethods;

#endif							/* MLPREDICT_PIPELINE_H */
