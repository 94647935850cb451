/*-------------------------------------------------------------------------
 *
 * cq_ddl.h
 *	  The continuous query statements of execute() (continuous_ddl.c).
 *
 * IDENTIFICATION
 *	  src/ddl/cq_ddl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CQ_DDL_H
#define MLPREDICT_CQ_DDL_H

#include "ddl/ddl.h"
#include "ddl/describe.h"

extern DdlResult *ContinuousStatement(DdlStatement *stmt, const char *sql, char **status);
extern DdlResult *DescribeContinuousQuery(const char *name);
extern DdlResult *ShowContinuousQueries(const char *pattern, bool not_like);

#endif							/* MLPREDICT_CQ_DDL_H */
