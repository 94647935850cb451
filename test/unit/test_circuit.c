/*-------------------------------------------------------------------------
 *
 * test_circuit.c
 *	  Unit tests of src/pool/circuit.c, the circuit breaker's state
 *	  machine.  Built and run by "make unit".
 *
 * IDENTIFICATION
 *	  test/unit/test_circuit.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "pool/circuit.h"

#include "unit_check.h"

#define CHECK(cond)		check((cond) != 0, __LINE__, #cond)
#define WINDOW			10000
#define STALE			60000

static CircuitVerdict
admit(Circuit *c, long long now, long long *wait)
{
	return CircuitAdmit(c, now, WINDOW, STALE, wait);
}

/* Open a fresh breaker with CIRCUIT_OPEN_AFTER failures at now. */
static void
open_at(Circuit *c, long long now)
{
	memset(c, 0, sizeof(Circuit));
	for (int i = 0; i < CIRCUIT_OPEN_AFTER; i++)
		CircuitFailed(c, now, false);
}

/* Closed: everything goes; fewer failures than the threshold stay closed. */
static void
test_closed(void)
{
	Circuit		c;
	long long	wait;

	memset(&c, 0, sizeof(c));
	CHECK(CircuitStateOf(&c) == CIRCUIT_CLOSED);
	CHECK(admit(&c, 1000, &wait) == CIRCUIT_GO && wait == 0);
	for (int i = 0; i < CIRCUIT_OPEN_AFTER - 1; i++)
		CircuitFailed(&c, 1000 + i, false);
	CHECK(CircuitStateOf(&c) == CIRCUIT_CLOSED);
	CHECK(c.failing_since_ms == 1000);
	CHECK(admit(&c, 2000, &wait) == CIRCUIT_GO);
	/* an answer forgets the failures */
	CircuitSucceeded(&c);
	CHECK(c.failures == 0 && c.failing_since_ms == 0);
	CircuitFailed(&c, 3000, false);
	CHECK(CircuitStateOf(&c) == CIRCUIT_CLOSED && c.failing_since_ms == 3000);
}

/* Opening: one probe after the first interval; the others wait for it. */
static void
test_open_and_probe(void)
{
	Circuit		c;
	long long	wait;

	open_at(&c, 1000);
	CHECK(CircuitStateOf(&c) == CIRCUIT_OPEN);
	CHECK(c.failing_since_ms == 1000);
	CHECK(admit(&c, 1000, &wait) == CIRCUIT_WAIT && wait == CIRCUIT_PROBE_MIN_MS);
	CHECK(admit(&c, 1099, &wait) == CIRCUIT_WAIT && wait == 1);
	CHECK(admit(&c, 1100, &wait) == CIRCUIT_PROBE);
	CHECK(CircuitStateOf(&c) == CIRCUIT_HALF_OPEN);
	/* one probe at a time */
	CHECK(admit(&c, 1100, &wait) == CIRCUIT_WAIT && wait == CIRCUIT_POLL_MS);
	CHECK(admit(&c, 5000, &wait) == CIRCUIT_WAIT);
	/* the probe fails: the next one after a longer interval */
	CircuitFailed(&c, 1150, true);
	CHECK(CircuitStateOf(&c) == CIRCUIT_OPEN);
	CHECK(c.next_probe_ms == 1150 + 2 * CIRCUIT_PROBE_MIN_MS);
	CHECK(admit(&c, 1200, &wait) == CIRCUIT_WAIT && wait == 150);
	CHECK(admit(&c, 1350, &wait) == CIRCUIT_PROBE);
	/* it succeeds: closed, everything goes */
	CircuitSucceeded(&c);
	CHECK(CircuitStateOf(&c) == CIRCUIT_CLOSED);
	CHECK(admit(&c, 1351, &wait) == CIRCUIT_GO);
	CHECK(admit(&c, 1351, &wait) == CIRCUIT_GO);
}

/* Failures of requests already on the wire do not push the probe back. */
static void
test_stragglers(void)
{
	Circuit		c;
	long long	wait;

	open_at(&c, 1000);
	for (int i = 0; i < 30; i++)
		CircuitFailed(&c, 1050, false);
	CHECK(c.next_probe_ms == 1000 + CIRCUIT_PROBE_MIN_MS);
	CHECK(admit(&c, 1100, &wait) == CIRCUIT_PROBE);
	/* a straggler failing while the probe is out does not end the probe */
	CircuitFailed(&c, 1120, false);
	CHECK(CircuitStateOf(&c) == CIRCUIT_HALF_OPEN);
}

