/*-------------------------------------------------------------------------
 *
 * test_float_parse.c
 *	  Unit test of src/types/float_parse.c against the C library: every
 *	  string of a large randomized corpus must give, bit for bit, what
 *	  strtod and strtof give (PostgreSQL's float8in and float4in use them),
 *	  the same end of the number, and an overflow exactly where they set
 *	  ERANGE with an infinity.  A plain C11 program; built and run by
 *	  "make unit".
 *
 * The corpus, from a fixed seed (FLOAT_PARSE_SEED changes it), about
 * three million strings; FLOAT_PARSE_SCALE=N makes it N times larger:
 *	- random bit patterns of doubles and floats printed with %.17g / %.9g,
 *	  %.17e, and in their shortest round-trip form;
 *	- random decimal strings: 1 to 40 digits, a point anywhere, leading
 *	  zeros, exponents from -400 to 400;
 *	- exact halfway points between neighbouring doubles and floats (and
 *	  the same moved by one unit in a far digit), written out in full;
 *	- short random strings of number characters (the syntax's edges);
 *	- boundaries: the least subnormal, the least normal, the largest
 *	  finite values and the points between them and infinity, of both
 *	  types, and their neighbours; powers of ten from 1e-400 to 1e400;
 *	  zeros and signs; exponents of every size; syntax edge cases;
 *	- the edges of reading 8 digits at a time: runs of 1 to 26 digits with
 *	  the point anywhere, leading zeros, and a non-digit at each place.
 * Each string is followed in memory by more digits beyond the end given
 * to the parser, which must not read them; then it is read inside longer
 * texts (a separator and more numbers after it), among them texts of
 * exactly the 32 bytes the parser's fast path reads at once.
 *
 * The JSON readers (MlParseJsonFloat8/4) are checked on every string too:
 * they must end where RFC 8259's grammar (with json_text.c's limits) ends
 * the number, or refuse it as the grammar does, and give strtod's and
 * strtof's results for that text.
 *
 * Prints the first failures, the number of cases, how many took the slow
 * path, and "N passed, M failed"; exits non-zero on any failure.
 *
 * IDENTIFICATION
 *	  test/unit/test_float_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/float_parse.h"
#include "float_oracle.h"

extern unsigned long ml_float_parse_slow;

static unsigned long cases;
static unsigned long failures;

/* splitmix64: a small, fixed, well-mixed generator */
static uint64_t rng_state;

