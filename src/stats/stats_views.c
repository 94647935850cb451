/*-------------------------------------------------------------------------
 *
 * stats_views.c
 *	  The SQL functions behind the statistics views: the rows of the
 *	  current database (mlpredict.stat_connections_raw,
 *	  mlpredict.stat_models_raw), mlpredict.stat_reset and
 *	  mlpredict.stat_info.
 *
 * The functions show and clear only the rows of MyDatabaseId.  Who may
 * call them is decided by the install script (stat_reset is revoked from
 * PUBLIC); the counters hold no secrets.
 *
 * IDENTIFICATION
 *	  src/stats/stats_views.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "stats/stats.h"

PG_FUNCTION_INFO_V1(mlpredict_stat_connections_raw);
PG_FUNCTION_INFO_V1(mlpredict_stat_models_raw);
PG_FUNCTION_INFO_V1(mlpredict_stat_reset);
PG_FUNCTION_INFO_V1(mlpredict_stat_info);

/* columns after the key columns: calls .. stats_reset */
#define STAT_COUNTER_COLUMNS	(3 + ML_STAT_NERRORS + 12)
#define STAT_MAX_COLUMNS		(2 + STAT_COUNTER_COLUMNS + 2)

/*
 * counter_values
 *		Fill values/nulls from calls on, in the views' column order.
 */
static void
counter_values(const MlStatRow *row, Datum *values, bool *nulls)
{
	int64		errors = 0;
	int			n = 0;
	int			i;

	for (i = 0; i < ML_STAT_NERRORS; i++)
		errors += row->errors[i];
	memset(nulls, false, sizeof(bool) * STAT_COUNTER_COLUMNS);
	values[n++] = Int64GetDatum(row->calls);
	values[n++] = Int64GetDatum(row->rows);
	values[n++] = Int64GetDatum(errors);
	for (i = 0; i < ML_STAT_NERRORS; i++)
		values[n++] = Int64GetDatum(row->errors[i]);
	values[n++] = Int64GetDatum(row->retries);
	values[n++] = Int64GetDatum(row->throttled);
	values[n++] = Float8GetDatum(row->throttled_ms);
	values[n++] = Int32GetDatum(row->in_flight);
	values[n++] = Int64GetDatum(row->bytes_sent);
	values[n++] = Int64GetDatum(row->bytes_received);
	values[n++] = Int64GetDatum(row->prompt_tokens);
	values[n++] = Int64GetDatum(row->completion_tokens);
	for (i = 0; i < 3; i++)
	{
		nulls[n] = !row->has_latency;
		values[n++] = Float8GetDatum(row->latency_ms[i]);
	}
	values[n++] = TimestampTzGetDatum(row->stats_reset);
	Assert(n == STAT_COUNTER_COLUMNS);
}

/*
 * stat_rows
 *		Return the current database's model or connection rows.
 */
static Datum
stat_rows(FunctionCallInfo fcinfo, bool models)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MlStatRow  *rows;
	int			nrows;
	int			i;

	MlInitMaterializedSRF(fcinfo, false);
	nrows = MlStatsSnapshot(MyDatabaseId, models, &rows);
	for (i = 0; i < nrows; i++)
	{
		Datum		values[STAT_MAX_COLUMNS];
		bool		nulls[STAT_MAX_COLUMNS];
		int			key = 0;

		if (models)
		{
			nulls[key] = false;
			values[key++] = CStringGetTextDatum(rows[i].model);
		}
		nulls[key] = false;
		values[key++] = CStringGetTextDatum(rows[i].connection);
		counter_values(&rows[i], values + key, nulls + key);
		if (models)
		{
			/* the response cache's, after stats_reset (added in 0.4.0) */
			int			n = key + STAT_COUNTER_COLUMNS;

			nulls[n] = nulls[n + 1] = false;
			values[n] = Int64GetDatum(rows[i].cache_hits);
			values[n + 1] = Int64GetDatum(rows[i].cache_misses);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * mlpredict_stat_connections_raw
 *		One row per connection object used in the current database.
 */
Datum
mlpredict_stat_connections_raw(PG_FUNCTION_ARGS)
{
	return stat_rows(fcinfo, false);
}

/*
 * mlpredict_stat_models_raw
 *		One row per (model, connection) used in the current database.
 */
Datum
mlpredict_stat_models_raw(PG_FUNCTION_ARGS)
{
	return stat_rows(fcinfo, true);
}

/*
 * mlpredict_stat_reset
 *		Clear the current database's rows.
 */
Datum
mlpredict_stat_reset(PG_FUNCTION_ARGS)
{
	MlStatsReset(MyDatabaseId);
	PG_RETURN_VOID();
}

/*
 * mlpredict_stat_info
 *		Whether the counters are cluster-wide, and the recordings lost to
 *		a full table.
 */
Datum
mlpredict_stat_info(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = BoolGetDatum(MlStatsIsShared());
	values[1] = Int64GetDatum(MlStatsDropped());
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
