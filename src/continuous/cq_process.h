/*-------------------------------------------------------------------------
 *
 * cq_process.h
 *	  Processing one batch of a continuous query's queue, in the caller's
 *	  transaction: the worker's and mlpredict.process_continuous_query()'s
 *	  common code.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_process.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CQ_PROCESS_H
#define MLPREDICT_CQ_PROCESS_H

#include "datatype/timestamp.h"

typedef struct ContinuousBatchResult
{
	int			taken;			/* queue rows taken (locked) */
	int			done;			/* of those, processed and removed */
	int			failed;			/* charged an attempt (rescheduled or parked) */
	int			parked;			/* of those, parked at max_attempts */
	bool		deferred;		/* the endpoint was unreachable: nothing charged */
	bool		missing;		/* the query no longer exists or is paused */
	int			batch_size;		/* the query's batch_size */
} ContinuousBatchResult;

extern int	MlProcessContinuousQuery(const char *name, int max_rows);
extern void ContinuousProcessBatch(const char *name, int max_rows,
								   ContinuousBatchResult *result);
extern void ContinuousRecordError(const char *name, const char *sqlstate,
								  const char *message);
extern int	ContinuousBackoffMs(int attempts);

#endif							/* MLPREDICT_CQ_PROCESS_H */
