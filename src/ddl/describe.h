/*-------------------------------------------------------------------------
 *
 * describe.h
 *	  Result sets of DESCRIBE and SHOW statements, built once and emitted
 *	  either as typed rows (function forms) or as JSON rows (execute()).
 *
 * IDENTIFICATION
 *	  src/ddl/describe.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_DESCRIBE_H
#define MLPREDICT_DESCRIBE_H

#include "mlpredict.h"

typedef struct DdlResult
{
	int			ncolumns;
	const char *const *columns; /* Confluent's column names */
	List	   *rows;			/* char ** of ncolumns (NULL = SQL NULL) */
} DdlResult;

extern DdlResult *DescribeConnection(const char *name);
extern DdlResult *ShowConnections(const char *pattern, bool not_like);
extern DdlResult *DescribeModel(MlModelRef *ref, bool all_columns);
extern DdlResult *ShowModels(const char *schema, const char *pattern, bool not_like);
extern DdlResult *ShowCreateModel(MlModelRef *ref);
extern char *ShowCreateModelText(MlModelRef *ref);

#endif							/* MLPREDICT_DESCRIBE_H */
