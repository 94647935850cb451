/*-------------------------------------------------------------------------
 *
 * pool_info.c
 *	  mlpredict.pool_info(): one row per pool worker, with the bytes it
 *	  holds in its buffer budget, its sessions and its requests answered.
 *
 * No rows without the pool (the library not preloaded).  The function
 * shows no secrets; the install script decides who may call it.
 *
 * IDENTIFICATION
 *	  src/pool/pool_info.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"

#include "compat.h"
#include "pool/pool.h"

PG_FUNCTION_INFO_V1(mlpredict_pool_info);

/*
 * mlpredict_pool_info
 *		One row per pool worker: its pid (NULL while not running), the
 *		bytes it holds in its buffer budget now and their peak since it
 *		started, the sessions it serves now and the requests it has
 *		answered since it started.  No rows without the pool.
 */
Datum
mlpredict_pool_info(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	MlInitMaterializedSRF(fcinfo, false);
	for (int i = 0; PoolIsShared() && i < PoolWorkerCount(); i++)
	{
		PoolWorkerInfo info;
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		PoolGetWorkerInfo(i, &info);
		values[0] = Int32GetDatum(i + 1);
		values[1] = Int32GetDatum((int32) info.pid);
		nulls[1] = info.pid == 0;
		values[2] = Int64GetDatum((int64) info.buffered);
		values[3] = Int64GetDatum((int64) info.buffered_peak);
		values[4] = Int32GetDatum(info.sessions);
		values[5] = Int64GetDatum((int64) info.requests);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