/* Probe intervals double up to the cap: a bounded probe rate. */
static void
test_probe_interval(void)
{
	CHECK(CircuitProbeIntervalMs(0) == CIRCUIT_PROBE_MIN_MS);
	CHECK(CircuitProbeIntervalMs(1) == 2 * CIRCUIT_PROBE_MIN_MS);
	CHECK(CircuitProbeIntervalMs(2) == 4 * CIRCUIT_PROBE_MIN_MS);
	CHECK(CircuitProbeIntervalMs(10) == CIRCUIT_PROBE_MAX_MS);
	CHECK(CircuitProbeIntervalMs(1000000) == CIRCUIT_PROBE_MAX_MS);
	CHECK(CircuitProbeIntervalMs(-1) == CIRCUIT_PROBE_MIN_MS);
}

/* Older than the window: fail at once, but probes go on at a bounded rate. */
static void
test_past_window(void)
{
	Circuit		c;
	long long	wait;
	long long	now;
	int			probes = 0;
	int			fails = 0;

	open_at(&c, 1000);
	/* simulate 60 s of requests every 10 ms against a dead endpoint */
	for (now = 1000; now < 61000; now += 10)
	{
		switch (admit(&c, now, &wait))
		{
			case CIRCUIT_PROBE:
				probes++;
				CircuitFailed(&c, now + 1, true);
				break;
			case CIRCUIT_FAIL:
				fails++;
				break;
			case CIRCUIT_WAIT:
				check(now - 1000 < WINDOW, __LINE__, "waits only within the window");
				break;
			case CIRCUIT_GO:
				check(0, __LINE__, "never goes while open");
				break;
		}
	}
	/* at most one probe per CIRCUIT_PROBE_MAX_MS once the interval is at its cap */
	CHECK(probes >= 60000 / CIRCUIT_PROBE_MAX_MS - 5 && probes <= 60000 / CIRCUIT_PROBE_MAX_MS + 10);
	CHECK(fails > 4000);
	CHECK(admit(&c, 61000 + CIRCUIT_PROBE_MAX_MS, &wait) == CIRCUIT_PROBE);
	/* and the first probe that gets through closes it */
	CircuitSucceeded(&c);
	CHECK(admit(&c, 62000, &wait) == CIRCUIT_GO);
}

/* Window 0: no waiting, only probes and failing. */
static void
test_no_window(void)
{
	Circuit		c;
	long long	wait;

	open_at(&c, 1000);
	CHECK(CircuitAdmit(&c, 1000, 0, STALE, &wait) == CIRCUIT_FAIL);
	CHECK(CircuitAdmit(&c, 1100, 0, STALE, &wait) == CIRCUIT_PROBE);
	CHECK(CircuitAdmit(&c, 1100, 0, STALE, &wait) == CIRCUIT_FAIL);
}

/* A probe lost with its process, or cancelled, does not block for ever. */
static void
test_lost_probe(void)
{
	Circuit		c;
	long long	wait;

	open_at(&c, 1000);
	CHECK(admit(&c, 1100, &wait) == CIRCUIT_PROBE);
	CHECK(admit(&c, 1100 + STALE - 1, &wait) == CIRCUIT_FAIL);
	CHECK(admit(&c, 1100 + STALE, &wait) == CIRCUIT_PROBE);
	CircuitProbeEnded(&c);
	CHECK(CircuitStateOf(&c) == CIRCUIT_OPEN);
	CHECK(admit(&c, 1100 + STALE, &wait) == CIRCUIT_PROBE);
	/* a clock at 0 still marks the probe as out */
	open_at(&c, 0);
	c.next_probe_ms = 0;
	CHECK(admit(&c, 0, &wait) == CIRCUIT_PROBE);
	CHECK(CircuitStateOf(&c) == CIRCUIT_HALF_OPEN);
}

int
main(void)
{
	test_closed();
	test_open_and_probe();
	test_stragglers();
	test_probe_interval();
	test_past_window();
	test_no_window();
	test_lost_probe();
	return unit_report();
}
