/*-------------------------------------------------------------------------
 *
 * decode_bench.c
 *	  Micro-benchmark of the number reading under vector decoding, outside
 *	  the server: a 1536-number JSON array (an embedding) read into floats
 *	  the way MlJsonNumbersToDatum reads it (white space, number, separator)
 *	  with src/types/float_parse.c, against the same loop with strtod and
 *	  strtof (what decoding used per number before, after numeric_out).
 *	  bench/decode_bench.sh runs it, then measures the whole decode in the
 *	  server; by hand:
 *
 *	    cc -O2 -Isrc -o /tmp/decode_bench bench/decode_bench.c src/types/float_parse.c -lm
 *	    /tmp/decode_bench [rounds]
 *
 * Two kinds of numbers: 6 decimals ("-0.123456", as bench/decode_vectors.sql
 * and the stand-in make them) and doubles in full (the shortest text that
 * reads back, 15 to 17 digits, as JSON encoders such as Python's write a
 * double); 64 different vectors read in turn (2 MB of text,
 * an answer of 64 rows), so that neither the cache nor the branch
 * predictor learns one vector.  Prints ns per number for each reader and
 * kind, the best of several runs, and checks that the readers agree bit
 * for bit.
 *
 * IDENTIFICATION
 *	  bench/decode_bench.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "types/float_parse.h"

#define DIMS	1536
#define VECTORS 64

static char *
make_array(int digits, uint64_t seed)
{
	char	   *text = malloc(DIMS * 32 + 2);
	int			len = 0;

	text[len++] = '[';
	for (int i = 0; i < DIMS; i++)
	{
		double		v;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		v = (double) (seed >> 11) / 9007199254740992.0 * 0.2 - 0.1;
		if (i > 0)
			text[len++] = ',';
		if (digits == 6)
			len += sprintf(text + len, "%.6f", v);
		else
		{
			/* the shortest text that reads back as v, as JSON encoders write */
			int			n = 0;

			for (int prec = 15; prec <= 17; prec++)
			{
				n = sprintf(text + len, "%.*g", prec, v);
				if (strtod(text + len, NULL) == v)
					break;
			}
			len += n;
		}
	}
	text[len++] = ']';
	text[len] = '\0';
	return text;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline const char *
skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* the decode loop of json_decode.c, float_parse.c readers */
static void
read_fast8(const char *text, size_t len, double *out)
{
	const char *p = text + 1,
			   *end = text + len;
	MlFloatStatus status;

	for (int i = 0; i < DIMS; i++)
	{
		p = MlParseFloat8(skip_space(p, end), end, &out[i], &status);
		p = skip_space(p, end) + 1;
	}
}

static void
read_fast4(const char *text, size_t len, float *out)
{
	const char *p = text + 1,
			   *end = text + len;
	MlFloatStatus status;

	for (int i = 0; i < DIMS; i++)
	{
		p = MlParseFloat4(skip_space(p, end), end, &out[i], &status);
		p = skip_space(p, end) + 1;
	}
}

/* the same loop with the C library */
static void
read_lib8(const char *text, size_t len, double *out)
{
	char	   *p = (char *) text + 1;

	(void) len;
	for (int i = 0; i < DIMS; i++)
	{
		out[i] = strtod(p, &p);
		p++;
	}
}

static void
read_lib4(const char *text, size_t len, float *out)
{
	char	   *p = (char *) text + 1;

	(void) len;
	for (int i = 0; i < DIMS; i++)
	{
		out[i] = strtof(p, &p);
		p++;
	}
}

int
main(int argc, char **argv)
{
	int			rounds = argc > 1 ? atoi(argv[1]) : 2048;
	static double d1[DIMS],
				d2[DIMS];
	static float f1[DIMS],
				f2[DIMS];
	int			kinds[] = {6, 17};

	printf("%-32s %10s %10s %10s %10s\n", "numbers (1536 a vector)",
		   "float8", "strtod", "float4", "strtof");
	for (int k = 0; k < 2; k++)
	{
		/* 64 different vectors (2 MB, an answer of 64): the numbers vary */
		char	   *texts[VECTORS];
		size_t		lens[VECTORS];
		double		best[4] = {1e30, 1e30, 1e30, 1e30};

		for (int v = 0; v < VECTORS; v++)
		{
			texts[v] = make_array(kinds[k], 42 + k * VECTORS + v);
			lens[v] = strlen(texts[v]);
		}

		for (int run = 0; run < 5; run++)
		{
			double		t[5];

			t[0] = now_ns();
			for (int r = 0; r < rounds; r++)
				read_fast8(texts[r % VECTORS], lens[r % VECTORS], d1);
			t[1] = now_ns();
			for (int r = 0; r < rounds; r++)
				read_lib8(texts[r % VECTORS], lens[r % VECTORS], d2);
			t[2] = now_ns();
			for (int r = 0; r < rounds; r++)
				read_fast4(texts[r % VECTORS], lens[r % VECTORS], f1);
			t[3] = now_ns();
			for (int r = 0; r < rounds; r++)
				read_lib4(texts[r % VECTORS], lens[r % VECTORS], f2);
			t[4] = now_ns();
			for (int i = 0; i < 4; i++)
			{
				double		ns = (t[i + 1] - t[i]) / ((double) rounds * DIMS);

				if (ns < best[i])
					best[i] = ns;
			}
		}
		/* the last vector read by each: the same one */
		if (memcmp(d1, d2, sizeof(d1)) != 0 || memcmp(f1, f2, sizeof(f1)) != 0)
		{
			printf("MISMATCH between float_parse.c and the C library\n");
			return 1;
		}
		printf("%-32s %7.1f ns %7.1f ns %7.1f ns %7.1f ns\n",
			   kinds[k] == 6 ? "6 decimals (-0.123456)" : "shortest (-0.05865755411080276)",
			   best[0], best[1], best[2], best[3]);
		for (int v = 0; v < VECTORS; v++)
			free(texts[v]);
	}
	return 0;
}
