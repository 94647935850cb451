/*-------------------------------------------------------------------------
 *
 * circuit_info.c
 *	  mlpredict.circuit_breakers(): the circuit breaker of each connection
 *	  object of the current database (see circuit.h and limiter.c).
 *
 * With the pool the breakers are the cluster's, shared by every worker;
 * without it, this session's own.  A connection appears once a request
 * has used it (and until its entry is recycled).  Rows hold the
 * connection's name, times and the last error libcurl reported (it names
 * host and port, never credentials); everyone may read them, as
 * mlpredict.connections.
 *
 * IDENTIFICATION
 *	  src/pool/circuit_info.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "pool/circuit.h"
#include "pool/limiter.h"

PG_FUNCTION_INFO_V1(mlpredict_circuit_breakers);

static const char *const state_names[] = {"closed", "open", "half-open"};

/* A time on the limiter's clock (ms since the PostgreSQL epoch), or NULL. */
static Datum
limiter_time(int64 ms, bool *isnull)
{
	*isnull = ms == 0;
	return TimestampTzGetDatum((TimestampTz) ms * 1000);
}

/*
 * mlpredict_circuit_breakers
 *		One row per connection the limiter knows in this database: state
 *		(closed, open, half-open: a probe is out), consecutive failures to
 *		reach the endpoint, since when, the last one, when the next probe
 *		may go, and the last error.
 */
Datum
mlpredict_circuit_breakers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LimiterCircuitInfo *rows;
	int			n;

	MlInitMaterializedSRF(fcinfo, false);
	rows = LimiterCircuits(MyDatabaseId, &n);
	for (int i = 0; i < n; i++)
	{
		LimiterCircuitInfo *r = &rows[i];
		Datum		values[7];
		bool		nulls[7] = {false};

		values[0] = CStringGetTextDatum(r->connection);
		values[1] = CStringGetTextDatum(state_names[r->state]);
		values[2] = Int32GetDatum(r->failures);
		values[3] = limiter_time(r->failing_since_ms, &nulls[3]);
		values[4] = limiter_time(r->last_failure_ms, &nulls[4]);
		values[5] = limiter_time(r->next_probe_ms, &nulls[5]);
		values[6] = CStringGetTextDatum(r->last_error);
		nulls[6] = r->last_error[0] == '\0';
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
