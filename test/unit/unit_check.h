/*
 * unit_check.h
 *	  The counting and reporting shared by the plain C unit tests whose
 *	  checks are identified by source line (test_retry_policy,
 *	  test_token_bucket, test_jwt).  Included once per test program.
 *
 * check() records one check and prints the failing ones; unit_report()
 * prints "N passed, M failed" and gives the exit status.
 */
#ifndef MLPREDICT_UNIT_CHECK_H
#define MLPREDICT_UNIT_CHECK_H

#include <stdio.h>

static int	passed;
static int	failed;

/* Record one check; on failure print where and what. */
static inline void
check(int ok, int line, const char *what)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAIL line %d: %s\n", line, what);
	}
}

/* Print the totals; the program's exit status (non-zero if a check failed). */
static inline int
unit_report(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed > 0 ? 1 : 0;
}

#endif							/* MLPREDICT_UNIT_CHECK_H */
