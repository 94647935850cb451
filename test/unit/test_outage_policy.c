/*-------------------------------------------------------------------------
 *
 * test_outage_policy.c
 *	  Unit tests of src/http/outage_policy.c: which attempts are retried by
 *	  count and which by time, what they tell the breaker, and the waits.
 *	  Built and run by "make unit".
 *
 * IDENTIFICATION
 *	  test/unit/test_outage_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>

#include "http/outage_policy.h"

#include "unit_check.h"

#define CHECK(cond)		check((cond) != 0, __LINE__, #cond)

/* Transport failures: unreachable by time, dropped by count, the rest never. */
static void
test_classify_transport(void)
{
	CHECK(RetryClassify(RETRY_UNREACHABLE, 0, false, -1) == RETRY_OUTAGE);
	CHECK(RetryClassify(RETRY_DROPPED, 0, false, -1) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_OTHER, 0, false, -1) == RETRY_NEVER);
	/* status and quota are ignored without an answer */
	CHECK(RetryClassify(RETRY_UNREACHABLE, 200, true, 5) == RETRY_OUTAGE);
}

/* Answers: gateways by time, throttling and errors by count. */
static void
test_classify_answers(void)
{
	static const long never[] = {200, 201, 204, 301, 400, 401, 403, 404, 413, 422, 424, 501, 505};
	size_t		i;

	CHECK(RetryClassify(RETRY_ANSWERED, 502, false, -1) == RETRY_OUTAGE);
	CHECK(RetryClassify(RETRY_ANSWERED, 504, false, -1) == RETRY_OUTAGE);
	CHECK(RetryClassify(RETRY_ANSWERED, 503, false, -1) == RETRY_OUTAGE);
	/* a gateway that asks for a delay is still a gateway */
	CHECK(RetryClassify(RETRY_ANSWERED, 502, false, 30000) == RETRY_OUTAGE);
	/* a 503 asking for a delay is throttling or maintenance: counted */
	CHECK(RetryClassify(RETRY_ANSWERED, 503, false, 0) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 503, false, 30000) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 408, false, -1) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 429, false, -1) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 429, false, 1000) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 500, false, -1) == RETRY_COUNTED);
	CHECK(RetryClassify(RETRY_ANSWERED, 529, false, -1) == RETRY_COUNTED);
	/* an exhausted quota is final, whatever the status */
	CHECK(RetryClassify(RETRY_ANSWERED, 429, true, -1) == RETRY_NEVER);
	CHECK(RetryClassify(RETRY_ANSWERED, 503, true, -1) == RETRY_NEVER);
	CHECK(RetryClassify(RETRY_ANSWERED, 502, true, -1) == RETRY_NEVER);
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		check(RetryClassify(RETRY_ANSWERED, never[i], false, -1) == RETRY_NEVER,
			  __LINE__, "non-transient status is final");
}

/* Health: outage-class attempts are DOWN, other answers UP, the rest NONE. */
static void
test_health(void)
{
	CHECK(RetryEndpointHealth(RETRY_UNREACHABLE, RETRY_OUTAGE) == RETRY_HEALTH_DOWN);
	CHECK(RetryEndpointHealth(RETRY_ANSWERED, RETRY_OUTAGE) == RETRY_HEALTH_DOWN);
	CHECK(RetryEndpointHealth(RETRY_ANSWERED, RETRY_NEVER) == RETRY_HEALTH_UP);
	CHECK(RetryEndpointHealth(RETRY_ANSWERED, RETRY_COUNTED) == RETRY_HEALTH_UP);
	CHECK(RetryEndpointHealth(RETRY_DROPPED, RETRY_COUNTED) == RETRY_HEALTH_NONE);
	CHECK(RetryEndpointHealth(RETRY_OTHER, RETRY_NEVER) == RETRY_HEALTH_NONE);
}

