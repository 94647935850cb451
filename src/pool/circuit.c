/*-------------------------------------------------------------------------
 *
 * circuit.c
 *	  The circuit breaker's state machine (see circuit.h).
 *
 * Pure C11 with libc only, deliberately without "postgres.h", like
 * token_bucket.c: the module build compiles it with the server's flags,
 * the unit tests link it into a plain program.
 *
 * Why: without it, thousands of queued rows each burn their own attempts
 * against a down endpoint, and a statement run after the endpoint has been
 * down for minutes still waits out the whole window for every request.
 * With it, one probe at a time tests the endpoint, the other requests wait
 * for the probe (or fail at once once the outage is older than the
 * window), and the first answer lets them all go.
 *
 * IDENTIFICATION
 *	  src/pool/circuit.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "pool/circuit.h"

/*
 * CircuitProbeIntervalMs
 *		CIRCUIT_PROBE_MIN_MS doubling to CIRCUIT_PROBE_MAX_MS.
 */
long
CircuitProbeIntervalMs(int probes)
{
	long		ms = CIRCUIT_PROBE_MIN_MS;

	for (int i = 0; i < probes && ms < CIRCUIT_PROBE_MAX_MS; i++)
		ms *= 2;
	return ms < CIRCUIT_PROBE_MAX_MS ? ms : CIRCUIT_PROBE_MAX_MS;
}

CircuitState
CircuitStateOf(const Circuit *c)
{
	if (c->failures < CIRCUIT_OPEN_AFTER)
		return CIRCUIT_CLOSED;
	return c->probe_started_ms != 0 ? CIRCUIT_HALF_OPEN : CIRCUIT_OPEN;
}

/*
 * CircuitAdmit
 *		Closed: go.  Open: the probe if none is out and its time has come;
 *		else wait while the outage is younger than the window; else fail.
 */
CircuitVerdict
CircuitAdmit(Circuit *c, long long now_ms, long window_ms,
			 long long probe_stale_ms, long long *wait_ms)
{
	*wait_ms = 0;
	if (c->failures < CIRCUIT_OPEN_AFTER)
		return CIRCUIT_GO;
	if (c->probe_started_ms != 0 && now_ms - c->probe_started_ms >= probe_stale_ms)
		c->probe_started_ms = 0;
	if (c->probe_started_ms == 0 && now_ms >= c->next_probe_ms)
	{
		/* never 0, which means "no probe" */
		c->probe_started_ms = now_ms != 0 ? now_ms : 1;
		return CIRCUIT_PROBE;
	}
	if (window_ms <= 0 || now_ms - c->failing_since_ms >= window_ms)
		return CIRCUIT_FAIL;
	if (c->probe_started_ms != 0)
		*wait_ms = CIRCUIT_POLL_MS;
	else
		*wait_ms = c->next_probe_ms - now_ms;
	if (*wait_ms < 1)
		*wait_ms = 1;
	return CIRCUIT_WAIT;
}

void
CircuitSucceeded(Circuit *c)
{
	memset(c, 0, sizeof(Circuit));
}

/*
 * CircuitFailed
 *		One more consecutive failure.  The probe schedule starts when the
 *		breaker opens and moves on when a probe fails; failures of requests
 *		that were on the wire before it opened do not delay the probe.
 */
void
CircuitFailed(Circuit *c, long long now_ms, bool probe)
{
	if (c->failing_since_ms == 0)
		c->failing_since_ms = now_ms != 0 ? now_ms : 1;
	c->last_failure_ms = now_ms;
	if (c->failures < CIRCUIT_OPEN_AFTER)
	{
		c->failures++;
		if (c->failures == CIRCUIT_OPEN_AFTER)
			c->next_probe_ms = now_ms + CircuitProbeIntervalMs(0);
		return;
	}
	if (c->failures < 1000000)
		c->failures++;
	if (probe)
	{
		c->probe_started_ms = 0;
		if (c->probes < 1000)
			c->probes++;
		c->next_probe_ms = now_ms + CircuitProbeIntervalMs(c->probes);
	}
}

void
CircuitProbeEnded(Circuit *c)
{
	c->probe_started_ms = 0;
}
