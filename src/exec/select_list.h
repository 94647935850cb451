/*-------------------------------------------------------------------------
 *
 * select_list.h
 *	  Pipelining model calls written in a select list: a planner hook that
 *	  moves them into LATERAL function relations (select_list.c).
 *
 * IDENTIFICATION
 *	  src/exec/select_list.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SELECT_LIST_H
#define MLPREDICT_SELECT_LIST_H

#include "nodes/nodes.h"

/* install the planner hook (from _PG_init) */
extern void MlSelectListInit(void);

#endif							/* MLPREDICT_SELECT_LIST_H */