/* Retrying by time: the window, the request's timeout, the endpoint's age. */
static void
test_outage_again(void)
{
	/* window 10 s, timeout 30 s: the request has failed for 0..10 s */
	CHECK(RetryOutageAgain(1000, 1000, 1000, 10000, 30000));
	CHECK(RetryOutageAgain(10999, 1000, 1000, 10000, 30000));
	CHECK(!RetryOutageAgain(11000, 1000, 1000, 10000, 30000));
	/* a 5 s outage is waited out with the defaults */
	CHECK(RetryOutageAgain(6000, 1000, 1000, 10000, 30000));
	/* the endpoint has been failing for longer than the request */
	CHECK(!RetryOutageAgain(11000, 10500, 1000, 10000, 30000));
	CHECK(RetryOutageAgain(10999, 10500, 1000, 10000, 30000));
	/* unknown endpoint age: the request's alone */
	CHECK(RetryOutageAgain(10999, 1000, 0, 10000, 30000));
	CHECK(!RetryOutageAgain(11000, 1000, 0, 10000, 30000));
	/* a shorter client_timeout bounds the request, not the endpoint */
	CHECK(RetryOutageAgain(2999, 1000, 1000, 10000, 2000));
	CHECK(!RetryOutageAgain(3000, 1000, 1000, 10000, 2000));
	CHECK(RetryOutageAgain(3000, 2000, 500, 10000, 2000));
	/* no timeout (0): the window alone */
	CHECK(RetryOutageAgain(10999, 1000, 1000, 10000, 0));
	/* window 0 or less: never */
	CHECK(!RetryOutageAgain(1000, 1000, 1000, 0, 30000));
	CHECK(!RetryOutageAgain(1000, 1000, 1000, -5, 30000));
	/* a request that has not failed yet (since 0) */
	CHECK(RetryOutageAgain(1000, 0, 0, 10000, 30000));
}

/* Waits: 50..100 ms first, doubling, capped at 1 s, server floor capped too. */
static void
test_outage_delay(void)
{
	int			n;
	int			ok = 1;

	CHECK(RetryOutageDelayMs(1, 0.0, -1) == 50);
	CHECK(RetryOutageDelayMs(1, 0.999, -1) == 99);
	CHECK(RetryOutageDelayMs(2, 0.0, -1) == 100);
	CHECK(RetryOutageDelayMs(4, 0.0, -1) == 400);
	CHECK(RetryOutageDelayMs(5, 0.0, -1) == 500);
	CHECK(RetryOutageDelayMs(5, 0.999, -1) == 999);
	CHECK(RetryOutageDelayMs(0, 0.0, -1) == 50);
	CHECK(RetryOutageDelayMs(-3, 0.0, -1) == 50);
	CHECK(RetryOutageDelayMs(1, 0.0, 300) == 300);
	CHECK(RetryOutageDelayMs(1, 0.0, 30000) == OUTAGE_CAP_MS);
	for (n = 1; n < 100000; n += 7)
	{
		long		d = RetryOutageDelayMs(n, (n % 10) / 10.0, -1);

		if (d < OUTAGE_BASE_MS / 2 || d > OUTAGE_CAP_MS)
			ok = 0;
	}
	CHECK(ok);
}

/* A 1 s and a 5 s outage: how many attempts one request makes (bounded). */
static void
test_outage_attempts(void)
{
	long long	now = 1000;
	long long	since = now;
	int			failures = 0;

	while (RetryOutageAgain(now, since, since, 10000, 30000) && failures < 1000)
	{
		failures++;
		now += RetryOutageDelayMs(failures, 0.5, -1);
	}
	/* about 10 s of attempts at most 1 s apart */
	CHECK(failures >= 10 && failures <= 20);
	CHECK(now - since >= 10000 && now - since <= 11000);
}

int
main(void)
{
	test_classify_transport();
	test_classify_answers();
	test_health();
	test_outage_again();
	test_outage_delay();
	test_outage_attempts();
	return unit_report();
}