static uint64_t
next_random(void)
{
	uint64_t	z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* a random whole number in [0, n) */
static int
below(int n)
{
	return (int) (next_random() % (uint64_t) n);
}

/* Report one disagreement (the first 20 in full). */
static void
report(const char *s, const char *what, uint64_t want, uint64_t got)
{
	failures++;
	if (failures <= 20)
		printf("FAIL %s: \"%.200s\": want %016llx, got %016llx\n", what, s,
			   (unsigned long long) want, (unsigned long long) got);
}

/*
 * check_json
 *		The JSON readers on s (in buf, len bytes): the same end as the
 *		grammar, and strtod's and strtof's results for that text.
 */
static void
check_json(const char *s, const char *buf, size_t len)
{
	const char *want = json_end(s, 400, 1000);
	const char *end8,
			   *end4;
	double		d;
	float		f;
	MlFloatStatus st8,
				st4;
	char		prefix[2048];
	double		libd;
	float		libf;
	int			liberr8,
				liberr4;
	uint64_t	a,
				b;
	uint32_t	a4,
				b4;

	end8 = MlParseJsonFloat8(buf, buf + len, 400, 1000, &d, &st8);
	end4 = MlParseJsonFloat4(buf, buf + len, 400, 1000, &f, &st4);
	if ((want == NULL) != (end8 == NULL) || (want && end8 - buf != want - s))
	{
		report(s, "json float8 end", want ? (uint64_t) (want - s) : UINT64_MAX,
			   end8 ? (uint64_t) (end8 - buf) : UINT64_MAX);
		return;
	}
	if ((want == NULL) != (end4 == NULL) || (want && end4 - buf != want - s))
	{
		report(s, "json float4 end", want ? (uint64_t) (want - s) : UINT64_MAX,
			   end4 ? (uint64_t) (end4 - buf) : UINT64_MAX);
		return;
	}
	if (want == NULL || want - s >= (long) sizeof(prefix))
		return;
	memcpy(prefix, s, want - s);
	prefix[want - s] = '\0';
	errno = 0;
	libd = strtod(prefix, NULL);
	liberr8 = errno;
	errno = 0;
	libf = strtof(prefix, NULL);
	liberr4 = errno;
	memcpy(&a, &libd, 8);
	memcpy(&b, &d, 8);
	memcpy(&a4, &libf, 4);
	memcpy(&b4, &f, 4);
	if (a != b)
		report(s, "json float8 bits", a, b);
	if (a4 != b4)
		report(s, "json float4 bits", a4, b4);
	if ((liberr8 == ERANGE && isinf(libd)) != (st8 == ML_FLOAT_OVERFLOW))
		report(s, "json float8 overflow", liberr8, st8);
	if ((liberr4 == ERANGE && isinf(libf)) != (st4 == ML_FLOAT_OVERFLOW))
		report(s, "json float4 overflow", liberr4, st4);
}

/*
 * check_in_text
 *		The four readers on s inside a longer text, as an answer's vector
 *		gives them (a ',' and more numbers after it, the text's end far
 *		beyond): the same ends and bits as strtod and strtof on s alone.
 *		check_one gives the readers a text that ends where s does, so
 *		that the 8-bytes-at-a-time digit reading (which needs 8 bytes
 *		before the end) is taken here only, for the last digits of s.
 */
static void
check_in_text(const char *s, size_t len)
{
	static const char after[] = ",-0.0123456789,1e5]   ";
	char	   *buf = malloc(len + sizeof(after));
	char	   *libend;
	const char *end;
	double		libd,
				d;
	float		libf,
				f;
	MlFloatStatus status;

	memcpy(buf, s, len);
	memcpy(buf + len, after, sizeof(after));
	libd = strtod(s, &libend);
	end = MlParseFloat8(buf, buf + len + sizeof(after) - 1, &d, &status);
	if (end != NULL && (end - buf != libend - s || memcmp(&d, &libd, 8) != 0))
		report(s, "float8 in a text", (uint64_t) (libend - s),
			   (uint64_t) (end - buf));
	libf = strtof(s, &libend);
	end = MlParseFloat4(buf, buf + len + sizeof(after) - 1, &f, &status);
	if (end != NULL && (end - buf != libend - s || memcmp(&f, &libf, 4) != 0))
		report(s, "float4 in a text", (uint64_t) (libend - s),
			   (uint64_t) (end - buf));
	check_json(s, buf, len + sizeof(after) - 1);
	free(buf);
}

/*
 * check_in_window
 *		The four readers on s followed by a separator and enough text for
 *		their fast path, which reads the 32 bytes from the number's start
 *		8 at a time (read_window in float_parse.c), to be taken: every
 *		other case with exactly 32 bytes from s (s and a separator, when s
 *		is longer), the others with a longer text of numbers.  The same
 *		ends and bits as strtod and strtof on s alone, and a plain decimal
 *		number must be read.  check_in_text's text (22 bytes after s) is
 *		too short for that path when s is short.
 */
static void
check_in_window(const char *s, size_t len)
{
	static const char *const tails[] = {
		",0.125,-3.5e-7,12345678901234567890,0.1,-0.0]",
		"]                                             ",
		" ,1.0e10, 99999999999999999999999, 0.5]       ",
		"}\n\"x\": [0.000001, 1e-300, -1.79769313486e308]",
		"\n0.1234567890123456789012345678901234567890123"
	};
	const char *tail = tails[cases % 5];
	size_t		total = (cases % 2 == 0) ? (len < 31 ? 32 : len + 1) :
		len + strlen(tail);
	char	   *buf = malloc(total);
	char	   *libend;
	const char *end;
	double		libd,
				d;
	float		libf,
				f;
	MlFloatStatus status;

	/* exactly total bytes: nothing beyond them may be read */
	memcpy(buf, s, len);
	memcpy(buf + len, tail, total - len);

	libd = strtod(s, &libend);
	end = MlParseFloat8(buf, buf + total, &d, &status);
	if (libend == s ? end != NULL :
		end == NULL ? plain_decimal(s) :
		end - buf != libend - s || memcmp(&d, &libd, 8) != 0)
		report(s, "float8 before a window", (uint64_t) (libend - s),
			   end ? (uint64_t) (end - buf) : UINT64_MAX);
	libf = strtof(s, &libend);
	end = MlParseFloat4(buf, buf + total, &f, &status);
	if (libend == s ? end != NULL :
		end == NULL ? plain_decimal(s) :
		end - buf != libend - s || memcmp(&f, &libf, 4) != 0)
		report(s, "float4 before a window", (uint64_t) (libend - s),
			   end ? (uint64_t) (end - buf) : UINT64_MAX);
	check_json(s, buf, total);
	free(buf);
}

/*
 * check_one
 *		Both parsers against the C library on s, given with more digits
 *		after its end; then the JSON readers.
 */
static void
check_one(const char *s)
{
	size_t		len = strlen(s);
	char	   *buf = malloc(len + 9);
	char	   *libend;
	const char *end;
	double		libd,
				d;
	float		libf,
				f;
	int			liberr;
	MlFloatStatus status;
	uint64_t	a,
				b;
	uint32_t	a4,
				b4;

	memcpy(buf, s, len);
	memcpy(buf + len, "97979797", 9);
	cases++;

	errno = 0;
	libd = strtod(s, &libend);
	liberr = errno;
	end = MlParseFloat8(buf, buf + len, &d, &status);
	if (libend == s || (end == NULL && !plain_decimal(s)))
	{
		if (end != NULL)
			report(s, "float8 read a number strtod does not", 0, 0);
	}
	else if (end == NULL || end - buf != libend - s)
		report(s, "float8 end", (uint64_t) (libend - s),
			   end ? (uint64_t) (end - buf) : UINT64_MAX);
	else
	{
		memcpy(&a, &libd, 8);
		memcpy(&b, &d, 8);
		if (a != b)
			report(s, "float8 bits", a, b);
		if ((liberr == ERANGE && isinf(libd)) != (status == ML_FLOAT_OVERFLOW))
			report(s, "float8 overflow", liberr, status);
	}

	errno = 0;
	libf = strtof(s, &libend);
	liberr = errno;
	end = MlParseFloat4(buf, buf + len, &f, &status);
	if (libend == s || (end == NULL && !plain_decimal(s)))
	{
		if (end != NULL)
			report(s, "float4 read a number strtof does not", 0, 0);
	}
	else if (end == NULL || end - buf != libend - s)
		report(s, "float4 end", (uint64_t) (libend - s),
			   end ? (uint64_t) (end - buf) : UINT64_MAX);
	else
	{
		memcpy(&a4, &libf, 4);
		memcpy(&b4, &f, 4);
		if (a4 != b4)
			report(s, "float4 bits", a4, b4);
		if ((liberr == ERANGE && isinf(libf)) != (status == ML_FLOAT_OVERFLOW))
			report(s, "float4 overflow", liberr, status);
	}
	check_json(s, buf, len);
	free(buf);
	check_in_text(s, len);
	check_in_window(s, len);
}

/* check_one on a printf-formatted string */
static void
checkf(const char *fmt,...)
{
	char		s[2048];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	check_one(s);
}

/* The shortest %.*g form of d that reads back as d. */
static void
check_shortest8(double d)
{
	char		s[64];

	for (int prec = 1; prec <= 17; prec++)
	{
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	check_one(s);
}

static void
check_shortest4(float f)
{
	char		s[64];

	for (int prec = 1; prec <= 9; prec++)
	{
		snprintf(s, sizeof(s), "%.*g", prec, (double) f);
		if (strtof(s, NULL) == f)
			break;
	}
	check_one(s);
}

/* a random finite double from its bits */
static double
random_double(void)
{
	uint64_t	bits;
	double		d;

	do
	{
		bits = next_random();
		memcpy(&d, &bits, 8);
	} while (!isfinite(d));
	return d;
}

static float
random_float(void)
{
	uint32_t	bits;
	float		f;

	do
	{
		bits = (uint32_t) next_random();
		memcpy(&f, &bits, 4);
	} while (!isfinite(f));
	return f;
}

/* Random bit patterns in the usual printed forms. */
static void
test_bit_patterns(long n)
{
	for (long i = 0; i < n; i++)
	{
		double		d = random_double();
		float		f = random_float();

		checkf("%.17g", d);
		checkf("%.9g", (double) f);
		if (i % 4 == 0)
		{
			checkf("%.17e", d);
			check_shortest8(d);
			check_shortest4(f);
		}
		if (i % 16 == 0)
		{
			/* values the size of embedding components */
			double		small = (double) (next_random() >> 11) / 9007199254740992.0 - 0.5;

			checkf("%.17g", small);
			checkf("%.9g", (double) (float) small);
			checkf("%.6f", small);
			check_shortest8(small);
		}
	}
}

/* Random decimal strings, often longer than 19 digits. */
static void
test_random_decimals(long n)
{
	char		s[128];

	for (long i = 0; i < n; i++)
	{
		int			ndigits = 1 + below(40);
		int			point = below(ndigits + 2) - 1;	/* -1: none */
		int			zeros = below(4) == 0 ? below(30) : 0;
		int			k = 0;

		if (below(2))
			s[k++] = '-';
		else if (below(8) == 0)
			s[k++] = '+';
		for (int z = 0; z < zeros; z++)
			s[k++] = '0';
		for (int j = 0; j < ndigits; j++)
		{
			if (j == point)
				s[k++] = '.';
			/* runs of 0s and 9s find carries and ties */
			switch (below(4))
			{
				case 0:
					s[k++] = '0';
					break;
				case 1:
					s[k++] = '9';
					break;
				default:
					s[k++] = (char) ('0' + below(10));
			}
		}
		if (point == ndigits)
			s[k++] = '.';
		if (below(3) != 0)
			k += sprintf(s + k, "e%d", below(801) - 400);
		s[k] = '\0';
		check_one(s);
	}
}

/*
 * Exact halfway points between neighbouring doubles (in long double,
 * which holds their 54 bits) and floats (in double), in full, and moved
 * by one unit of a far digit either way.
 */
static void
test_halfway(long n)
{
	static char s[8192];

	for (long i = 0; i < n; i++)
	{
		double		d = fabs(random_double());
		float		f = fabsf(random_float());
		int			len;

		if (i % 8 == 0)
			d = ldexp(1.0 + (double) (next_random() >> 12) / 4503599627370496.0,
					  below(120) - 60);
#if LDBL_MANT_DIG >= 64
		if (d < DBL_MAX)
		{
			long double mid = ((long double) d + (long double) nextafter(d, INFINITY)) / 2;

			len = snprintf(s, sizeof(s), "%.*Le", i % 8 == 0 ? 80 : 780, mid);
			/* trailing zeros of the exact expansion out, exponent kept */
			check_one(s);
			if (len > 0)
			{
				char	   *e = strchr(s, 'e');
				char		exp_part[16];

				if (e != NULL && e - s > 30)
				{
					strcpy(exp_part, e);
					/* just above and just below: change a far digit */
					s[e - s - 1] = '1';
					check_one(s);
					s[e - s - 1] = '9';
					check_one(s);
				}
			}
		}
#endif
		if (f < FLT_MAX)
		{
			double		midf = ((double) f + (double) nextafterf(f, INFINITY)) / 2;

			snprintf(s, sizeof(s), "%.*e", 200, midf);
			check_one(s);
			snprintf(s, sizeof(s), "%.12e", midf);
			check_one(s);
		}
	}
}

/* Short random strings of number characters: the grammar's edges. */
static void
test_syntax(long n)
{
	static const char chars[] = "-+.eE0123456789000111999";
	char		s[16];

	for (long i = 0; i < n; i++)
	{
		int			len = 1 + below(12);

		for (int j = 0; j < len; j++)
			s[j] = chars[below((int) sizeof(chars) - 1)];
		s[len] = '\0';
		check_one(s);
	}
}

/* Boundaries, powers of ten, zeros, exponents and syntax. */
static void
test_boundaries(void)
{
	const double d8[] = {
		4.9406564584124654e-324, 2.2250738585072014e-308, 2.2250738585072009e-308,
		DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 1.0, 0.1, 9007199254740992.0,
		9007199254740993.0, FLT_MAX, FLT_MIN, FLT_TRUE_MIN
	};
	static const char *const fixed[] = {
		"0", "-0", "+0", "0.0", "-0.0", "0e400", "-0e-400", "0.000e99999999999",
		"1e-400", "-1e-400", "1e400", "-1e400", "1e99999999999999999999",
		"1e-99999999999999999999", "2.4703282292062327e-324",
		"2.4703282292062328e-324", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
		"2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328126e-324",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
		"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174771",
		"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174772",
		"3.4028235e38", "3.40282356e38", "3.4028235677973366e38", "3.4028235677973367e38",
		"340282356779733661637539395458142568448", "340282356779733661637539395458142568447",
		"1.4e-45", "7e-46", "7.006492321624085e-46", "7.006492321624086e-46",
		"1.1754943508222875e-38", "1.17549421e-38",
		"9007199254740993", "9007199254740992.5", "9007199254740993.0000000000000000001",
		"16777217", "16777217.000000000001", "33554435",
		"1e", "1e+", "1e-", "1.", ".5", "-.5e3", "+1", "00012", "1.e5", ".", "-",
		"+", "-.", "e5", "1ee5", "1e5.5", "0x10", "inf", "nan", " 1", "1 ", "",
		"0.000000000000000000000000000000000000000000001",
		"123456789012345678901234567890", "1234567890123456789", "12345678901234567890",
		"18446744073709551615", "18446744073709551616", "99999999999999999999e-20",
		"0.1000000000000000055511151231257827021181583404541015625",
		"0.1000000000000000055511151231257827021181583404541015624",
		"0.1000000000000000055511151231257827021181583404541015626",
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_one(fixed[i]);
	for (size_t i = 0; i < sizeof(d8) / sizeof(d8[0]); i++)
	{
		double		d = d8[i];
		double		near[5];

		near[0] = d;
		near[1] = nextafter(d, 0);
		near[2] = nextafter(d, INFINITY);
		near[3] = nextafter(near[1], 0);
		near[4] = nextafter(near[2], INFINITY);
		for (int j = 0; j < 5; j++)
		{
			checkf("%.17g", near[j]);
			checkf("-%.17g", near[j]);
			checkf("%.25e", near[j]);
			checkf("%.9g", near[j]);
			check_shortest8(near[j]);
			check_shortest4((float) near[j]);
			check_shortest4(nextafterf((float) near[j], INFINITY));
		}
	}
	for (int e = -420; e <= 420; e++)
	{
		checkf("1e%d", e);
		checkf("-1e%d", e);
		checkf("9.999999999999999999e%d", e);
		checkf("5e%d", e);
		checkf("2.5e%d", e);
		checkf("123456789012345678901234567890e%d", e);
		checkf("0.%018d1e%d", 0, e);
	}
	for (int e = 0; e < 64; e++)
	{
		/* powers of two and their neighbours, written as integers */
		uint64_t	p = UINT64_C(1) << e;

		checkf("%llu", (unsigned long long) p);
		checkf("%llu", (unsigned long long) (p + 1));
		checkf("%llu", (unsigned long long) (p - 1));
		checkf("%llu.5", (unsigned long long) p);
	}
}

/*
 * The edges of reading 8 digits at a time: runs of 1 to 26 digits (8 and
 * 16 digits fill whole words, 19 is the most a uint64 holds whatever they
 * are) with the point at every place, after leading zeros and signs, with
 * and without an exponent; a non-digit at each of the first 17 places of a
 * run; and small fixed cases.  check_one puts each before the end of the
 * text and before texts of several lengths.
 */
static void
test_swar(void)
{
	static const char *const prefixes[] = {
		"", "-", "+", "0", "-000", "00000000"
	};
	static const char *const exps[] = {"", "e5", "E-7", "e+300", "e", "e-"};
	static const char stops[] = ".eE,x/:; -+\x80\xff\x01";
	static const char *const fixed[] = {
		"0.00000000123", "-0.00000000123", "0.0000000000000000000000123",
		"0.000000000000000000000000000000000000000000000123e30",
		"00000000.5", "0000000000000000001", "00000000000000000001.5",
		"-0.0000000", "0.00000000", "00000000", "1234567.", "12345678.",
		"1234567.8", "12345678.9", ".12345678", "-.1234567", "+.123456789",
		"0.1234567890123456789", "0.12345678901234567890",
		"1.2345678901234567890", "12345678.901234567890", "9999999.99999999",
		"0.99999999999999999999", "0.05865755411080276", "-0.05865755411080276",
		"-5.8657554110802763e-05", "0.0058657554110802761", "1e-05",
		"-0.012345678", "0.0123456789012345678", "123456.789e-3",
		"4.9406564584124654e-324", "2.2250738585072014e-308",
		"1.7976931348623157e308",
	};
	char		s[128];
	char		digits[32];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_one(fixed[i]);

	for (int n = 1; n <= 26; n++)
	{
		for (int point = -1; point <= n; point++)
		{
			for (int rep = 0; rep < 3; rep++)
			{
				int			k;

				/* a third of the digits 0 or 9: carries and ties */
				for (int j = 0; j < n; j++)
					digits[j] = (char) ('0' + (below(3) == 0 ? 9 * below(2) :
											   below(10)));
				k = sprintf(s, "%s", prefixes[below(6)]);
				for (int j = 0; j < n; j++)
				{
					if (j == point)
						s[k++] = '.';
					s[k++] = digits[j];
				}
				if (point == n)
					s[k++] = '.';
				strcpy(s + k, exps[below(4) == 0 ? below(6) : 0]);
				check_one(s);
			}
		}
	}

	for (int n = 8; n <= 24; n++)
	{
		for (int at = 0; at < 17 && at < n; at++)
		{
			for (size_t c = 0; c < sizeof(stops) - 1; c++)
			{
				int			k = sprintf(s, "%s", below(2) ? "" :
										below(2) ? "-" : "0.");

				for (int j = 0; j < n; j++)
					s[k++] = j == at ? stops[c] : (char) ('0' + below(10));
				s[k] = '\0';
				check_one(s);
			}
		}
	}
}

/* Print the cases and slow paths of the part of the corpus just run. */
static void
progress(const char *part)
{
	static unsigned long last_cases,
				last_slow;

	printf("%-16s %9lu cases, %7lu slow paths (of four parses each)\n", part,
		   cases - last_cases, ml_float_parse_slow - last_slow);
	last_cases = cases;
	last_slow = ml_float_parse_slow;
}

int
main(void)
{
	const char *seed = getenv("FLOAT_PARSE_SEED");
	const char *scale_env = getenv("FLOAT_PARSE_SCALE");
	long		scale = scale_env ? atol(scale_env) : 1;

	if (scale < 1)
		scale = 1;
	rng_state = seed ? strtoull(seed, NULL, 10) : UINT64_C(20261207);

	test_boundaries();
	progress("boundaries");
	test_bit_patterns(500000 * scale);
	progress("bit patterns");
	test_random_decimals(1000000 * scale);
	progress("random decimals");
	test_halfway(50000 * scale);
	progress("halfway points");
	test_syntax(200000 * scale);
	progress("syntax");
	test_swar();
	progress("8 at a time");

	printf("%lu cases (each as float8 and float4, plain and JSON), %lu took the slow path\n",
		   cases, ml_float_parse_slow);
	printf("%lu passed, %lu failed\n", cases * 4 - failures, failures);
	return failures > 0 ? 1 : 0;
}
