/*-------------------------------------------------------------------------
 *
 * circuit.h
 *	  The circuit breaker of one connection object: pure C11 with only
 *	  libc (test/unit/test_circuit.c); limiter.c keeps one in each of its
 *	  per-connection entries, under its lock.
 *
 * Closed, it lets every request through and counts consecutive failures
 * to reach the endpoint.  After CIRCUIT_OPEN_AFTER of them it opens: one
 * request at a time goes through as a probe, at most one every probe
 * interval (CIRCUIT_PROBE_MIN_MS doubling to CIRCUIT_PROBE_MAX_MS); the
 * others wait for the endpoint to come back while the outage is younger
 * than the caller's window, and fail at once after that.  Any answer
 * closes it.  "Half-open" is open with a probe on the wire.
 *
 * Times are milliseconds on one clock; nothing here reads it.
 *
 * IDENTIFICATION
 *	  src/pool/circuit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CIRCUIT_H
#define MLPREDICT_CIRCUIT_H

#include <stdbool.h>

#define CIRCUIT_OPEN_AFTER		3
#define CIRCUIT_PROBE_MIN_MS	100
#define CIRCUIT_PROBE_MAX_MS	500
/* How often a request waiting for a probe looks again. */
#define CIRCUIT_POLL_MS			50

typedef struct Circuit
{
	int			failures;		/* consecutive failures to reach the endpoint */
	int			probes;			/* failed probes since it opened */
	long long	failing_since_ms;	/* the first of those failures, 0: none */
	long long	last_failure_ms;
	long long	next_probe_ms;	/* open: no probe before this */
	long long	probe_started_ms;	/* a probe is on the wire since; 0: none */
} Circuit;

typedef enum CircuitState
{
	CIRCUIT_CLOSED,
	CIRCUIT_OPEN,
	CIRCUIT_HALF_OPEN
} CircuitState;

typedef enum CircuitVerdict
{
	CIRCUIT_GO,					/* closed: go */
	CIRCUIT_PROBE,				/* go, as the probe (report its result) */
	CIRCUIT_WAIT,				/* wait *wait_ms and ask again */
	CIRCUIT_FAIL				/* down longer than the window: fail now */
} CircuitVerdict;

/*
 * May a request start at now_ms?  window_ms: how long an outage is waited
 * out (0: not at all); a probe on the wire for probe_stale_ms or longer
 * counts as lost (its process died) and another may start.
 */
extern CircuitVerdict CircuitAdmit(Circuit *c, long long now_ms, long window_ms,
								   long long probe_stale_ms, long long *wait_ms);

/* The endpoint answered: close. */
extern void CircuitSucceeded(Circuit *c);

/* The endpoint could not be reached (probe: the attempt was the probe). */
extern void CircuitFailed(Circuit *c, long long now_ms, bool probe);

/* A probe ended without telling anything (cancelled, requeued, dropped). */
extern void CircuitProbeEnded(Circuit *c);

extern CircuitState CircuitStateOf(const Circuit *c);

/* The wait after the probes-th failed probe (0: the one at opening). */
extern long CircuitProbeIntervalMs(int probes);

#endif							/* MLPREDICT_CIRCUIT_H */
